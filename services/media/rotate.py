"""Re-encrypting the stored media files under the current key (`nagarsetu keys rotate`).

The table rotation (services.security.rotate) re-encrypts references; the files themselves
are ciphertext in the store, so they are rewritten here: each stored copy not known to be under
the current key (`media.key_id`, None for copies from before migration 0014) is read,
decrypted, encrypted again and written back under the same object key, then its row names the
new key. Both stores replace an object whole (a temp file renamed; an S3 PUT), so a reader sees
the old copy or the new one, and both decrypt while the old key is in the ring. Stopping at any
point is safe: a file rewritten whose row was not yet updated is found under the current key
on the next run and only its row is updated. Rows are taken in id order, a batch at a time,
each committed; a file missing from the store, or under a key the ring lacks, is counted as
failed and left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from services.media.copier import object_key
from services.media.models import STORED, MediaObject, key_tag
from services.media.store import MediaStore, ObjectMissing
from services.security.crypto import Crypto, DecryptionError


@dataclass
class MediaTally:
    """What one run did to the files."""

    rotated: int = 0
    """Files rewritten under the current key."""
    recorded: int = 0
    """Files already under it (rewritten by an interrupted run, or new): only the row set."""
    failed: int = 0
    """Missing from the store, or under a key the ring lacks: left as they are."""


def _pending(crypto: Crypto) -> ColumnElement[bool]:
    """Stored copies not recorded as under the current key."""
    current = key_tag(crypto.current.id)
    return (MediaObject.status == STORED) & or_(MediaObject.key_id.is_(None),
                                                MediaObject.key_id != current)


def pending_media(db: Session, crypto: Crypto) -> int:
    """How many stored files wait for rotation."""
    return int(db.scalar(select(func.count()).select_from(MediaObject)
                         .where(_pending(crypto))) or 0)


def _rewrite(store: MediaStore, crypto: Crypto, key: str) -> bool:
    """Bring one file under the current key; whether it had to be rewritten."""
    blob = store.get(key)
    try:
        text = blob.decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError("not a ciphertext") from None
    if crypto.is_current(text):
        crypto.decrypt_bytes(blob)  # a file tagged current must also open with it
        return False
    store.put(key, crypto.encrypt_bytes(crypto.decrypt_bytes(blob)))
    return True


def rotate_media(db: Session, crypto: Crypto, store: MediaStore, size: int = 100,
                 progress: Callable[[MediaTally], None] | None = None) -> MediaTally:
    """Rewrite every stored file not under the current key, committing after each batch."""
    tally = MediaTally()
    current = key_tag(crypto.current.id)
    last = ""
    while True:
        rows = db.execute(select(MediaObject.id, MediaObject.tenant_id, MediaObject.key_id)
                          .where(_pending(crypto), MediaObject.id > last)
                          .order_by(MediaObject.id).limit(size)).all()
        if not rows:
            return tally
        for media_id, tenant_id, key_id in rows:
            probe = MediaObject(id=media_id, tenant_id=tenant_id)
            try:
                rewritten = _rewrite(store, crypto, object_key(probe))
            except (ObjectMissing, DecryptionError):
                tally.failed += 1
                continue
            same = MediaObject.key_id.is_(None) if key_id is None else MediaObject.key_id == key_id
            db.execute(update(MediaObject).where(MediaObject.id == media_id, same)
                       .values(key_id=current))
            if rewritten:
                tally.rotated += 1
            else:
                tally.recorded += 1
        db.commit()
        last = rows[-1][0]
        if progress is not None:
            progress(tally)
