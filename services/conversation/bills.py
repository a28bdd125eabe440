"""The bills domain's service operations: look a bill up, show it, start its payment, list
the citizen's payments. They run in the turn (a worker), never in a webhook request.

Amounts stay integer paise in the data handed to the flows; the flows render them as money.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.event import listen as event_listen
from sqlalchemy.orm import object_session

from bots.engine import START
from bots.flows.bills import HEADS, MINE
from channels.contract import InboundEvent, Medium
from channels.registry import adapter_class
from payments.attempts import AttemptError, payments_of
from payments.bills.registry import BillError, BillRegistry, BillStatus, BillView
from services.accounts.service import messaging_account
from services.contacts.service import address_of
from services.conversation.operations import OpContext, OperationError
from services.db.base import IST, utcnow
from services.inbox.record import record_event

MAX_BILLS = 8
"""Bills offered at once (one page on every channel)."""


def _registry(op: OpContext) -> BillRegistry:
    """The tenant's bill registry, on the turn's session."""
    db = object_session(op.tenant)
    if op.app is None or db is None:
        raise OperationError("payments_unavailable")
    return op.app.bills(db, op.tenant.id)


def _standing(bill: BillView) -> str:
    """unpaid, overdue or paid."""
    if bill.status is BillStatus.PAID:
        return "paid"
    return "overdue" if bill.overdue(utcnow().astimezone(IST).date()) else "unpaid"


def _brief(bill: BillView) -> dict[str, Any]:
    """A bill in a pick list."""
    return {"id": bill.id, "service": bill.service.value, "amount_paise": bill.amount_paise,
            "due_date": bill.due_date.isoformat(), "status": _standing(bill)}


def mobile_of(op: OpContext) -> str | None:
    """The citizen's mobile number when they write from one (SMS, WhatsApp, a call)."""
    if op.app is None:
        return None
    urn = op.app.crypto.decrypt(op.contact.urn_enc)
    return address_of(op.app.crypto, op.contact) if urn.startswith("tel:") else None


def _lookup(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """Bills of a number for a service, or of the citizen's mobile ("mine"); unpaid first."""
    registry = _registry(op)
    try:
        if args.get("service") == MINE:
            mobile = mobile_of(op)
            if mobile is None:
                raise OperationError("no_mobile")
            bills = registry.for_mobile(mobile)
        else:
            bills = registry.lookup(str(args.get("service")), str(args.get("number") or ""))
    except BillError as exc:
        raise OperationError(exc.code) from exc
    shown = [b for b in bills if b.status is not BillStatus.CANCELLED]
    shown.sort(key=lambda b: b.status is not BillStatus.UNPAID)  # stable: newest first within
    if not shown:
        raise OperationError("not_found")
    items = [_brief(b) for b in shown[:MAX_BILLS]]
    return {"items": items, "only": items[0]["id"] if len(items) == 1 else ""}


def _show(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """One bill of this tenant in full: period, items (heads the flows can name), amount."""
    bill = _registry(op).get(str(args.get("bill") or args.get("only") or ""))
    if bill is None:
        raise OperationError("not_found")
    return {**_brief(bill), "consumer_no": bill.consumer_no, "bill_no": bill.bill_no,
            "period_start": bill.period_start.isoformat(),
            "period_end": bill.period_end.isoformat(),
            "items": [{"head": item.head if item.head in HEADS else "other",
                       "amount_paise": item.amount_paise} for item in bill.items],
            "payable": bill.payable}


def _by_sms(op: OpContext, bill_id: str) -> dict[str, Any]:
    """On a call (answered inside the provider's request): no gateway call here. The payment
    is handed to the caller's SMS conversation as a turn of its own (an inbox event that
    starts the `pay_bill` flow), run by a worker once this turn has committed."""
    db = object_session(op.tenant)
    bill = _registry(op).get(bill_id)
    if op.app is None or db is None or bill is None:
        raise OperationError("not_found")
    if not bill.payable:
        raise OperationError("not_payable")
    sms = messaging_account(db, op.tenant.id, Medium.SMS)
    caller = mobile_of(op)
    if sms is None or caller is None:
        raise OperationError("payments_unavailable")
    event = InboundEvent(external_id=f"pay:{uuid.uuid4().hex}", sender=caller,
                         recipient=sms.address or "", payload=f"{START}pay_bill:{bill.id}")
    conversation = record_event(db, op.app.crypto, sms, Medium.SMS.value, event)
    app = op.app
    if conversation is not None:
        event_listen(db, "after_commit",
                     lambda _: app.dispatcher.enqueue_turns([conversation]), once=True)
    return {"by_sms": True, "amount_paise": bill.amount_paise, "qr": ""}


def _start(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """The bill's payable attempt (the open one, or a new one; the amount is the bill's);
    on a call, handed to the caller's SMS conversation (`_by_sms`).

    The turn's transaction is committed first: the attempt is made in transactions of its
    own and the gateway is called with none open (on SQLite a second writer would wait on
    this one). Starting again is safe: the bill's open attempt is handed out again."""
    if adapter_class(op.account.channel_type).capabilities.synchronous:
        return _by_sms(op, str(args.get("bill") or ""))
    db = object_session(op.tenant)
    if op.app is None or db is None:
        raise OperationError("payments_unavailable")
    tenant_id, contact_id = op.tenant.id, op.contact.id  # read before: no new transaction
    db.commit()
    try:
        view = op.app.start_payment(tenant_id, str(args.get("bill") or ""), contact_id)
    except AttemptError as exc:
        raise OperationError(exc.code) from exc
    return {"id": view.id, "amount_paise": view.amount_paise, "link_url": view.link_url or "",
            "upi_intent": view.upi_intent or "", "qr": view.id if view.qr_content else "",
            "expire_at": view.expire_at.isoformat()}


def _mine(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """The citizen's recent payments in this city, with receipt numbers once issued."""
    db = object_session(op.tenant)
    if db is None:
        raise OperationError("payments_unavailable")
    registry = _registry(op)
    items = []
    for view in payments_of(db, op.tenant.id, op.contact.id):
        bill = registry.get(view.bill_id)
        items.append({"date": (view.captured_at.isoformat() if view.captured_at else ""),
                      "service": bill.service.value if bill else "",
                      "amount_paise": view.amount_paise,
                      "receipt": view.receipt_number or ""})
    return {"items": items}


OPERATIONS = {
    "bills.lookup": _lookup,
    "bills.show": _show,
    "payments.start": _start,
    "payments.mine": _mine,
}
