"""Filing: human-readable ids per tenant and year, SLA due dates, encryption, references."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.db.base import local_year
from services.grievances.builtin import BuiltinRegistry
from services.grievances.registry import InvalidReference
from services.security.crypto import Crypto
from services.tenancy.demo import demo_data
from services.tenancy.models import Category
from tests.services.grievances.helpers import AMRITSAR, LUDHIANA, Clock, file, refs

ID = re.compile(r"^PB-(AMR|LDH)-(\d{4})-(\d{6})$")


def test_ids_are_sequential_per_tenant(db: Session, crypto: Crypto) -> None:
    """Each city counts from 000001 on its own, formatted CODE-YYYY-NNNNNN."""
    year = local_year()
    amr = [file(db, crypto).id for _ in range(3)]
    ldh = [file(db, crypto, LUDHIANA, locality="model-town").id for _ in range(2)]
    amr.append(file(db, crypto).id)
    assert amr == [f"PB-AMR-{year}-{n:06d}" for n in (1, 2, 3, 4)]
    assert ldh == [f"PB-LDH-{year}-{n:06d}" for n in (1, 2)]
    assert all(ID.match(i) for i in amr + ldh)


def test_ids_restart_each_year(db: Session, crypto: Crypto,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The sequence starts again at 000001 when the year turns in India (IST), not in UTC."""
    clock = Clock(datetime(2026, 12, 31, 18, 29, tzinfo=UTC))  # 23:59 on 31 Dec in India
    monkeypatch.setattr("services.grievances.builtin.utcnow", clock)
    first, second = file(db, crypto).id, file(db, crypto).id
    clock.advance(minutes=2)
    third = file(db, crypto).id
    assert (first, second, third) == ("PB-AMR-2026-000001", "PB-AMR-2026-000002",
                                      "PB-AMR-2027-000001")


SLA = {c["code"]: c["sla_hours"] for c in demo_data()["categories"]}


@pytest.mark.parametrize("category", ["garbage", "road", "dead-animal"])
def test_due_date_is_created_plus_category_sla(db: Session, crypto: Crypto,
                                               category: str) -> None:
    """due_at = created_at + the category's SLA hours."""
    view = file(db, crypto, category=category)
    assert view.due_at - view.created_at == timedelta(hours=SLA[category])
    assert view.status == "open"


def test_filing_opens_the_history(db: Session, crypto: Crypto) -> None:
    """The first history entry is the filing itself: nothing → open, by the filer."""
    view = file(db, crypto)
    assert len(view.history) == 1
    entry = view.history[0]
    assert (entry.action, entry.from_status, entry.to_status, entry.actor) == (
        "file", None, "open", "test")


def test_description_is_encrypted_at_rest(db: Session, crypto: Crypto) -> None:
    """The raw column holds ciphertext; the registry hands back the plain text."""
    secret_words = "Overflowing drain outside house 42, Gali Chhipian"
    view = file(db, crypto, description=secret_words)
    db.commit()
    raw = db.execute(text("SELECT description_enc FROM grievances WHERE public_id = :p"),
                     {"p": view.id}).scalar_one()
    assert "Gali" not in raw and "drain" not in raw
    assert crypto.decrypt(raw) == secret_words
    assert BuiltinRegistry(db, crypto).get(scope=AMRITSAR, public_id=view.id).description == (
        secret_words)


def test_category_of_another_tenant_is_rejected(registry: BuiltinRegistry, db: Session) -> None:
    """A Ludhiana category cannot be used for an Amritsar grievance."""
    amr = refs(db, AMRITSAR, "garbage", "hall-bazaar")
    ldh = refs(db, LUDHIANA, "garbage", "model-town")
    with pytest.raises(InvalidReference):
        registry.file(tenant_id=AMRITSAR, category_id=ldh.category_id,
                      locality_id=amr.locality_id, description="x" * 20, contact_id=None,
                      account_id=None, channel="sms", actor="test")


def test_locality_of_another_tenant_is_rejected(registry: BuiltinRegistry, db: Session) -> None:
    """A Ludhiana locality cannot be used for an Amritsar grievance."""
    amr = refs(db, AMRITSAR, "garbage", "hall-bazaar")
    ldh = refs(db, LUDHIANA, "garbage", "model-town")
    with pytest.raises(InvalidReference):
        registry.file(tenant_id=AMRITSAR, category_id=amr.category_id,
                      locality_id=ldh.locality_id, description="x" * 20, contact_id=None,
                      account_id=None, channel="sms", actor="test")


@pytest.mark.parametrize("tenant", ["pb.nowhere", "pb"])
def test_unknown_or_state_tenant_is_rejected(registry: BuiltinRegistry, db: Session,
                                             tenant: str) -> None:
    """Only the city owning the references can file with them."""
    amr = refs(db, AMRITSAR, "garbage", "hall-bazaar")
    with pytest.raises(InvalidReference):
        registry.file(tenant_id=tenant, category_id=amr.category_id,
                      locality_id=amr.locality_id, description="x" * 20, contact_id=None,
                      account_id=None, channel="sms", actor="test")


def test_inactive_category_is_rejected(db: Session, crypto: Crypto) -> None:
    """A retired category no longer accepts grievances."""
    amr = refs(db, AMRITSAR, "mosquito", "hall-bazaar")
    db.get_one(Category, amr.category_id).active = False
    with pytest.raises(InvalidReference):
        file(db, crypto, category="mosquito")


def test_nothing_is_written_for_a_rejected_reference(registry: BuiltinRegistry,
                                                     db: Session, crypto: Crypto) -> None:
    """A failed filing does not use up a number."""
    ldh = refs(db, LUDHIANA, "garbage", "model-town")
    amr = refs(db, AMRITSAR, "garbage", "hall-bazaar")
    with pytest.raises(InvalidReference):
        registry.file(tenant_id=AMRITSAR, category_id=ldh.category_id,
                      locality_id=amr.locality_id, description="x" * 20, contact_id=None,
                      account_id=None, channel="sms", actor="test")
    assert file(db, crypto).id.endswith("-000001")
