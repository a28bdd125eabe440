"""Copying inbound attachments into the gateway's own store, in workers, never in a webhook.

The turn that logs a message records each of its media references as a `pending` row, in the
turn's transaction (so a reference is never lost, whatever happens to the download). After
the turn commits the worker copies them: a claim (a conditional update, so the sweeper and
the worker never fetch the same file together), the provider download through the adapter's
`fetch_media` with no database session open, a check of size and type, encryption with the
key ring, the store's `put`, then the row marked `stored`. A provider that is down or
throttling leaves the row pending for a later sweep, with backoff; after
`media_max_attempts`, or an answer that cannot change (`media_unsupported`, a bad
reference), it is `missing`; a file too large or of a type we do not keep is `refused`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channels.errors import ChannelError, SendError
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for
from services.db.base import utcnow
from services.media import held
from services.media.kinds import refusal, sniff
from services.media.models import MISSING, PENDING, REFUSED, STORED, MediaObject
from services.media.store import StoreError
from services.messaging.backoff import retry_delay
from services.messaging.models import Message
from services.security.crypto import Crypto

if TYPE_CHECKING:
    from services.context import AppContext

log = logging.getLogger(__name__)
CLAIM_SECONDS = 120.0
"""A claimed row is not fetched again for this long (a worker that died mid-download)."""
MAX_REFS = 10


def object_key(row: MediaObject) -> str:
    """Where a row's copy lives in the store."""
    return f"{row.tenant_id}/{row.id}"


def register(db: Session, crypto: Crypto, account: ChannelAccount, message: Message,
             refs: Iterable[str]) -> list[str]:
    """Record an inbound message's media references, to be copied after the turn commits."""
    rows = [MediaObject(tenant_id=account.tenant_id, account_id=account.id,
                        message_id=message.id, ref_enc=crypto.encrypt(ref))
            for ref in list(refs)[:MAX_REFS]]
    db.add_all(rows)
    db.flush()
    ids = [row.id for row in rows]
    if ids:
        message.extras = {**message.extras, "media": ids}
    return ids


def _claim(ctx: AppContext, media_id: str) -> tuple[MediaObject, ChannelAccount] | None:
    """Take a due pending row (counting an attempt); None when it is not ours to fetch."""
    now = utcnow()
    with ctx.sessions() as db:
        taken = db.execute(update(MediaObject).where(
            MediaObject.id == media_id, MediaObject.status == PENDING,
            MediaObject.next_attempt_at <= now).values(
            attempts=MediaObject.attempts + 1,
            next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS)))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            db.rollback()
            return None
        db.commit()
        row = db.get_one(MediaObject, media_id)
        account = db.get_one(ChannelAccount, row.account_id)
        db.expunge_all()
        return row, account


def _finish(ctx: AppContext, media_id: str, **values: object) -> None:
    """Write the outcome of one attempt."""
    with ctx.sessions() as db:
        db.execute(update(MediaObject).where(MediaObject.id == media_id).values(**values))
        db.commit()


def _retry_or_give_up(ctx: AppContext, row: MediaObject, code: str,
                      retry_after: float | None = None) -> str:
    """Pending again after a backoff, or missing once the attempts are used."""
    if row.attempts >= ctx.settings.media_max_attempts:
        _finish(ctx, row.id, status=MISSING, error_code=code)
        return MISSING
    wait = retry_delay(retry_after, row.attempts)
    _finish(ctx, row.id, status=PENDING, error_code=code,
            next_attempt_at=utcnow() + timedelta(seconds=wait))
    return PENDING


def copy(ctx: AppContext, media_id: str) -> str | None:
    """Copy one attachment if it is due; the row's status afterwards (None: not claimed)."""
    claimed = _claim(ctx, media_id)
    if claimed is None:
        return None
    row, account = claimed
    try:
        ref = ctx.crypto.decrypt(row.ref_enc)
        fetched = (held.take(ctx.media, ctx.crypto, row.tenant_id, ref) if held.is_held(ref)
                   else adapter_for(ctx.crypto, account).fetch_media(ref))
    except SendError as exc:
        if exc.retryable:
            return _retry_or_give_up(ctx, row, exc.code, exc.retry_after)
        _finish(ctx, row.id, status=MISSING, error_code=exc.code)
        return MISSING
    except ChannelError as exc:  # a reference the adapter does not recognise
        _finish(ctx, row.id, status=MISSING, error_code=exc.code)
        return MISSING
    except Exception as exc:  # noqa: BLE001  a bug or an SDK surprise: retried, then missing
        log.error("media %s fetch failed: %s", row.id, type(exc).__name__)
        return _retry_or_give_up(ctx, row, "internal_error")
    data = fetched.content
    why = refusal(data, ctx.settings.media_max_bytes)
    if why is not None:
        _finish(ctx, row.id, status=REFUSED, error_code=why, size=len(data))
        return REFUSED
    try:
        ctx.media.put(object_key(row), ctx.crypto.encrypt_bytes(data))
    except StoreError as exc:
        log.error("media %s not stored: %s", row.id, exc)
        return _retry_or_give_up(ctx, row, exc.code)
    _finish(ctx, row.id, status=STORED, error_code=None, content_type=sniff(data),
            size=len(data), stored_at=utcnow())
    return STORED


def copy_all(ctx: AppContext, media_ids: Iterable[str]) -> None:
    """Copy several (a turn's); each failure is recorded on its own row."""
    for media_id in media_ids:
        copy(ctx, media_id)


def due(ctx: AppContext, limit: int = 100) -> Sequence[str]:
    """Pending rows whose next attempt is due (lost after a crash, or waiting to retry)."""
    with ctx.sessions() as db:
        return db.scalars(select(MediaObject.id).where(
            MediaObject.status == PENDING, MediaObject.next_attempt_at <= utcnow())
            .order_by(MediaObject.next_attempt_at).limit(limit)).all()


def sweep(ctx: AppContext) -> int:
    """Copy whatever is due; how many were tried."""
    ids = due(ctx)
    copy_all(ctx, ids)
    return len(ids)


def read(ctx: AppContext, row: MediaObject) -> bytes:
    """A stored copy's bytes in clear."""
    return ctx.crypto.decrypt_bytes(ctx.media.get(object_key(row)))
