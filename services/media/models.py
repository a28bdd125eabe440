"""One inbound attachment: the provider's reference, and the encrypted copy we keep of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow

PENDING, STORED, REFUSED, MISSING = "pending", "stored", "refused", "missing"
"""A copy is pending (to fetch, or to fetch again), stored, refused (too large, a type we do
not keep) or missing (the provider would not give it)."""

UNVERSIONED = "-"
"""`media.key_id` of a copy under the ring's unversioned (original) secret."""


def key_tag(key_id: str | None) -> str:
    """What `media.key_id` holds for a ring key id."""
    return UNVERSIONED if key_id is None else key_id


class MediaObject(Base, TenantScoped):
    """A photo or recording a citizen sent, recorded with its message and copied by a worker."""

    __tablename__ = "media"
    __table_args__ = (Index("ix_media_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("channel_accounts.id"))
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), index=True)
    ref_enc: Mapped[str] = mapped_column(Text)
    """The provider's reference (a URL can carry an account id), encrypted."""
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    content_type: Mapped[str | None] = mapped_column(String(64), default=None)
    """The type found in the bytes (magic numbers), not the one the provider declared."""
    size: Mapped[int | None] = mapped_column(Integer, default=None)
    """Bytes of the original (the stored object is larger: it is ciphertext)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stored_at: Mapped[datetime | None] = mapped_column(default=None)
    key_id: Mapped[str | None] = mapped_column(String(17), default=None)
    """The ring key the stored copy is encrypted with (`-` for the unversioned secret);
    None: not known (copied before migration 0014), `keys rotate --media` reads the file."""
