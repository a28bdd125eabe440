"""Delivering outbox rows: claim, send through the adapter, record, retry with backoff.

A row is claimed by a conditional UPDATE, so two workers never send it at once; a claim older
than the in-flight window is taken over (the only case where a message can go out twice).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from channels.contract import Ask, Choice, MessagePart, OutboundMessage
from channels.errors import SendError
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for, webhook_path
from services.contacts.models import Contact
from services.contacts.service import address_of
from services.db.base import aware, utcnow
from services.messaging.models import Message, OutboxItem
from services.security.crypto import Crypto
from services.templates.errors import TemplateError
from services.templates.service import apply_template

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What one delivery attempt came to."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class DeliveryConfig:
    """Retry and in-flight limits, and the public URL for status callbacks."""

    base_url: str
    max_attempts: int = 8
    inflight_seconds: int = 120


def backoff(attempts: int) -> float:
    """Seconds to wait before attempt `attempts + 1`: 2, 4, 8 … capped at 10 minutes."""
    return float(min(600, 2 ** attempts))


def _claim(db: Session, outbox_id: str, inflight_seconds: int) -> bool:
    """Atomically take a due row; False when another worker has it or it is done."""
    now = utcnow()
    stale = now - timedelta(seconds=inflight_seconds)
    result = db.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id, or_(
            and_(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now),
            and_(OutboxItem.status == "sending", OutboxItem.claimed_at < stale)))
        .values(status="sending", claimed_at=now, attempts=OutboxItem.attempts + 1)
        .execution_options(synchronize_session=False))
    db.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _parts(crypto: Crypto, message: Message) -> tuple[MessagePart, ...]:
    """The catalog messages the text was rendered from (kept encrypted in the log)."""
    token = message.extras.get("parts_enc")
    if not token:
        return ()
    return tuple(MessagePart(key, params) for key, params in crypto.decrypt_json(token)["parts"])


def window_open(db: Session, account: ChannelAccount, contact_id: str) -> bool:
    """Whether the citizen wrote to this account within its channel's session window."""
    hours = adapter_class(account.channel_type).capabilities.session_window_hours
    if hours is None:
        return True
    last = db.scalar(select(func.max(Message.created_at)).where(
        Message.account_id == account.id, Message.contact_id == contact_id,
        Message.direction == "in"))
    return last is not None and utcnow() - aware(last) < timedelta(hours=hours)


def deliver(sessions: sessionmaker[Session], crypto: Crypto, config: DeliveryConfig,
            outbox_id: str) -> Outcome:
    """Try to deliver one outbox row; safe to call any number of times."""
    with sessions() as db:
        if not _claim(db, outbox_id, config.inflight_seconds):
            return Outcome.SKIPPED
        item = db.get_one(OutboxItem, outbox_id)
        message = db.get_one(Message, item.message_id)
        account = db.get_one(ChannelAccount, message.account_id)
        contact = db.get_one(Contact, message.contact_id)
        outbound = OutboundMessage(
            to=address_of(crypto, contact), text=crypto.decrypt(message.body_enc),
            choices=tuple(Choice(c[0], c[1]) for c in message.extras.get("choices", [])),
            ask=Ask(message.extras.get("ask", "none")), language=message.language or "en",
            reference=message.id, parts=_parts(crypto, message),
            window_open=window_open(db, account, contact.id))
        try:  # on template channels: refused here, or it would be dropped by the operator
            outbound = apply_template(db, account, outbound)
        except TemplateError as exc:
            log.warning("message %s refused before sending: %s (%s)", message.id, exc.code,
                        exc.detail)
            return _failed(db, item, message, exc, config)
        callback = config.base_url + webhook_path(account, "status")
        try:
            result = adapter_for(crypto, account).send(outbound, callback)
        except SendError as exc:
            return _failed(db, item, message, exc, config)
        item.status = "sent"
        item.last_error = None
        message.external_id = result.external_id
        if message.status == "pending":
            message.status = result.status.value
        db.commit()
        return Outcome.SENT


def _failed(db: Session, item: OutboxItem, message: Message, exc: SendError | TemplateError,
            config: DeliveryConfig) -> Outcome:
    """Schedule a retry for retryable errors, else mark the message failed."""
    item.last_error = exc.code
    log.warning("delivery of %s failed: %s (attempt %d)", item.id, exc.code, item.attempts)
    if exc.retryable and item.attempts < config.max_attempts:
        delay = exc.retry_after if exc.retry_after is not None else backoff(item.attempts)
        item.status = "pending"
        item.next_attempt_at = utcnow() + timedelta(seconds=delay)
        db.commit()
        return Outcome.RETRY
    item.status = "failed"
    message.status = "failed"
    message.error_code = exc.code
    db.commit()
    return Outcome.FAILED


def due(sessions: sessionmaker[Session], inflight_seconds: int, limit: int = 500) -> Sequence[str]:
    """Outbox rows that should be attempted now (pending and due, or stuck in flight)."""
    now = utcnow()
    stale = now - timedelta(seconds=inflight_seconds)
    with sessions() as db:
        return db.scalars(select(OutboxItem.id).where(or_(
            and_(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now),
            and_(OutboxItem.status == "sending", OutboxItem.claimed_at < stale)))
            .order_by(OutboxItem.next_attempt_at).limit(limit)).all()
