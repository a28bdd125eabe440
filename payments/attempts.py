"""Starting a payment: one payable attempt per bill, its amount always the bill's.

The attempt row is committed before the gateway is called (its id is the gateway's
`reference_id`), and the partial unique index on `bill_id WHERE status = 'open'` makes a second,
racing start fail to insert: it returns the winner instead. An attempt past its expiry, or
cancelled, is replaced by a new one; so is one for an amount the bill no longer has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from payments.accounts import active_account, gateway_for
from payments.bills.registry import BillRegistry
from payments.gateway import CheckoutRequest, GatewayError
from payments.models import OPEN, GatewayAccount, PaymentAttempt
from payments.money import rupees_text
from services.db.base import aware, utcnow
from services.security.crypto import Crypto

BillsFor = Callable[[Session, str], BillRegistry]
MIN_LEFT = timedelta(minutes=2)
"""An open attempt with less time than this left is replaced rather than handed out."""


class AttemptError(Exception):
    """Payment could not start (`not_found`, `not_payable`, `payments_unavailable`,
    `gateway_unavailable`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AttemptView:
    """What the citizen is given to pay with."""

    id: str
    bill_id: str
    amount_paise: int
    status: str
    link_url: str | None
    qr_content: str | None
    upi_intent: str | None
    expire_at: datetime
    receipt_number: str | None = None
    captured_at: datetime | None = None


def view_of(attempt: PaymentAttempt) -> AttemptView:
    """The attempt as handed out."""
    return AttemptView(attempt.id, attempt.bill_id, attempt.amount_paise, attempt.status,
                       attempt.link_url, attempt.qr_content, attempt.upi_intent,
                       aware(attempt.expire_at), attempt.receipt_number,
                       aware(attempt.captured_at) if attempt.captured_at else None)


def payments_of(db: Session, tenant_id: str, contact_id: str, limit: int = 5,
                ) -> list[AttemptView]:
    """A citizen's recent payments ("my payments"): money taken, newest first, with the
    receipt number once issued; only the contact's own, only in this tenant."""
    rows = db.scalars(select(PaymentAttempt).where(
        PaymentAttempt.tenant_id == tenant_id, PaymentAttempt.contact_id == contact_id,
        PaymentAttempt.status.in_(("captured", "held", "refunded")))
        .order_by(PaymentAttempt.captured_at.desc(), PaymentAttempt.id).limit(limit))
    return [view_of(row) for row in rows]


def upi_intent(account: GatewayAccount, attempt_id: str, amount_paise: int, note: str) -> str:
    """`upi://pay` with the city's VPA, amount in rupees (two decimals), our attempt id."""
    params = {"pa": account.vpa, "pn": account.payee_name or account.name, "am":
              rupees_text(amount_paise), "tr": attempt_id, "tn": note, "cu": "INR"}
    return "upi://pay?" + "&".join(f"{k}={quote(v, safe='@.')}" for k, v in params.items())


def _open_attempt(db: Session, bill_id: str) -> PaymentAttempt | None:
    """The bill's payable attempt, if any."""
    return db.scalar(select(PaymentAttempt).where(PaymentAttempt.bill_id == bill_id,
                                                  PaymentAttempt.status == OPEN))


def _retire(db: Session, attempt_id: str, status: str, now: datetime) -> None:
    """An open attempt expired or cancelled (conditional: a capture that won stays)."""
    db.execute(update(PaymentAttempt).where(PaymentAttempt.id == attempt_id,
                                            PaymentAttempt.status == OPEN)
               .values(status=status, updated_at=now))


def start_attempt(sessions: sessionmaker[Session], crypto: Crypto, bills_for: BillsFor, *,
                  tenant_id: str, bill_id: str, contact_id: str | None = None,
                  ttl: timedelta = timedelta(minutes=30),
                  now: datetime | None = None) -> AttemptView:
    """The bill's payable attempt: the open one if it has time left, else a new one."""
    now = now or utcnow()
    with sessions() as db:
        bill = bills_for(db, tenant_id).get(bill_id)
        if bill is None:
            raise AttemptError("not_found")
        if not bill.payable:
            raise AttemptError("not_payable")
        account = active_account(db, tenant_id)
        if account is None:
            raise AttemptError("payments_unavailable")
        current = _open_attempt(db, bill_id)
        stale: tuple[str | None, str | None] | None = None
        if current is not None:
            if current.amount_paise != bill.amount_paise:  # the bill changed (a penalty)
                stale = (current.external_link_id, current.external_qr_id)
                _retire(db, current.id, "cancelled", now)
                db.commit()
            elif aware(current.expire_at) - now <= MIN_LEFT:
                _retire(db, current.id, "expired", now)
                db.commit()
            else:  # still good, or another request is creating its link right now
                return view_of(current)
        attempt = PaymentAttempt(tenant_id=tenant_id, bill_id=bill_id, account_id=account.id,
                                 amount_paise=bill.amount_paise, status=OPEN,
                                 contact_id=contact_id, expire_at=now + ttl, created_at=now,
                                 updated_at=now, refunded_paise=0)
        db.add(attempt)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()  # another start won the race: theirs is the bill's attempt
            winner = _open_attempt(db, bill_id)
            if winner is None:
                raise AttemptError("not_payable") from None
            return view_of(winner)
        request = CheckoutRequest(attempt.id, attempt.amount_paise,
                                  f"{bill.service.value} {bill.bill_no}",
                                  aware(attempt.expire_at), bill.bill_no)
        gateway = gateway_for(crypto, account)
        intent = upi_intent(account, attempt.id, attempt.amount_paise, bill.bill_no)
        attempt_id = attempt.id
    if stale is not None:
        try:  # the old amount must not be payable any more
            gateway.close(*stale)
        except GatewayError:
            pass  # a payment on it would be flagged (a short or excess amount)
    try:
        checkout = gateway.create_checkout(request)  # no transaction held during the call
    except GatewayError:
        with sessions() as db:
            _retire(db, attempt_id, "cancelled", utcnow())
            db.commit()
        raise AttemptError("gateway_unavailable") from None
    with sessions() as db:
        row = db.get(PaymentAttempt, attempt_id)
        assert row is not None  # committed above; attempts are never deleted
        row.external_link_id, row.link_url = checkout.link_id, checkout.link_url
        row.external_qr_id, row.qr_content = checkout.qr_id, checkout.qr_content
        row.upi_intent, row.updated_at = intent, utcnow()
        db.commit()
        return view_of(row)
