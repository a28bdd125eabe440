"""Imports: the same file twice changes nothing, overlaps add only what is new, a later report
moves a held line on, and bad rows are reported by their line in the file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payments.recon.bank import MappingError, import_statement, mapping_for, set_mapping
from payments.recon.gateway_reports import import_csv
from payments.recon.imports import RowError
from payments.recon.models import BankLine, ReconImport, SettlementLine
from payments.recon.settlements import SettlementRow, import_settlement_rows
from services.audit.models import ConfigChange
from tests.payments.recon.support import BANK_MAPPING, TENANT, bank_csv, recon_db

HEADER = ("entity_id,type,debit,credit,amount,currency,fee,tax,on_hold,settled,created_at,"
          "settled_at,settlement_id,description,notes,payment_id,settlement_utr,order_id,"
          "order_receipt,method\n")


def _report(*rows: str) -> bytes:
    """A settlement recon CSV as the dashboard downloads it (amounts in rupees)."""
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


PAY1 = ("pay_A1,payment,0,980.00,1000.00,INR,16.95,3.05,0,1,2026-11-20 10:00:00,"
        "2026-11-23 12:00:00,setl_9,,{},,utr9zzzz9999yyyy,order_1,,upi")
PAY2 = ("pay_A2,payment,0,490.00,500.00,INR,8.47,1.53,0,1,2026-11-20 11:00:00,"
        "2026-11-23 12:00:00,setl_9,,{},,utr9zzzz9999yyyy,order_2,,upi")
HELD = "pay_A3,payment,0,0,700.00,INR,11.86,2.14,1,0,2026-11-21 09:00:00,,,,{},,,order_3,,upi"
RELEASED = ("pay_A3,payment,0,686.00,700.00,INR,11.86,2.14,0,1,2026-11-21 09:00:00,"
            "2026-11-25 12:00:00,setl_10,,{},,utr10xxxx1010wwww,order_3,,upi")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    """A session on a fresh migrated SQLite database."""
    with recon_db(f"sqlite:///{tmp_path / 'imports.db'}") as sessions, sessions() as session:
        yield session


def _lines(db: Session) -> list[tuple[str, bool, int]]:
    """(key, settled, credit) of every settlement line."""
    return sorted((k, s, c) for k, s, c in db.execute(select(
        SettlementLine.line_key, SettlementLine.settled, SettlementLine.credit_paise)))


def test_the_same_report_twice_changes_nothing(db: Session) -> None:
    data = _report(PAY1, PAY2, HELD)
    first = import_csv(db, tenant_id=TENANT, gateway="razorpay", data=data, filename="a.csv",
                       actor="t")
    assert (first.rows_total, first.rows_new, first.rows_bad) == (3, 3, 0)
    before = _lines(db)
    second = import_csv(db, tenant_id=TENANT, gateway="razorpay", data=data, filename="a.csv",
                        actor="t")
    assert second.duplicate_file and second.import_id == first.import_id
    assert (second.rows_new, second.rows_updated) == (0, 0)
    assert _lines(db) == before
    assert db.scalar(select(func.count()).select_from(ReconImport)) == 1
    row = db.scalar(select(SettlementLine).where(SettlementLine.line_key == "pay_A1"))
    assert row is not None
    assert (row.amount_paise, row.fee_paise, row.tax_paise, row.credit_paise) == (
        100000, 1695, 305, 98000)
    assert row.settlement_utr == "UTR9ZZZZ9999YYYY" and row.settled_on == date(2026, 11, 23)


def test_an_overlapping_report_adds_the_new_and_moves_the_held_line_on(db: Session) -> None:
    import_csv(db, tenant_id=TENANT, gateway="razorpay", data=_report(PAY1, HELD),
               filename="a.csv", actor="t")
    later = import_csv(db, tenant_id=TENANT, gateway="razorpay",
                       data=_report(PAY1, PAY2, RELEASED), filename="b.csv", actor="t")
    assert (later.rows_total, later.rows_new, later.rows_updated) == (3, 1, 1)
    assert _lines(db) == [("pay_A1", True, 98000), ("pay_A2", True, 49000),
                          ("pay_A3", True, 68600)]


def test_bad_report_rows_are_reported_by_line_and_the_rest_imported(db: Session) -> None:
    data = _report(PAY1, "pay_B1,payment,0,abc,100.00,INR,0,0,0,0,,,,,,,,,,upi",
                   ",payment,0,1.00,1.00,INR,0,0,0,0,,,,,,,,,,upi",
                   "pay_B3,payment,0,1.00,1.00,INR,0,0,0,1,2026-13-45,,,,,,,,,upi",
                   "pay_B4,payment,0,1.00,1.00,INR,0,0,0,1,,2026-11-23,,,,,,,,upi")
    report = import_csv(db, tenant_id=TENANT, gateway="razorpay", data=data, filename="x.csv",
                        actor="t")
    assert [(e.line, e.code, e.field) for e in report.errors] == [
        (3, "invalid_amount", "credit"), (4, "missing_field", "entity_id"),
        (5, "invalid_date", "created_at"), (6, "missing_settlement", "settlement_id")]
    assert report.rows_new == 1 and [k for k, _, _ in _lines(db)] == ["pay_A1"]
    stored = db.scalar(select(ReconImport))
    assert stored is not None and stored.rows_bad == 4 and stored.errors[0]["line"] == 3
    missing = import_csv(db, tenant_id=TENANT, gateway="razorpay", data=b"id,amount\n1,2\n",
                         filename="y.csv", actor="t")
    assert [(e.line, e.code) for e in missing.errors] == [(1, "missing_column")]


def test_bbps_settlement_rows_land_in_the_same_lines(db: Session) -> None:
    rows: list[tuple[int, SettlementRow | RowError]] = [
        (1, SettlementRow("BBPS0001", "payment", "BBPS0001", 50000, credit_paise=49900,
                          fee_paise=85, tax_paise=15, settled=True, settlement_id="bb_1",
                          settlement_utr="bbutr1", settled_on=date(2026, 11, 24))),
        (2, SettlementRow("BBPS0002", "payment", None, 100)),
        (3, RowError(3, "invalid_amount", "amount"))]
    report = import_settlement_rows(db, tenant_id=TENANT, source="bbps", import_source="bbps",
                                    file_hash="n1", name="notification", actor="t", rows=rows)
    assert [(e.line, e.code) for e in report.errors] == [(2, "missing_payment_ref"),
                                                         (3, "invalid_amount")]
    line = db.scalar(select(SettlementLine).where(SettlementLine.source == "bbps"))
    assert line is not None and line.settlement_utr == "BBUTR1" and line.fee_paise == 85


def test_bank_statement_bad_rows_by_line_and_the_same_file_twice(db: Session) -> None:
    set_mapping(db, tenant_id="pb", name="sbi", columns=BANK_MAPPING, actor="cli:finance")
    data = bank_csv([
        ("23 Nov 2026", "NEFT CR-RAZORPAY-UTR1AAAA1111BBBB", "", "", "4,80,390.10", "10.00"),
        ("2026-11-24", "NEFT CR-X", "", "", "10.00", "20.00"),
        ("24 Nov 2026", "NEFT CR-Y", "", "", "ten", "20.00"),
        ("24 Nov 2026", "BOTH", "", "5.00", "5.00", "20.00"),
        ("", "", "", "", "", ""),
        ("25 Nov 2026", "CHQ 000124", "000124", "1,000.00", "", "19.00"),
        ("25 Nov 2026", "CHQ 000124", "000124", "1,000.00", "", "19.00")])
    report = import_statement(db, tenant_id=TENANT, mapping_name="sbi", data=data,
                              filename="nov.csv", actor="t")
    # two preamble lines and the header come first: the first row is line 4
    assert [(e.line, e.code, e.field) for e in report.errors] == [
        (5, "invalid_date", "date"), (6, "invalid_amount", "credit"),
        (7, "credit_and_debit", "credit")]
    assert report.rows_new == 3  # two identical cheques in one file are two rows
    credit = db.scalar(select(BankLine).where(BankLine.credit_paise > 0))
    assert credit is not None and credit.utr == "UTR1AAAA1111BBBB"
    assert credit.credit_paise == 48039010 and credit.value_date == date(2026, 11, 23)
    again = import_statement(db, tenant_id=TENANT, mapping_name="sbi", data=data,
                             filename="nov.csv", actor="t")
    assert again.duplicate_file and again.rows_new == 0
    overlap = import_statement(db, tenant_id=TENANT, mapping_name="sbi", filename="dec.csv",
                               actor="t", data=bank_csv([
                                   ("25 Nov 2026", "CHQ 000124", "000124", "1,000.00", "",
                                    "19.00"),
                                   ("26 Nov 2026", "INT PD", "", "", "1.00", "20.00")]))
    assert (overlap.rows_total, overlap.rows_new) == (2, 1)
    assert db.scalar(select(func.count()).select_from(BankLine)) == 4
    changes = db.scalars(select(ConfigChange).where(ConfigChange.entity == "bank_mapping"))
    assert [(c.tenant_id, c.key, c.action) for c in changes] == [("pb", "sbi", "create")]


def test_a_citys_mapping_wins_over_its_states_and_unknown_ones_are_refused(db: Session) -> None:
    set_mapping(db, tenant_id="pb", name="hdfc", columns={"date": "Date"}, actor="t")
    set_mapping(db, tenant_id=TENANT, name="hdfc", columns={"date": "Value Dt"}, actor="t")
    assert mapping_for(db, TENANT, "hdfc")["date"] == "Value Dt"
    assert mapping_for(db, "pb.ludhiana", "hdfc")["date"] == "Date"
    assert mapping_for(db, TENANT, "default")["credit"] == "credit"
    for name, columns, code in (("nope", None, "unknown_mapping"),
                                ("bad", {"credit": ""}, "invalid_mapping"),
                                ("bad", {"utr_pattern": "("}, "invalid_mapping"),
                                ("Bad Name", {}, "invalid_name")):
        with pytest.raises(MappingError) as refused:
            if columns is None:
                mapping_for(db, TENANT, name)
            else:
                set_mapping(db, tenant_id=TENANT, name=name, columns=columns, actor="t")
        assert refused.value.code == code
