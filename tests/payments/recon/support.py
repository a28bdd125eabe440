"""A migrated database with Punjab's cities, and a seeded reconciliation data set in which
every exception kind occurs once or twice beside rows that reconcile."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from payments.models import Bill, GatewayAccount, PaymentAttempt, PaymentFlag
from payments.recon.bank import import_statement, set_mapping
from payments.recon.settlements import SettlementRow, import_settlement_rows
from payments.recon.workdays import set_holiday
from services.db.base import IST
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.tenancy.models import Tenant

TENANT = "pb.amritsar"
AS_OF = date(2026, 11, 27)
OLD = datetime(2026, 11, 20, 10, 0, tzinfo=IST).astimezone(UTC)
"""Captured a week before AS_OF: overdue by T+2 unless settled."""
FRESH = datetime(2026, 11, 26, 10, 0, tzinfo=IST).astimezone(UTC)
"""Captured the day before AS_OF: not due yet."""


@contextmanager
def recon_db(url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database holding pb, pb.amritsar and pb.ludhiana."""
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as db:
        db.add(Tenant(id="pb", code="PB", names={"en": "Punjab"}, languages=[]))
        db.flush()
        db.add_all([Tenant(id=TENANT, parent_id="pb", code="PB-AMR", names={"en": "Amritsar"},
                           languages=[]),
                    Tenant(id="pb.ludhiana", parent_id="pb", code="PB-LDH",
                           names={"en": "Ludhiana"}, languages=[])])
        db.commit()
    try:
        yield sessions
    finally:
        engine.dispose()


@dataclass
class Seeded:
    """The data set and the exceptions it must produce, as (kind, evidence key)."""

    expected: set[tuple[str, str]] = field(default_factory=set)
    bills: dict[str, str] = field(default_factory=dict)
    payments: dict[str, str] = field(default_factory=dict)


def _account(db: Session, tenant_id: str = TENANT) -> str:
    """A gateway account for the tenant."""
    account = GatewayAccount(tenant_id=tenant_id, gateway="razorpay", name="test",
                             config_enc="-", vpa="city@upi", payee_name="City")
    db.add(account)
    db.flush()
    return account.id


def bill(db: Session, name: str, *, amount: int = 100000, status: str = "unpaid",
         ward: str | None = "W01", tenant_id: str = TENANT) -> Bill:
    """A property-tax bill."""
    row = Bill(tenant_id=tenant_id, service="property_tax", consumer_no=name.upper(),
               bill_no=f"PT-{name}", period_start=date(2026, 4, 1), period_end=date(2027, 3, 31),
               items=[], amount_paise=amount, due_date=date(2026, 12, 31), status=status,
               ward=ward)
    db.add(row)
    db.flush()
    return row


def attempt(db: Session, account_id: str, target: Bill, payment_id: str, *,
            paid: int | None = None, status: str = "captured",
            captured_at: datetime = OLD, settle_bill: bool = True) -> PaymentAttempt:
    """An attempt that took money (and, when captured in full, paid the bill)."""
    row = PaymentAttempt(tenant_id=target.tenant_id, bill_id=target.id, account_id=account_id,
                         amount_paise=target.amount_paise, status=status,
                         expire_at=captured_at + timedelta(minutes=30),
                         external_payment_id=payment_id,
                         paid_paise=target.amount_paise if paid is None else paid,
                         method="upi", captured_at=captured_at, refunded_paise=0,
                         created_at=captured_at, updated_at=captured_at)
    db.add(row)
    db.flush()
    if settle_bill and status == "captured":
        target.status, target.payment_ref, target.paid_at = "paid", row.id, captured_at
    db.flush()
    return row


def line(payment_id: str, amount: int, *, settlement: str | None, utr: str | None,
         day: date | None = date(2026, 11, 23), kind: str = "payment", key: str | None = None,
         on_hold: bool = False) -> SettlementRow:
    """A settlement line with a 2% fee and 18% GST on it."""
    fee = amount * 2 // 100
    tax = fee * 18 // 100
    debit = amount if kind == "refund" else 0
    credit = 0 if kind == "refund" else amount - fee - tax
    if kind != "payment":
        fee = tax = 0
        credit = 0 if kind == "refund" else amount
    return SettlementRow(line_key=key or payment_id, kind=kind, payment_ref=payment_id,
                         amount_paise=amount, credit_paise=credit, debit_paise=debit,
                         fee_paise=fee, tax_paise=tax, on_hold=on_hold,
                         settled=settlement is not None, settlement_id=settlement,
                         settlement_utr=utr, settled_on=day if settlement else None,
                         method="upi")


def net(rows: list[SettlementRow], settlement: str) -> int:
    """A settlement's net credit."""
    return sum(r.credit_paise - r.debit_paise for r in rows if r.settlement_id == settlement)


BANK_MAPPING = {"date": "Txn Date", "narration": "Description",
                "reference": "Ref No./Cheque No.", "credit": "Credit", "debit": "Debit",
                "balance": "Balance", "date_formats": ["%d %b %Y"], "skip_lines": 2}


def bank_csv(rows: list[tuple[str, str, str, str, str, str]]) -> bytes:
    """A statement in the mapping's layout: two preamble lines, a header, the rows."""
    lines = ["Account Name : MC AMRITSAR COLLECTION A/C", "Statement from 01-11-2026",
             "Txn Date,Description,Ref No./Cheque No.,Debit,Credit,Balance"]
    lines += [",".join(f'"{cell}"' for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def rupees(paise: int) -> str:
    """Paise written as a statement writes rupees (grouped, two decimals)."""
    return f"{paise // 100:,}.{paise % 100:02d}"


def seed(db: Session) -> Seeded:
    """Every exception kind beside rows that reconcile, imported as finance would."""
    out = Seeded()
    account = _account(db)
    set_holiday(db, scope="pb", day=date(2026, 11, 24), name="Martyrdom day", actor="test")

    def paid(name: str, payment_id: str, **kw: object) -> PaymentAttempt:
        target = bill(db, name, amount=int(kw.pop("amount", 100000)))  # type: ignore[call-overload]
        out.bills[name] = target.id
        made = attempt(db, account, target, payment_id, **kw)  # type: ignore[arg-type]
        out.payments[name] = made.id
        return made

    paid("clean1", "pay_clean1")
    paid("clean2", "pay_clean2", amount=250050)
    paid("recent", "pay_recent", captured_at=FRESH)                   # not due yet
    dup = bill(db, "dup")
    out.bills["dup"] = dup.id
    attempt(db, account, dup, "pay_dup_a")
    attempt(db, account, dup, "pay_dup_b", status="held", settle_bill=False)
    db.add(PaymentFlag(tenant_id=TENANT, kind="duplicate_payment",
                       external_payment_id="pay_dup_b", bill_id=dup.id, paid_paise=100000))
    out.expected.add(("duplicate_payment", "pay_dup_b"))
    paid("short", "pay_short", paid=90000, status="held", settle_bill=False)
    out.expected.add(("short_payment", "pay_short"))
    paid("excess", "pay_excess", paid=110000, status="held", settle_bill=False)
    out.expected.add(("excess_payment", "pay_excess"))
    paid("late", "pay_late")                                          # never settled
    out.expected.add(("not_settled", "pay_late"))
    paid("nocredit", "pay_nocredit")
    out.expected.add(("settlement_without_credit", "setl_2"))
    paid("mismatch", "pay_mismatch")
    out.expected.add(("credit_mismatch", "setl_3"))
    paid("uncovered", "pay_uncovered")                                # settled after statement
    paid("hold", "pay_hold")
    out.expected.add(("on_hold", "razorpay:pay_hold"))
    counter = bill(db, "counter", status="paid")
    counter.payment_ref = "counter-77"
    out.bills["counter"] = counter.id
    out.expected.add(("paid_without_payment", counter.id))
    db.add(PaymentFlag(tenant_id=TENANT, kind="unmatched_payment",
                       external_payment_id="pay_flagonly", paid_paise=5000))
    out.expected.add(("payment_without_bill", "pay_flagonly"))
    out.expected.add(("payment_without_bill", "pay_orphan"))
    out.expected.add(("refund_line", "razorpay:rfnd_1"))
    out.expected.add(("adjustment_line", "razorpay:adj_1"))
    # another city's mess is not Amritsar's
    other = bill(db, "elsewhere", status="paid", tenant_id="pb.ludhiana")
    other.payment_ref = "counter-1"
    db.flush()

    s1 = [line("pay_clean1", 100000, settlement="setl_1", utr="utr1aaaa1111bbbb"),
          line("pay_clean2", 250050, settlement="setl_1", utr="utr1aaaa1111bbbb"),
          line("pay_dup_a", 100000, settlement="setl_1", utr="utr1aaaa1111bbbb"),
          line("pay_dup_b", 100000, settlement="setl_1", utr="utr1aaaa1111bbbb"),
          line("pay_short", 90000, settlement="setl_1", utr="utr1aaaa1111bbbb"),
          line("pay_excess", 110000, settlement="setl_1", utr="utr1aaaa1111bbbb"),
          line("pay_orphan", 30000, settlement="setl_1", utr="utr1aaaa1111bbbb"),
          line("pay_clean1", 20000, settlement="setl_1", utr="utr1aaaa1111bbbb",
               kind="refund", key="rfnd_1"),
          line("", 1500, settlement="setl_1", utr="utr1aaaa1111bbbb", kind="adjustment",
               key="adj_1")]
    s2 = [line("pay_nocredit", 100000, settlement="setl_2", utr="UTR2CCCC2222DDDD",
               day=date(2026, 11, 25))]
    s3 = [line("pay_mismatch", 100000, settlement="setl_3", utr="UTR3EEEE3333FFFF",
               day=date(2026, 11, 25))]
    s4 = [line("pay_uncovered", 100000, settlement="setl_4", utr="UTR4GGGG4444HHHH",
               day=date(2026, 11, 27)),
          line("pay_hold", 100000, settlement=None, utr=None, on_hold=True)]
    rows = s1 + s2 + s3 + s4
    report = import_settlement_rows(
        db, tenant_id=TENANT, source="razorpay", import_source="test", file_hash="seed",
        name="seed", actor="test", rows=list(enumerate(rows, start=2)))
    assert report.rows_bad == 0, report.errors
    set_mapping(db, tenant_id="pb", name="sbi", columns=BANK_MAPPING, actor="test")
    statement = bank_csv([
        ("23 Nov 2026", "NEFT CR-RAZORPAY SOFTWARE PVT LTD-UTR1AAAA1111BBBB", "", "",
         rupees(net(rows, "setl_1")), "10,00,000.00"),
        ("25 Nov 2026", "NEFT CR-RAZORPAY SOFTWARE-UTR3EEEE3333FFFF", "UTR3EEEE3333FFFF", "",
         rupees(net(rows, "setl_3") - 100), "11,00,000.00"),
        ("26 Nov 2026", "INT PD 01-11-2026 TO 25-11-2026", "", "", "1,234.00", "11,01,234.00"),
        ("26 Nov 2026", "CHQ 000123 SALARY", "000123", "50,000.00", "", "10,51,234.00")])
    bank = import_statement(db, tenant_id=TENANT, mapping_name="sbi", data=statement,
                            filename="nov.csv", actor="test")
    assert bank.rows_bad == 0 and bank.rows_new == 4, bank
    db.flush()
    return out


def token() -> str:
    """A random suffix."""
    return secrets.token_hex(4)
