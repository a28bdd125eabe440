"""Files uploaded straight to the gateway (the web chat's photos), held until a turn uses them.

A provider keeps an attachment for a while and the copier fetches it through the adapter; the
web chat has no provider, so its page uploads the photo here first (`POST /webchat/photos/...`):
the bytes are checked, encrypted and put in the media store under the visitor's tag, and the
widget's message names the upload. The adapter turns that into a reference `held:<path>`,
and the copier takes the bytes from the store instead of calling the adapter. Only the web chat
adapter makes `held:` references, from the visitor its token proves, so one visitor cannot name
another's upload, and the store key is always under the message's own tenant.
"""

from __future__ import annotations

import re
import uuid

from channels.contract import MediaFile
from channels.errors import ConfigError
from services.media.kinds import sniff
from services.media.store import MediaStore, ObjectMissing
from services.security.crypto import Crypto

PREFIX = "held:"
PATH = re.compile(r"^webchat/[0-9a-f]{16}/[0-9a-f]{32}$")
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def is_held(ref: str) -> bool:
    """Whether a media reference names a file held by the gateway itself."""
    return ref.startswith(PREFIX)


def _key(tenant_id: str, path: str) -> str:
    """The store key of a held file (under the tenant, apart from the copied files)."""
    if not PATH.match(path):
        raise ConfigError("bad_held_reference")
    return f"{tenant_id}/held/{path.replace('/', '-')}"


def hold_photo(store: MediaStore, crypto: Crypto, *, tenant_id: str, visitor_tag: str,
               data: bytes) -> str:
    """Keep an uploaded photo (already checked by the caller) encrypted; its upload id."""
    upload = uuid.uuid4().hex
    store.put(_key(tenant_id, f"webchat/{visitor_tag}/{upload}"), crypto.encrypt_bytes(data))
    return upload


def take(store: MediaStore, crypto: Crypto, tenant_id: str, ref: str) -> MediaFile:
    """A held file's bytes for the copier; ConfigError when nothing is held (the row is then
    `missing`, like a provider's expired file)."""
    key = _key(tenant_id, ref.removeprefix(PREFIX))
    try:
        data = crypto.decrypt_bytes(store.get(key))
    except ObjectMissing:
        raise ConfigError("media_missing") from None
    return MediaFile(data, sniff(data) or "application/octet-stream")
