"""Registering templates and resolving the one a message must go out under.

A reply's key is the catalog ids of its parts joined with `+` (`language.set+menu.prompt`); a
template is looked up for the account's tenant, then its state (`pb.amritsar`, then `pb`), for
the reply's language and number of numbered options. On SMS the body is the text we render, so
it is checked against the registered text the way operators scrub it (TRAI DLT), and the
registered variable order must rebuild exactly that text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.contract import Capabilities, Medium, MessagePart, OutboundMessage, TemplateRef
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.templates.dlt import VAR, check_dlt, normalize, placeholders, render, spread
from services.templates.errors import TemplateInvalid, TemplateMismatch, TemplateMissing
from services.templates.models import MessageTemplate

SEPARATOR = "+"
CHOICE = "choice."
_NAME = re.compile(r"^(?:choice\.[1-9]\d*|(?:[a-z][a-z0-9_.]*:)?[A-Za-z_][A-Za-z0-9_]*)$")


def template_key(parts: Iterable[MessagePart | str]) -> str:
    """The registry key of a reply: its parts' catalog ids joined with `+`."""
    return SEPARATOR.join(p if isinstance(p, str) else p.key for p in parts)


def scopes(tenant_id: str) -> list[str]:
    """A tenant and the scopes above it, nearest first (`pb.amritsar`, `pb`)."""
    pieces = tenant_id.split(".")
    return [".".join(pieces[:n]) for n in range(len(pieces), 0, -1)]


def needs_template(capabilities: Capabilities, window_open: bool) -> bool:
    """Templates always (DLT SMS: no session window), or outside the window (WhatsApp)."""
    if not capabilities.templates:
        return False
    return capabilities.session_window_hours is None or not window_open


def lookup(db: Session, *, tenant_id: str, channel_type: str, key: str, language: str,
           options: int) -> MessageTemplate | None:
    """The active template nearest to the tenant (its own row before its state's)."""
    order = scopes(tenant_id)
    rows = db.scalars(select(MessageTemplate).where(
        MessageTemplate.tenant_id.in_(order), MessageTemplate.channel_type == channel_type,
        MessageTemplate.message_key == key, MessageTemplate.language == language,
        MessageTemplate.options == options, MessageTemplate.active.is_(True))).all()
    return min(rows, key=lambda row: order.index(row.tenant_id), default=None)


def _value(name: str, message: OutboundMessage) -> str:
    """The text a variable name stands for in one message."""
    if name.startswith(CHOICE):
        index = int(name[len(CHOICE):]) - 1
        if index < len(message.choices):
            return message.choices[index].label
    else:
        key, _, param = name.rpartition(":")
        for part in message.parts:
            if (not key or part.key == key) and param in part.params:
                return part.params[param]
    raise TemplateMismatch(f"no value for template variable {name!r}")


def fill(names: Sequence[str], message: OutboundMessage) -> tuple[str, ...]:
    """The values for a template's placeholders, in order (a repeated name spreads one value)."""
    values: list[str] = []
    start = 0
    while start < len(names):
        end = start
        while end < len(names) and names[end] == names[start]:
            end += 1
        value = _value(names[start], message)
        values += [value] if end - start == 1 else spread(value, end - start)
        start = end
    return tuple(values)


def resolve(db: Session, account: ChannelAccount, message: OutboundMessage) -> TemplateRef | None:
    """The message's template with its values; None when none is registered.

    On SMS, TemplateMismatch when the body would not match the registered text.
    """
    key = template_key(message.parts)
    row = lookup(db, tenant_id=account.tenant_id, channel_type=account.channel_type, key=key,
                 language=message.language, options=len(message.choices)) if key else None
    if row is None:
        return None
    values = fill(row.variables, message)
    adapter = adapter_class(account.channel_type)
    if adapter.medium is Medium.SMS:
        body = adapter.render_text(message)
        check_dlt(body, row.text)
        if normalize(render(row.text, values)) != normalize(body):
            raise TemplateMismatch("the registered variables do not rebuild the text")
    return TemplateRef(row.provider_id, row.language, values,
                       {str(k): str(v) for k, v in row.extra.items()})


def apply_template(db: Session, account: ChannelAccount,
                   message: OutboundMessage) -> OutboundMessage:
    """The message with its template when the channel needs one now; TemplateMissing when
    none is registered, TemplateMismatch when the text would be dropped by the operator."""
    capabilities = adapter_class(account.channel_type).capabilities
    if not needs_template(capabilities, message.window_open):
        return message
    ref = resolve(db, account, message)
    if ref is None:
        key = template_key(message.parts) or "(no catalog parts)"
        raise TemplateMissing(f"{key} [{message.language}, {len(message.choices)} options]")
    return replace(message, template=ref)


def validate(channel_type: str, text: str, variables: Sequence[str]) -> None:
    """Refuse (TemplateInvalid) a registration that could never be filled or matched."""
    adapter = adapter_class(channel_type)
    if not adapter.capabilities.templates:
        raise TemplateInvalid(f"{channel_type} does not send templates")
    if adapter.medium is Medium.SMS and "{{" in text:
        raise TemplateInvalid(f"SMS templates use {VAR}, not {{{{n}}}}")
    bad = [name for name in variables if not _NAME.match(name)]
    if bad:
        raise TemplateInvalid(f"not variable names: {', '.join(bad)}")
    if placeholders(text) != len(variables):
        raise TemplateInvalid(f"{placeholders(text)} placeholders but {len(variables)} variables")


def register(db: Session, *, tenant_id: str, channel_type: str, key: str, language: str,
             provider_id: str, text: str, variables: Sequence[str] = (),
             extra: Mapping[str, str] | None = None, options: int = 0,
             active: bool = True) -> MessageTemplate:
    """Add a template, or replace the one registered for the same reply (safe to repeat)."""
    validate(channel_type, text, variables)
    if not provider_id.strip() or not key or options < 0:
        raise TemplateInvalid("a template needs a provider id, a key and options >= 0")
    row = db.scalar(select(MessageTemplate).where(
        MessageTemplate.tenant_id == tenant_id, MessageTemplate.channel_type == channel_type,
        MessageTemplate.message_key == key, MessageTemplate.language == language,
        MessageTemplate.options == options))
    if row is None:
        row = MessageTemplate(tenant_id=tenant_id, channel_type=channel_type, message_key=key,
                              language=language, options=options)
        db.add(row)
    row.provider_id, row.text, row.variables = provider_id.strip(), text, list(variables)
    row.extra, row.active = dict(extra or {}), active
    db.flush()
    return row


def registered(db: Session, *, tenant_id: str | None = None,
               channel_type: str | None = None) -> list[MessageTemplate]:
    """Templates in a tenant's scope (its own and its state's), optionally for one channel."""
    query = select(MessageTemplate)
    if tenant_id:
        query = query.where(MessageTemplate.tenant_id.in_(scopes(tenant_id)))
    if channel_type:
        query = query.where(MessageTemplate.channel_type == channel_type)
    return list(db.scalars(query.order_by(MessageTemplate.channel_type,
                                          MessageTemplate.message_key,
                                          MessageTemplate.language, MessageTemplate.options)))


def uncovered(db: Session, *, tenant_id: str, channel_type: str, keys: Iterable[str],
              languages: Iterable[str]) -> list[tuple[str, str]]:
    """(message id, language) pairs that no active template in the tenant's scope contains."""
    covered = {(part, row.language)
               for row in registered(db, tenant_id=tenant_id, channel_type=channel_type)
               if row.active for part in row.message_key.split(SEPARATOR)}
    return [(key, lang) for key in keys for lang in languages if (key, lang) not in covered]
