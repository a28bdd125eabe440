"""The seeded data set: every exception kind found, none invented, on SQLite and PostgreSQL;
runs repeat without change, a resolution sticks and is audited, evidence is never deleted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from payments.recon.bank import import_statement
from payments.recon.detect import KINDS, reconcile
from payments.recon.exceptions import ExceptionError, listing, resolve
from payments.recon.models import BankLine, ReconException, SettlementLine
from services.audit.models import ConfigChange
from tests.payments.recon.support import AS_OF, TENANT, bank_csv, recon_db, seed
from tests.support.services import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated database on SQLite, and again on a fresh PostgreSQL database."""
    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'recon.db'}" if request.param == "sqlite"
               else stack.enter_context(postgres_database()))
        yield stack.enter_context(recon_db(url))


def _found(db: Session, status: str = "open") -> set[tuple[str, str]]:
    """(kind, evidence key) of the tenant's exceptions in a status."""
    return {(e.kind, e.ref_key) for e in listing(db, TENANT, status=status)}


def test_every_kind_is_found_and_nothing_is_invented(sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        seeded = seed(db)
        run = reconcile(db, TENANT, AS_OF)
        db.commit()
        assert _found(db) == seeded.expected
        assert {kind for kind, _ in seeded.expected} == set(KINDS)
        assert sum(run.open_by_kind.values()) == len(seeded.expected)
        assert run.overdue_before == date(2026, 11, 24)
        short = db.scalar(select(ReconException).where(ReconException.kind == "short_payment"))
        assert short is not None and (short.expected_paise, short.actual_paise) == (100000,
                                                                                   90000)
        assert short.bill_id == seeded.bills["short"]
        assert not listing(db, "pb.ludhiana")  # Ludhiana was not reconciled, nor mixed in


def test_a_second_run_changes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        seed(db)
        reconcile(db, TENANT, AS_OF)
        first = {(e.id, e.kind, e.ref_key) for e in listing(db, TENANT, status=None)}
        again = reconcile(db, TENANT, AS_OF)
        db.commit()
        assert {(e.id, e.kind, e.ref_key) for e in listing(db, TENANT, status=None)} == first
        assert again.cleared == 0


def test_a_resolution_is_audited_sticks_and_keeps_the_evidence(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        seed(db)
        reconcile(db, TENANT, AS_OF)
        late = next(e for e in listing(db, TENANT) if e.kind == "not_settled")
        lines = db.scalar(select(func.count()).select_from(SettlementLine))
        with pytest.raises(ExceptionError) as refused:
            resolve(db, exception_id=late.id, scope=TENANT, actor="staff:k1:Finance", note=" ")
        assert refused.value.code == "note_required"
        with pytest.raises(ExceptionError) as hidden:
            resolve(db, exception_id=late.id, scope="pb.ludhiana", actor="x", note="mine")
        assert hidden.value.code == "not_found"
        resolve(db, exception_id=late.id, scope="pb", actor="staff:k1:Finance",
                note="Razorpay support ticket 4411: settles Monday")
        db.commit()
        reconcile(db, TENANT, AS_OF)
        db.commit()
        row = db.get(ReconException, late.id)
        assert row is not None and row.status == "resolved"
        assert row.note == "Razorpay support ticket 4411: settles Monday"
        assert ("not_settled", "pay_late") not in _found(db)
        audit = db.scalar(select(ConfigChange).where(ConfigChange.entity == "recon_exception"))
        assert audit is not None and audit.key == late.id and audit.action == "resolve"
        assert audit.actor == "staff:k1:Finance" and audit.after is not None
        assert audit.after["note"].startswith("Razorpay support")
        assert db.scalar(select(func.count()).select_from(SettlementLine)) == lines
        with pytest.raises(ExceptionError):
            resolve(db, exception_id=late.id, scope=TENANT, actor="x", note="again")


def test_a_credit_that_arrives_clears_the_exception(sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        seed(db)
        reconcile(db, TENANT, AS_OF)
        missing = next(e for e in listing(db, TENANT) if e.kind == "settlement_without_credit")
        credit = bank_csv([("25 Nov 2026", "NEFT CR-RAZORPAY-UTR2CCCC2222DDDD", "", "",
                            "97,640.00", "12,00,000.00")])
        import_statement(db, tenant_id=TENANT, mapping_name="sbi", data=credit,
                         filename="late.csv", actor="test")
        run = reconcile(db, TENANT, AS_OF)
        db.commit()
        row = db.get(ReconException, missing.id)
        assert row is not None and row.status == "cleared" and row.cleared_at is not None
        assert run.cleared == 1
        assert db.scalar(select(func.count()).select_from(BankLine)) == 5
