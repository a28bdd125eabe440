"""`keys rotate` re-encrypts the stored media files under the new key, in the filesystem and
the S3 store; a run stopped midway resumes, and afterwards the new key alone opens them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from services.accounts.models import ChannelAccount
from services.cli import app
from services.contacts.service import get_or_create
from services.media.copier import object_key, register
from services.media.models import STORED, MediaObject
from services.media.rotate import MediaTally, pending_media, rotate_media
from services.media.store import FilesystemStore, MediaStore, S3Store
from services.messaging.models import Message
from services.security.crypto import Crypto, DecryptionError
from services.settings import get_settings
from tests.services.media.conversation import JPEG
from tests.services.media.test_s3_store import BUCKET, CREDENTIALS, s3_endpoint
from tests.support.gateway import LiveGateway

__all__ = ["s3_endpoint"]
NEW = ("k2", "the-new-secret-after-rotation-0123456789")


class Crash(Exception):
    """The process dies while rotating."""


class Dying:
    """A store that dies on its `after`-th write (what was written before stays)."""

    def __init__(self, store: MediaStore, after: int) -> None:
        self.store, self.after, self.writes = store, after, 0

    def put(self, key: str, data: bytes) -> None:
        """Write, unless this is the write the process dies on."""
        self.writes += 1
        if self.writes == self.after:
            raise Crash
        self.store.put(key, data)

    def get(self, key: str) -> bytes:
        """Read."""
        return self.store.get(key)


def _stored_photos(gateway: LiveGateway, store: MediaStore, count: int) -> list[MediaObject]:
    """`count` photos stored as the copier leaves them, under the gateway's (old) key; the
    first with no key recorded, as copies made before migration 0014 are."""
    crypto = gateway.ctx.crypto
    with gateway.ctx.sessions() as db:
        account = db.scalars(select(ChannelAccount)).first()
        assert account is not None
        contact = get_or_create(db, crypto, account.tenant_id, "tel:+919800000001")
        message = Message(tenant_id=account.tenant_id, account_id=account.id,
                          contact_id=contact.id, direction="in",
                          body_enc=crypto.encrypt("photo"))
        db.add(message)
        db.flush()
        ids = register(db, crypto, account, message, [f"ref-{i}" for i in range(count)])
        for n, media_id in enumerate(ids):
            row = db.get_one(MediaObject, media_id)
            store.put(object_key(row), crypto.encrypt_bytes(JPEG + bytes([n])))
            row.status, row.key_id = STORED, (None if n == 0 else "-")
        db.commit()
        rows = [db.get_one(MediaObject, i) for i in ids]
        db.expunge_all()
    return rows


def _rotate_in_two_runs(gateway: LiveGateway, store: MediaStore) -> Crypto:
    """Rotate with a crash after the first file, then again; the new ring."""
    rows = _stored_photos(gateway, store, 3)
    old = gateway.ctx.crypto
    ring = Crypto.from_keys([NEW, (None, gateway.settings.secret_key.get_secret_value())])
    with gateway.ctx.sessions() as db:
        assert pending_media(db, ring) == 3
        with pytest.raises(Crash):
            rotate_media(db, ring, Dying(store, after=2), size=10)
        db.rollback()
        assert pending_media(db, ring) == 3  # the batch was not committed…
        # …but the first file was rewritten: the next run only records it.
        tally = rotate_media(db, ring, store, size=2)
        assert tally == MediaTally(rotated=2, recorded=1, failed=0)
        assert pending_media(db, ring) == 0
        assert rotate_media(db, ring, store) == MediaTally()  # finished: a no-op
        keys = {r.key_id for r in db.scalars(select(MediaObject))}
        assert keys == {"k2"}
    alone = Crypto.from_keys([NEW])
    for n, row in enumerate(rows):
        assert alone.decrypt_bytes(store.get(object_key(row))) == JPEG + bytes([n])
        with pytest.raises(DecryptionError):
            old.decrypt_bytes(store.get(object_key(row)))
    return ring


def test_rotation_re_encrypts_files_in_the_filesystem_store(gateway: LiveGateway,
                                                           tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "rotating")
    ring = _rotate_in_two_runs(gateway, store)
    leftovers = [p for p in (tmp_path / "rotating").rglob("*") if p.name.startswith(".part-")]
    assert leftovers == []  # every write was whole
    lost = _stored_photos(gateway, store, 1)[0]
    (tmp_path / "rotating" / object_key(lost)).unlink()
    with gateway.ctx.sessions() as db:
        assert rotate_media(db, ring, store).failed == 1  # counted, left, never an error


def test_rotation_re_encrypts_files_in_the_s3_store(gateway: LiveGateway,
                                                   s3_endpoint: str) -> None:
    store = S3Store(BUCKET, "rotation", endpoint_url=s3_endpoint, **CREDENTIALS)
    _rotate_in_two_runs(gateway, store)


@pytest.fixture
def operator(gateway: LiveGateway) -> Iterator[dict[str, str | None]]:
    """An operator's environment: the gateway's database and media, the new key first."""
    get_settings.cache_clear()
    yield {"DATABASE_URL": gateway.settings.database_url, "NAGARSETU_ENV": "test",
           "REDIS_URL": None, "NAGARSETU_MEDIA_DIR": gateway.settings.media_dir,
           "NAGARSETU_SECRET_KEY": f"{NEW[0]}:{NEW[1]},"
                                   f"{gateway.settings.secret_key.get_secret_value()}"}
    get_settings.cache_clear()


def test_keys_rotate_includes_the_media_files(gateway: LiveGateway,
                                              operator: dict[str, str | None]) -> None:
    rows = _stored_photos(gateway, FilesystemStore(gateway.settings.media_dir), 2)
    runner = CliRunner(env=operator)
    status = runner.invoke(app, ["keys", "status"])
    assert "media files\t2 pending" in status.output, status.output
    skipped = runner.invoke(app, ["keys", "rotate", "--no-media"])
    assert skipped.exit_code == 0 and "media files" not in skipped.output
    get_settings.cache_clear()
    done = runner.invoke(app, ["keys", "rotate"])
    assert done.exit_code == 0, done.output
    assert "media files\trotated 2\tfailed 0" in done.output
    alone = Crypto.from_keys([NEW])
    store = FilesystemStore(gateway.settings.media_dir)
    assert alone.decrypt_bytes(store.get(object_key(rows[1]))) == JPEG + bytes([1])
    with gateway.ctx.sessions() as db:
        db.execute(update(MediaObject).values(key_id=None))  # as if unknown: read, not rewritten
        db.commit()
    get_settings.cache_clear()
    again = runner.invoke(app, ["keys", "rotate"])
    assert "media files\trotated 0\tfailed 0\talready current 2" in again.output
