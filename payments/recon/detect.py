"""Reconciling a city: every exception found by SQL set operations, never a loop over rows.

One run joins what finance must prove (bill → payment → settlement line → bank credit) in
four statements — payment lines, attempts and paid bills in one pass (`core_side`), the
other lines, the ledger's flags, settlements against bank credits — and writes only what
does not hold, each `INSERT … SELECT … ON CONFLICT` unique on (tenant, kind, evidence key):
found again, an open exception is marked seen by this run; found no more, it is `cleared`
(kept, with the time); a resolved one stays resolved. Memory does not grow with the number
of rows: the database does the matching.

| kind | evidence key | found by |
|---|---|---|
| `payment_without_bill` | payment id | a payment line or unmatched-payment flag, no attempt |
| `paid_without_payment` | bill id | a paid bill whose `payment_ref` names no captured attempt |
| `duplicate_payment` | payment id | the ledger's flag (a second payment, at capture time) |
| `short_payment` / `excess_payment` | payment id | an attempt paid less / more than its amount |
| `not_settled` | payment id | captured on or before the T+2 cut-off, no settled line |
| `settlement_without_credit` | settlement id | settled on a day statements cover, no credit |
| `credit_mismatch` | settlement id | a credit with its UTR for another amount than the lines' net |
| `refund_line` / `adjustment_line` | source:line key | a refund; adjustment/transfer/dispute |
| `on_hold` | source:line key | a line the gateway holds |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from payments.models import Bill, PaymentAttempt, PaymentFlag
from payments.recon.models import BankLine, ReconException, SettlementLine
from payments.recon.workdays import holidays_for, overdue_before
from services.db.base import IST, new_id, utcnow

KINDS = ("payment_without_bill", "paid_without_payment", "duplicate_payment", "short_payment",
         "excess_payment", "not_settled", "settlement_without_credit", "credit_mismatch",
         "refund_line", "adjustment_line", "on_hold")
MONEY_STATES = ("captured", "held", "refunded")
"""Attempts that took money."""
WORK_MEM = "64MB"
"""Per hash table of a run on PostgreSQL (its default 4 MB spills a city's joins to disk); the
same however many rows: past it a join works in batches."""
COLUMNS = ("kind", "ref_key", "bill_id", "attempt_id", "payment_ref", "settlement_id",
           "line_id", "expected_paise", "actual_paise")


@dataclass
class RunReport:
    """What one run found: open exceptions by kind, and how many went away."""

    run_id: str
    as_of: date
    overdue_before: date
    open_by_kind: dict[str, int] = field(default_factory=dict)
    cleared: int = 0


def _row(kind: Any, ref_key: Any, **values: Any) -> list[Any]:
    """The select list of one detection in COLUMNS order (missing ones NULL)."""
    named = {"kind": kind, "ref_key": ref_key, **values}
    table = ReconException.__table__
    return [(named[c] if c in named else cast(null(), table.c[c].type)).label(c)
            for c in COLUMNS]


def core_side(tenant_id: str, cutoff: datetime) -> Select[Any]:
    """Every payment line, every attempt that took money and every paid bill, matched in
    ONE pass: payment lines full-joined to attempts by payment id, that to bills by the
    attempt each bill names as its payment. A row may show up to three things wrong:

    - the payment: a payment line with no attempt, or an attempt captured before the cut-off
      with no settled line (a line on hold is its own exception, `line_side`);
    - the amount: an attempt paid less or more than its amount;
    - the bill: paid, naming no captured (or refunded) attempt.

    Only the columns the verdicts need are carried through the joins (narrow hash tables)."""
    pa, sl, b = PaymentAttempt, SettlementLine, Bill
    a = select(pa.id, pa.bill_id, pa.external_payment_id, pa.amount_paise, pa.paid_paise,
               pa.captured_at, pa.status).where(
        pa.tenant_id == tenant_id, pa.status.in_(MONEY_STATES),
        pa.external_payment_id.is_not(None)).subquery("a")
    lines = select(sl.id, sl.payment_ref.label("join_ref"), sl.amount_paise, sl.settled,
                   sl.on_hold).where(sl.tenant_id == tenant_id, sl.kind == "payment"
                                     ).subquery("l")
    bills = select(b.id, b.payment_ref, b.amount_paise).where(
        b.tenant_id == tenant_id, b.status == "paid").subquery("b")
    joined = (lines.join(a, a.c.external_payment_id == lines.c.join_ref, full=True)
              .join(bills, bills.c.payment_ref == a.c.id, full=True))
    payment = case(
        (and_(a.c.id.is_(None), lines.c.join_ref.is_not(None)), literal("payment_without_bill")),
        (and_(a.c.captured_at < cutoff,
              or_(lines.c.id.is_(None),
                  and_(lines.c.settled.is_(False), lines.c.on_hold.is_(False)))),
         literal("not_settled")), else_=null())
    amount = case((a.c.paid_paise < a.c.amount_paise, literal("short_payment")),
                  (a.c.paid_paise > a.c.amount_paise, literal("excess_payment")), else_=null())
    bill = case((and_(bills.c.id.is_not(None),
                      or_(a.c.id.is_(None), a.c.status == "held")),
                 literal("paid_without_payment")), else_=null())
    found = select(payment.label("k_payment"), amount.label("k_amount"), bill.label("k_bill"),
                   func.coalesce(a.c.external_payment_id, lines.c.join_ref).label("pay"),
                   a.c.id.label("attempt_id"), a.c.bill_id, a.c.amount_paise.label("expected"),
                   a.c.paid_paise.label("paid"), lines.c.id.label("line_id"),
                   lines.c.amount_paise.label("line_amount"), bills.c.id.label("paid_bill"),
                   bills.c.payment_ref.label("bill_ref"), bills.c.amount_paise.label("due"),
                   ).select_from(joined).where(or_(payment.is_not(None), amount.is_not(None),
                                                   bill.is_not(None))).cte("found")
    f = found.c
    by_payment = select(*_row(f.k_payment, f.pay, bill_id=func.max(f.bill_id),
                              attempt_id=func.max(f.attempt_id), payment_ref=f.pay,
                              line_id=func.max(f.line_id), expected_paise=func.max(f.expected),
                              actual_paise=func.max(func.coalesce(f.line_amount, f.paid)))
                         ).where(f.k_payment.is_not(None)).group_by(f.k_payment, f.pay)
    by_amount = select(*_row(f.k_amount, f.pay, bill_id=func.max(f.bill_id),
                             attempt_id=func.max(f.attempt_id), payment_ref=f.pay,
                             expected_paise=func.max(f.expected),
                             actual_paise=func.max(f.paid))
                        ).where(f.k_amount.is_not(None)).group_by(f.k_amount, f.pay)
    by_bill = select(*_row(f.k_bill, f.paid_bill, bill_id=f.paid_bill, payment_ref=f.bill_ref,
                           expected_paise=f.due)).where(f.k_bill.is_not(None))
    union = by_payment.union_all(by_amount, by_bill).subquery("u")
    return select(*[union.c[c] for c in COLUMNS])


def line_side(tenant_id: str) -> Select[Any]:
    """Refund, adjustment (transfer, dispute, other) and on-hold lines, for finance to see."""
    sl = SettlementLine
    kind = case((sl.on_hold.is_(True), literal("on_hold")),
                (sl.kind == "refund", literal("refund_line")), else_=literal("adjustment_line"))
    return select(*_row(kind, sl.source + literal(":") + sl.line_key, payment_ref=sl.payment_ref,
                        settlement_id=sl.settlement_id, line_id=sl.id,
                        actual_paise=sl.amount_paise)
                  ).where(sl.tenant_id == tenant_id,
                          or_(sl.kind != "payment", sl.on_hold.is_(True)))


def flag_side(tenant_id: str) -> Select[Any]:
    """The ledger's open flags of money with no attempt, or a second payment on one."""
    f = PaymentFlag
    kind = case((f.kind == "unmatched_payment", literal("payment_without_bill")),
                else_=literal("duplicate_payment"))
    return select(*_row(kind, f.external_payment_id, bill_id=f.bill_id, attempt_id=f.attempt_id,
                        payment_ref=f.external_payment_id, expected_paise=f.expected_paise,
                        actual_paise=f.paid_paise)
                  ).where(f.tenant_id == tenant_id, f.resolved_at.is_(None),
                          f.kind.in_(("unmatched_payment", "duplicate_payment")))


def bank_side(tenant_id: str) -> Select[Any]:
    """Settlements (settled lines by settlement id: UTR, day, net) against bank credits by
    UTR, for the days the imported statements cover."""
    sl, bl = SettlementLine, BankLine
    settlements = select(sl.settlement_id, func.max(sl.settlement_utr).label("utr"),
                         func.max(sl.settled_on).label("day"),
                         (func.sum(sl.credit_paise) - func.sum(sl.debit_paise)).label("net"),
                         ).where(sl.tenant_id == tenant_id, sl.settled.is_(True),
                                 sl.settlement_id.is_not(None)
                                 ).group_by(sl.settlement_id).subquery("s")
    credits = select(bl.utr, func.sum(bl.credit_paise).label("credit")).where(
        bl.tenant_id == tenant_id, bl.credit_paise > 0, bl.utr.is_not(None)
    ).group_by(bl.utr).subquery("c")
    covered = select(func.max(bl.value_date)).where(bl.tenant_id == tenant_id).scalar_subquery()
    kind = case((credits.c.utr.is_(None), literal("settlement_without_credit")),
                (credits.c.credit != settlements.c.net, literal("credit_mismatch")),
                else_=null())
    joined = settlements.outerjoin(credits, credits.c.utr == settlements.c.utr)
    found = select(kind.label("kind"), settlements.c.settlement_id, settlements.c.net,
                   credits.c.credit).select_from(joined).where(
        settlements.c.day <= covered).subquery("found")
    return select(*_row(found.c.kind, found.c.settlement_id,
                        settlement_id=found.c.settlement_id, expected_paise=found.c.net,
                        actual_paise=found.c.credit)).where(found.c.kind.is_not(None))


def _new_id_sql(dialect: str) -> ColumnElement[Any]:
    """A random 32-hex id computed by the database."""
    if dialect == "postgresql":
        return func.replace(func.cast(func.gen_random_uuid(), postgresql.TEXT), "-", "")
    return func.lower(func.hex(func.randomblob(16)))


def _write(db: Session, tenant_id: str, run_id: str, found: Select[Any]) -> None:
    """Insert what a detection found; an open (or cleared) one found again is marked seen."""
    dialect = db.get_bind().dialect.name
    now = utcnow()
    inner = found.subquery("d")
    rows = select(_new_id_sql(dialect), literal(tenant_id), literal("open"), literal(run_id),
                  literal(now, ReconException.detected_at.type),
                  *[inner.c[c] for c in COLUMNS]).where(literal_column("1") == 1)
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make(ReconException).from_select(
        ["id", "tenant_id", "status", "run_id", "detected_at", *COLUMNS], rows)
    table = ReconException.__table__
    statement = statement.on_conflict_do_update(
        index_elements=["tenant_id", "kind", "ref_key"],
        set_={"run_id": statement.excluded.run_id, "status": "open", "cleared_at": None,
              "actual_paise": statement.excluded.actual_paise,
              "line_id": func.coalesce(table.c.line_id, statement.excluded.line_id)},
        where=table.c.status.in_(("open", "cleared")))
    db.execute(statement)


def reconcile(db: Session, tenant_id: str, as_of: date | None = None) -> RunReport:
    """Run every detection for a tenant as of a day (IST today by default), in the caller's
    transaction; the open exceptions by kind."""
    as_of = as_of or utcnow().astimezone(IST).date()
    last_overdue = overdue_before(as_of, holidays_for(db, tenant_id))
    cutoff = datetime.combine(last_overdue + timedelta(days=1), time(0), IST).astimezone(UTC)
    run = RunReport(new_id(), as_of, last_overdue)
    if db.get_bind().dialect.name == "postgresql":  # the joins' hash tables in memory, bounded
        db.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    for found in (core_side(tenant_id, cutoff), line_side(tenant_id), flag_side(tenant_id),
                  bank_side(tenant_id)):
        _write(db, tenant_id, run.run_id, found)
    e = ReconException
    cleared = db.execute(update(e).where(e.tenant_id == tenant_id, e.status == "open",
                                         e.run_id != run.run_id)
                         .values(status="cleared", cleared_at=utcnow())
                         .execution_options(synchronize_session=False))
    run.cleared = int(getattr(cleared, "rowcount", 0) or 0)
    db.expire_all()  # exceptions loaded before the run are read again
    run.open_by_kind = {k: n for k, n in db.execute(
        select(e.kind, func.count()).where(e.tenant_id == tenant_id, e.status == "open")
        .group_by(e.kind))}
    return run
