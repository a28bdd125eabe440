"""The template registry table: provider template ids per tenant, channel, reply and language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class MessageTemplate(Base, TenantScoped):
    """One registered template: a state row (`pb`) serves its cities unless a city row exists."""

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("tenant_id", "channel_type", "message_key", "language", "options"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel_type: Mapped[str] = mapped_column(String(32))
    message_key: Mapped[str] = mapped_column(String(255))
    """Catalog ids of the reply's parts joined with `+` (`language.set+menu.prompt`)."""
    language: Mapped[str] = mapped_column(String(8))
    options: Mapped[int] = mapped_column(Integer, default=0)
    """Numbered options the registered text ends with (0: none)."""
    provider_id: Mapped[str] = mapped_column(String(100))
    """The provider's template id or name (DLT content template id, WhatsApp template name)."""
    text: Mapped[str] = mapped_column(Text)
    """The registered text: `{#var#}` placeholders (DLT) or `{{1}}` (WhatsApp)."""
    variables: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Which value fills each placeholder, in order: a part parameter (`id`, or
    `notify.status:id`), or `choice.N` for the N-th option's label. A name repeated on
    consecutive placeholders spreads one long value over them, 30 characters each."""
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Provider fields: DLT `entity_id` (principal entity) and `header`; WhatsApp category."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
