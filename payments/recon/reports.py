"""Finance reports as tables: the daily collection MIS, receipt registers, the settlement
summary with fees and GST, and the open exceptions. Each is one query; the MIS adds its rows
up per IST day as they stream (a city's day is thousands of payments, not millions).

Money columns are integer paise here (named in `Table.money`); `payments.recon.export` writes
them as rupees through `payments.money`. Days are Indian (IST) calendar days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from payments.models import Bill, PaymentAttempt
from payments.receipts.models import Receipt
from payments.recon.detect import MONEY_STATES
from payments.recon.models import BankLine, ReceiptCancellation, ReconException, SettlementLine
from services.db.base import IST, aware


@dataclass
class Table:
    """A report: its name, column names, rows, and which columns are paise."""

    name: str
    headers: list[str]
    rows: Iterable[tuple[Any, ...]]
    money: frozenset[str] = field(default_factory=frozenset)


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants from the start of `first` to the end of `last` in India."""
    start = datetime.combine(first, time(0), IST).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), IST).astimezone(UTC)
    return start, end


def _ist(moment: datetime | None) -> str:
    """A stored instant as IST text (`2026-11-20 15:30:00`)."""
    return aware(moment).astimezone(IST).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def collections(db: Session, tenant_id: str, first: date, last: date) -> Table:
    """Money collected per day by service, channel, payment mode and ward."""
    a, b = PaymentAttempt, Bill
    start, end = bounds(first, last)
    channel = case((a.contact_id.is_not(None), literal("chat")), else_=literal("staff"))
    ward = func.coalesce(b.ward, "")
    query = (select(a.captured_at, b.service, channel.label("channel"),
                    func.coalesce(a.method, "").label("mode"), ward.label("ward"), a.paid_paise)
             .join(b, b.id == a.bill_id)
             .where(a.tenant_id == tenant_id, a.status.in_(MONEY_STATES),
                    a.captured_at >= start, a.captured_at < end))
    grouped: dict[tuple[str, ...], list[int]] = {}
    for row in db.execute(query.execution_options(yield_per=2000)):
        day = aware(row.captured_at).astimezone(IST).date().isoformat()
        totals = grouped.setdefault((day, row.service, row.channel, row.mode, row.ward), [0, 0])
        totals[0] += 1
        totals[1] += int(row.paid_paise or 0)
    rows = [(*key, count, amount) for key, (count, amount) in sorted(grouped.items())]
    return Table("collections", ["date", "service", "channel", "mode", "ward", "payments",
                                 "amount"], rows, frozenset({"amount"}))


def receipts(db: Session, tenant_id: str, first: date, last: date) -> Table:
    """Every receipt issued in the days, by number, with whether it was cancelled."""
    r, c = Receipt, ReceiptCancellation
    start, end = bounds(first, last)
    query = (select(r.number, r.issued_at, r.service, r.bill_ref, r.consumer_no, r.amount_paise,
                    r.method, r.gateway_payment_id, c.cancelled_at)
             .outerjoin(c, c.receipt_id == r.id)
             .where(r.tenant_id == tenant_id, r.issued_at >= start, r.issued_at < end)
             .order_by(r.number).execution_options(yield_per=2000))

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in db.execute(query):
            yield (row.number, _ist(row.issued_at), row.service, row.bill_ref, row.consumer_no,
                   row.amount_paise, row.method, row.gateway_payment_id,
                   "cancelled" if row.cancelled_at else "valid")

    return Table("receipts", ["number", "issued_at", "service", "bill", "consumer",
                              "amount", "mode", "payment", "status"], rows(),
                 frozenset({"amount"}))


def cancelled_receipts(db: Session, tenant_id: str, first: date, last: date) -> Table:
    """Receipts cancelled in the days: when, why, by whom."""
    r, c = Receipt, ReceiptCancellation
    start, end = bounds(first, last)
    query = (select(r.number, r.issued_at, c.cancelled_at, r.amount_paise, c.reason, c.note,
                    c.actor).join(r, r.id == c.receipt_id)
             .where(c.tenant_id == tenant_id, c.cancelled_at >= start, c.cancelled_at < end)
             .order_by(c.cancelled_at, r.number))
    rows = [(n, _ist(i), _ist(at), amount, reason, note, actor)
            for n, i, at, amount, reason, note, actor in db.execute(query)]
    return Table("cancelled_receipts", ["number", "issued_at", "cancelled_at", "amount",
                                        "reason", "note", "by"], rows, frozenset({"amount"}))


def settlements(db: Session, tenant_id: str, first: date, last: date) -> Table:
    """Settlements of the days: gross, refunds, adjustments, fee, GST, net, the bank credit."""
    sl, bl = SettlementLine, BankLine
    is_payment, is_refund = sl.kind == "payment", sl.kind == "refund"
    credits = (select(bl.utr, func.sum(bl.credit_paise).label("credit"),
                      func.min(bl.value_date).label("day"))
               .where(bl.tenant_id == tenant_id, bl.credit_paise > 0, bl.utr.is_not(None))
               .group_by(bl.utr).subquery("c"))
    lines = (select(sl.settlement_id, func.max(sl.settlement_utr).label("utr"),
                    func.max(sl.settled_on).label("day"),
                    func.sum(case((is_payment, 1), else_=0)).label("payments"),
                    func.sum(case((is_payment, sl.amount_paise), else_=0)).label("gross"),
                    func.sum(case((is_refund, sl.debit_paise), else_=0)).label("refunds"),
                    func.sum(case((and_(~is_payment, ~is_refund),
                                   sl.credit_paise - sl.debit_paise), else_=0)).label("other"),
                    func.sum(sl.fee_paise).label("fee"), func.sum(sl.tax_paise).label("tax"),
                    (func.sum(sl.credit_paise) - func.sum(sl.debit_paise)).label("net"))
             .where(sl.tenant_id == tenant_id, sl.settled.is_(True),
                    sl.settled_on >= first, sl.settled_on <= last)
             .group_by(sl.settlement_id).subquery("s"))
    query = (select(lines, credits.c.credit, credits.c.day.label("credited_on"))
             .outerjoin(credits, credits.c.utr == lines.c.utr)
             .order_by(lines.c.day, lines.c.settlement_id))
    rows = [(r.settlement_id, r.utr or "", r.day.isoformat() if r.day else "", r.payments,
             r.gross, r.refunds, r.other, r.fee, r.tax, r.net, r.credit,
             r.credited_on.isoformat() if r.credited_on else "") for r in db.execute(query)]
    return Table("settlements", ["settlement", "utr", "settled_on", "payments", "gross",
                                 "refunds", "adjustments", "fee", "gst", "net", "bank_credit",
                                 "credited_on"], rows,
                 frozenset({"gross", "refunds", "adjustments", "fee", "gst", "net",
                            "bank_credit"}))


def open_exceptions(db: Session, tenant_id: str, first: date | None = None,
                    last: date | None = None) -> Table:
    """Exceptions still open, oldest first (the days are not used: open is open)."""
    e = ReconException
    query = (select(e.id, e.kind, e.ref_key, e.detected_at, e.bill_id, e.payment_ref,
                    e.settlement_id, e.expected_paise, e.actual_paise)
             .where(e.tenant_id == tenant_id, e.status == "open")
             .order_by(e.detected_at, e.kind, e.ref_key))
    rows = [(i, k, ref, _ist(at), bill or "", pay or "", setl or "", exp, act)
            for i, k, ref, at, bill, pay, setl, exp, act in db.execute(query)]
    return Table("exceptions", ["id", "kind", "ref", "detected_at", "bill", "payment",
                                "settlement", "expected", "actual"], rows,
                 frozenset({"expected", "actual"}))


REPORTS: dict[str, Callable[[Session, str, date, date], Table]] = {
    "collections": collections, "receipts": receipts, "cancelled-receipts": cancelled_receipts,
    "settlements": settlements, "exceptions": open_exceptions,
}
"""Report name → builder (tenant, first day, last day)."""
