"""Gateway webhooks: recorded once in the request, applied in a worker.

In the request (`record_webhook`): the account, the signature on the raw body, one INSERT of
the event unique on (account, the gateway's event id) — a replayed delivery is a no-op — and
commit; the caller enqueues the event id and answers 2xx. In the worker (`handle_event`): the
notice applied to the attempt and bill in one transaction, then the receipt in another.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from payments.gateway import WebhookRejected
from payments.gateways import UnknownGateway, webhook_parser, webhook_verifier
from payments.ledger import BillsFor, apply_notice, find_attempt
from payments.models import GatewayAccount, PaymentEvent
from payments.receipting import Queued, ReceiptNotifier, issue_for, no_notice
from payments.refund_ledger import find_refund
from payments.refunds import tell_citizen
from services.db.base import utcnow
from services.security.crypto import Crypto

log = logging.getLogger(__name__)
MAX_EVENT_TRIES = 5


class UnknownPaymentAccount(Exception):
    """No active account of that gateway with that id."""

    code = "unknown_account"


@dataclass(frozen=True)
class Recorded:
    """A webhook taken: the stored event's id, or None when it was a replay."""

    event_row_id: str | None


def record_webhook(sessions: sessionmaker[Session], crypto: Crypto, *, gateway: str,
                   account_id: str, body: bytes, headers: dict[str, str]) -> Recorded:
    """Verify and store one webhook (UnknownPaymentAccount, WebhookRejected otherwise)."""
    with sessions() as db:
        account = db.get(GatewayAccount, account_id)
        if account is None or account.gateway != gateway or not account.active:
            raise UnknownPaymentAccount(account_id)
        try:
            verify = webhook_verifier(gateway)
        except UnknownGateway:
            raise UnknownPaymentAccount(account_id) from None
        secret = str(crypto.decrypt_json(account.config_enc)["webhook_secret"])
        event_id, notice = verify(body, headers, secret)
        row = PaymentEvent(account_id=account.id, event_id=event_id, event=notice.event[:64],
                           body_enc=crypto.encrypt(body.decode("utf-8")), status="pending",
                           attempts=0)
        db.add(row)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            return Recorded(None)  # the same event again: it already had its one effect
        return Recorded(row.id)


def handle_event(sessions: sessionmaker[Session], crypto: Crypto, bills_for: BillsFor,
                 event_row_id: str, notify: ReceiptNotifier = no_notice,
                 ) -> tuple[str, Queued]:
    """Apply a stored event (once: a done row is skipped); (outcome, notices to dispatch)."""
    with sessions() as db:
        row = db.get(PaymentEvent, event_row_id, with_for_update=_lock(db))
        if row is None or row.status != "pending":
            return (row.outcome or "done") if row else "unknown_event", ()
        account = db.get(GatewayAccount, row.account_id)
        assert account is not None  # a foreign key
        try:
            notice = webhook_parser(account.gateway)(json.loads(crypto.decrypt(row.body_enc)))
            outcome = apply_notice(db, bills_for, account, notice)
            attempt = find_attempt(db, account, notice)
            refund = (find_refund(db, account.id, notice.refund.our_id, notice.refund.refund_id)
                      if outcome in ("refund_processed", "refund_stale") and notice.refund
                      else None)
            row.status, row.outcome, row.handled_at = "done", outcome, utcnow()
            db.commit()
        except Exception as exc:  # counted and left to the sweep, then re-raised
            db.rollback()
            _count_failure(db, event_row_id, type(exc).__name__)
            raise
        attempt_id = attempt.id if attempt is not None else None
        refund_id = refund.id if refund is not None else None
    queued: Queued = ()
    if refund_id is not None:  # the citizen is told their money went back, once
        queued = tell_citizen(sessions, crypto, refund_id)
    if attempt_id is not None and outcome == "captured":
        try:
            queued = finish_receipt(sessions, bills_for, attempt_id, notify)
        finally:  # even when the receipt failed (the safety net redoes it)
            close_the_other(sessions, crypto, attempt_id)
    return outcome, queued


def close_the_other(sessions: sessionmaker[Session], crypto: Crypto, attempt_id: str) -> None:
    """A paid attempt's link and QR are closed at the gateway, so the one not used cannot
    take a second payment (best effort: one that slips through is flagged as a duplicate)."""
    from payments.accounts import gateway_for
    from payments.gateway import GatewayError
    from payments.models import PaymentAttempt

    with sessions() as db:
        attempt = db.get(PaymentAttempt, attempt_id)
        account = db.get(GatewayAccount, attempt.account_id) if attempt else None
        if attempt is None or account is None:
            return
        gateway, link_id, qr_id = (gateway_for(crypto, account), attempt.external_link_id,
                                   attempt.external_qr_id)
    try:
        gateway.close(link_id, qr_id)
    except GatewayError as exc:
        log.warning("closing the paid attempt %s at the gateway failed: %s", attempt_id,
                    exc.code)


def finish_receipt(sessions: sessionmaker[Session], bills_for: BillsFor, attempt_id: str,
                   notify: ReceiptNotifier = no_notice) -> Queued:
    """The receipt of a captured attempt, in its own transaction (the safety net redoes it)."""
    from payments.models import PaymentAttempt

    with sessions() as db:
        attempt = db.get(PaymentAttempt, attempt_id)
        if attempt is None:
            return ()
        queued = issue_for(db, bills_for, attempt, notify)
        db.commit()
        return queued


def _lock(db: Session) -> bool:
    """Row locks where the database has them (PostgreSQL); SQLite serialises writers."""
    return db.get_bind().dialect.name == "postgresql"


def _count_failure(db: Session, event_row_id: str, reason: str) -> None:
    """One more failed try; after MAX_EVENT_TRIES the event is `failed` (logged by id)."""
    db.execute(update(PaymentEvent).where(PaymentEvent.id == event_row_id)
               .values(attempts=PaymentEvent.attempts + 1))
    db.execute(update(PaymentEvent).where(PaymentEvent.id == event_row_id,
                                          PaymentEvent.attempts >= MAX_EVENT_TRIES)
               .values(status="failed", outcome="internal_error"))
    db.commit()
    log.error("payment event %s failed: %s", event_row_id, reason)


__all__ = ["Recorded", "UnknownPaymentAccount", "WebhookRejected", "finish_receipt",
           "handle_event", "record_webhook"]
