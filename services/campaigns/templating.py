"""Registered templates for a campaign's sends, looked up once per account and language.

`services.templates.service.apply_template` reads the registry for every message; a campaign
sends thousands of the same key, so the row is looked up once per (account, language) for a
chunk and filled and checked per message with the registry's own functions.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from channels.contract import Medium, OutboundMessage, TemplateRef
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.templates.dlt import MAX_VAR_CHARS, check_dlt, normalize, render
from services.templates.errors import TemplateMismatch, TemplateMissing
from services.templates.models import MessageTemplate
from services.templates.service import fill, lookup, needs_template


class Templates:
    """The templates one chunk uses, by account and language (None: none registered); a
    registration changed meanwhile applies from the next chunk (at most a chunk's time)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._rows: dict[tuple[str, str], MessageTemplate | None] = {}

    def row(self, db: Session, account: ChannelAccount, language: str) -> MessageTemplate | None:
        """The registered template of the campaign's key nearest the account's tenant."""
        at = (account.id, language)
        if at not in self._rows:
            self._rows[at] = lookup(db, tenant_id=account.tenant_id,
                                    channel_type=account.channel_type, key=self.key,
                                    language=language, options=0)
        return self._rows[at]

    def apply(self, db: Session, account: ChannelAccount,
              message: OutboundMessage) -> OutboundMessage:
        """The message with its template where the channel needs one (TemplateError if not)."""
        adapter = adapter_class(account.channel_type)
        if not needs_template(adapter.capabilities, message.window_open):
            return message
        row = self.row(db, account, message.language)
        if row is None:
            raise TemplateMissing(f"{self.key} [{message.language}, 0 options]")
        values = fill(row.variables, message)
        if adapter.medium is Medium.SMS:
            body = adapter.render_text(message)
            # The values rebuild the body from the registered text, so the operator's match
            # (services.templates.dlt.check_dlt) holds once each value fits its placeholder:
            # the same verdict without searching every split of every message.
            if normalize(render(row.text, values)) != normalize(body):
                check_dlt(body, row.text)  # says which rule failed
                raise TemplateMismatch("the registered variables do not rebuild the text")
            if any(len(normalize(value)) > MAX_VAR_CHARS for value in values):
                raise TemplateMismatch(f"a value is longer than {MAX_VAR_CHARS} characters")
        ref = TemplateRef(row.provider_id, row.language, values,
                          {str(k): str(v) for k, v in row.extra.items()})
        return replace(message, template=ref)
