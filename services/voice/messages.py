"""Recorded voice messages: a city's own recording of an announcement, per purpose and language.

Outbound calls speak a message with the provider's TTS where the language has a voice, else
with the offline clips; a city that recorded the message itself (a known officer's voice
carries more weight than a synthetic one) uploads it here. The upload is checked (a WAV, any
rate, converted to 8 kHz mono, which both Twilio and Exotel play), encrypted into the media
store, and served to the provider by a signed, expiring link (`services/voice/message_routes`).
A city without its own recording for a language uses its state's.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from i18n import KNOWN
from services.audio import wav
from services.audit.record import record
from services.db.base import Base, TenantScoped, new_id, utcnow
from services.media.store import MediaStore
from services.security.crypto import Crypto

MAX_BYTES = 5 * 1024 * 1024
"""An upload's limit (about five minutes of 8 kHz audio)."""
LINK_SECONDS = 6 * 3600
"""How long a provider may fetch a recording after the call was placed."""
PATH = "/voice-messages/"
_PURPOSE = b"voice-message-link"


class VoiceMessage(Base, TenantScoped):
    """One recording of a city (or a state, for its cities) for a purpose and language."""

    __tablename__ = "voice_messages"
    __table_args__ = (UniqueConstraint("tenant_id", "purpose", "language"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(64))
    """What the message is for, as the campaign's template names it (`water_cut`)."""
    language: Mapped[str] = mapped_column(String(8))
    store_key: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoiceMessageError(ValueError):
    """An upload refused; `code` says why (never shown in English to anyone)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _check(purpose: str, language: str, data: bytes) -> bytes:
    """The upload as 8 kHz WAV; VoiceMessageError for a bad purpose, language or file."""
    if not purpose or len(purpose) > 64 or not purpose.replace("_", "").replace(".", "").isalnum():
        raise VoiceMessageError("bad_purpose")
    if language not in KNOWN:
        raise VoiceMessageError("unknown_language")
    if len(data) > MAX_BYTES:
        raise VoiceMessageError("too_large")
    try:
        return wav.telephone(data)
    except wav.WavError:
        raise VoiceMessageError("not_wav") from None


def upload(db: Session, store: MediaStore, crypto: Crypto, *, tenant_id: str, purpose: str,
           language: str, data: bytes, actor: str) -> VoiceMessage:
    """Keep a recording (replacing the tenant's earlier one for that purpose and language),
    audited in the caller's transaction; not committed."""
    audio = _check(purpose, language, data)
    key = f"{tenant_id}/voice/{uuid.uuid4().hex}"
    store.put(key, crypto.encrypt_bytes(audio))
    row = db.scalar(select(VoiceMessage).where(VoiceMessage.tenant_id == tenant_id,
                                               VoiceMessage.purpose == purpose,
                                               VoiceMessage.language == language))
    action = "create" if row is None else "update"
    before = None if row is None else {"size": row.size, "id": row.id}
    if row is None:
        row = VoiceMessage(tenant_id=tenant_id, purpose=purpose, language=language,
                           store_key=key, size=len(audio))
        db.add(row)
    else:
        row.store_key, row.size, row.created_at = key, len(audio), utcnow()
    db.flush()
    record(db, tenant_id=tenant_id, actor=actor, entity="voice_message",
           key=f"{purpose}:{language}", action=action, before=before,
           after={"size": row.size, "id": row.id})
    return row


def find(db: Session, tenant_id: str, purpose: str, language: str) -> VoiceMessage | None:
    """The city's recording for a purpose and language, else its state's."""
    state = tenant_id.split(".", 1)[0]
    rows = db.scalars(select(VoiceMessage).where(
        VoiceMessage.tenant_id.in_({tenant_id, state}), VoiceMessage.purpose == purpose,
        VoiceMessage.language == language))
    found = {row.tenant_id: row for row in rows}
    return found.get(tenant_id) or found.get(state)


def audio(store: MediaStore, crypto: Crypto, row: VoiceMessage) -> bytes:
    """The recording's WAV bytes (StoreError when the store cannot give them)."""
    return crypto.decrypt_bytes(store.get(row.store_key))


def _mac(key: bytes, message_id: str, expires: int) -> str:
    """The signature of one recording id and expiry."""
    return hmac.new(key, f"{message_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def link(base_url: str, crypto: Crypto, row: VoiceMessage, now: float | None = None) -> str:
    """A public URL the provider plays the recording from, signed and expiring."""
    expires = int(now if now is not None else time.time()) + LINK_SECONDS
    sig = _mac(crypto.purpose_keys(_PURPOSE)[0], row.id, expires)
    return f"{base_url}{PATH}{row.id}.wav?{urlencode({'exp': expires, 'sig': sig})}"


def link_valid(crypto: Crypto, message_id: str, expires: int, sig: str,
               now: float | None = None) -> bool:
    """Whether a recording link is genuine and unexpired."""
    good = any(hmac.compare_digest(_mac(key, message_id, expires), sig)
               for key in crypto.purpose_keys(_PURPOSE))
    return good and expires > int(now if now is not None else time.time())
