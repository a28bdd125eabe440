"""The city's public contact details, added where a citizen needs them: after the help text
and after the grievance number (catalog messages with parameters, in the citizen's language).

The flows stay as they are: the runner adds these parts to a reply that carries one of
`AFTER`'s messages. Each detail the city lacks is taken from its state (a state helpline
serves its cities); a detail neither has is left out, and with none there is nothing to add.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.orm import Session

from bots.actions import Reply
from bots.prompts import Localized, Msg, Param
from i18n import LANGUAGES
from services.conversation.render import render_msg
from services.tenancy.models import Tenant

AFTER = frozenset({"help.text", "grievance.filed"})
"""Replies that are followed by the contact details."""
DETAILS: dict[str, Callable[[Param], Msg]] = {
    "phone": lambda value: Msg("contact.phone", {"phone": value}),
    "email": lambda value: Msg("contact.email", {"email": value}),
    "website": lambda value: Msg("contact.website", {"website": value}),
    "address": lambda value: Msg("contact.address", {"address": value}),
    "hours": lambda value: Msg("contact.hours", {"hours": value}),
}
"""Each detail's line, in the order shown."""


def public_contact(db: Session, tenant: Tenant) -> dict[str, object]:
    """Phone, e-mail, website, address and hours of the city, each else its state's."""
    state = db.get(Tenant, tenant.parent_id) if tenant.parent_id else None
    found: dict[str, object] = {}
    for name in DETAILS:
        value = getattr(tenant, name) or (getattr(state, name) if state is not None else None)
        if value:
            found[name] = dict(value) if isinstance(value, dict) else value
    return found


def contact_parts(db: Session, tenant: Tenant) -> list[Msg]:
    """The contact details as catalog messages (none when the city gives none)."""
    details = public_contact(db, tenant)
    if not details:
        return []
    parts = [Msg("contact.intro", {"city": Localized(dict(tenant.names or {}))})]
    for name, line in DETAILS.items():
        value = details.get(name)
        if value is None:
            continue
        parts.append(line(Localized(value) if isinstance(value, dict) else str(value)))
    return parts


def with_contact(db: Session, tenant: Tenant,
                 replies: list[tuple[Reply, str]]) -> list[tuple[Reply, str]]:
    """The turn's replies, the contact details following each reply that needs them."""
    if not any(part.key in AFTER for reply, _ in replies for part in reply.prompt.parts):
        return replies
    extra = contact_parts(db, tenant)
    if not extra:
        return replies
    found: list[tuple[Reply, str]] = []
    for reply, language in replies:
        parts: list[Msg] = []
        for part in reply.prompt.parts:
            parts += [part, *extra] if part.key in AFTER else [part]
        found.append((Reply(replace(reply.prompt, parts=tuple(parts))), language))
    return found


def contact_lines(db: Session, tenant: Tenant) -> dict[str, list[str]]:
    """The contact details as one line each, in every language (the web chat's header shows
    them in the page's language; empty when the city and its state give none)."""
    parts = contact_parts(db, tenant)[1:]  # without the "Contact <city>:" line
    return {code: [render_msg(part, code) for part in parts] for code in LANGUAGES} if parts else {}
