"""Issuing receipts: numbered per city, service and Indian fiscal year, once per payment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from payments.receipts.issue import bind_crypto, issue_receipt
from payments.receipts.models import Receipt, ReceiptKey
from payments.receipts.numbers import ReceiptError, fiscal_year
from payments.receipts.query import check, payer_name
from services.security.crypto import Crypto
from services.security.keyring import Key
from services.security.rotate import pending_counts, rotate
from tests.payments.receipts.support import payment, receipt_db


def test_numbers_run_per_city_service_and_fiscal_year(tmp_path: Path) -> None:
    with receipt_db(f"sqlite:///{tmp_path / 'r.db'}") as (sessions, _):
        with sessions() as db:
            numbers = [issue_receipt(db, payment()).number for _ in range(3)]
            water = issue_receipt(db, payment(service="water")).number
            ludhiana = issue_receipt(db, payment(tenant_id="pb.ludhiana")).number
            april = issue_receipt(db, payment(
                paid_at=datetime(2027, 3, 31, 18, 45, tzinfo=UTC))).number  # 1 April IST
            db.commit()
    assert numbers == ["AMR/PT/2026-27/000001", "AMR/PT/2026-27/000002",
                       "AMR/PT/2026-27/000003"]
    assert water == "AMR/WS/2026-27/000001"
    assert ludhiana == "LDH/PT/2026-27/000001"
    assert april == "AMR/PT/2027-28/000001"


def test_fiscal_year_turns_on_the_first_of_april_in_india() -> None:
    assert fiscal_year(datetime(2027, 3, 31, 18, 29, tzinfo=UTC)) == "2026-27"
    assert fiscal_year(datetime(2027, 3, 31, 18, 30, tzinfo=UTC)) == "2027-28"
    assert fiscal_year(datetime(2099, 12, 1, tzinfo=UTC)) == "2099-00"


def test_a_payment_is_receipted_once_and_a_rollback_leaves_no_gap(tmp_path: Path) -> None:
    with receipt_db(f"sqlite:///{tmp_path / 'r.db'}") as (sessions, _):
        with sessions() as db:
            first = issue_receipt(db, payment("pay-ref-1"))
            db.commit()
        with sessions() as db:
            again = issue_receipt(db, payment("pay-ref-1", amount_paise=1))
            assert (again.id, again.number, again.amount_paise) == (
                first.id, first.number, 123456750)
            issue_receipt(db, payment("pay-ref-2"))
            db.rollback()  # the payment's transaction failed: its number is given back
        with sessions() as db:
            third = issue_receipt(db, payment("pay-ref-3"))
            db.commit()
            assert third.number.endswith("/000002")
            assert db.scalars(select(Receipt.payment_ref)).all().count("pay-ref-1") == 1
            assert len(db.scalars(select(ReceiptKey)).all()) == 1  # one key, made on first use


@pytest.mark.parametrize(("change", "code"), [
    ({"service": "parking"}, "unknown_service"), ({"amount_paise": 0}, "invalid_amount"),
    ({"tenant_id": "pb.nowhere"}, "unknown_tenant"), ({"consumer_no": ""}, "invalid_field")])
def test_input_that_cannot_make_a_receipt_is_refused_with_a_code(
        tmp_path: Path, change: dict[str, Any], code: str) -> None:
    with receipt_db(f"sqlite:///{tmp_path / 'r.db'}") as (sessions, _), sessions() as db:
        with pytest.raises(ReceiptError) as err:
            issue_receipt(db, payment(**change))
        assert err.value.code == code


def test_rotating_the_key_ring_keeps_receipts_genuine_and_signing(tmp_path: Path) -> None:
    with receipt_db(f"sqlite:///{tmp_path / 'r.db'}") as (sessions, crypto):
        with sessions() as db:
            before = issue_receipt(db, payment())
            db.commit()
        old = crypto.current
        ring = Crypto.from_keys([("k2", "n" * 40)])
        ring._use([Key.from_secret("k2", "n" * 40), old])  # the new key first, the old after
        with sessions() as db:
            rotate(db, ring)
            assert pending_counts(db, ring)["receipt_keys"] == 0
        bind_crypto(sessions, ring)
        with sessions() as db:
            assert check(db, ring, before.number, before.signature).genuine
            after = issue_receipt(db, payment())  # the private key reads under the new ring
            db.commit()
            assert check(db, ring, after.number, after.signature).genuine
            assert payer_name(ring, after) == "Harpreet Kaur"
