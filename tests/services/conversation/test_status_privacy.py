"""Tracking by number: the citizen who filed sees everything, anyone else what the city allows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.contacts.service import get_or_create
from services.conversation.operations import OpContext, OperationError, run
from services.grievances.builtin import BuiltinRegistry
from services.security.crypto import Crypto
from services.tenancy.models import Tenant
from tests.services.grievances.helpers import AMRITSAR, file, member

NOTE = "Crew visited; Mr Sharma at house 14 will be called"
DESCRIPTION = "Garbage dumped outside house 14, Gali 3, by the neighbour"


def _contact(db: Session, crypto: Crypto, urn: str) -> Contact:
    """A citizen of the demo city."""
    return get_or_create(db, crypto, AMRITSAR, urn)


def _account(db: Session) -> ChannelAccount:
    """One of the demo city's channel accounts."""
    account = db.scalars(select(ChannelAccount).where(ChannelAccount.tenant_id == AMRITSAR)
                         .order_by(ChannelAccount.id)).first()
    assert account is not None
    return account


def _ask(db: Session, registry: BuiltinRegistry, contact: Contact, typed: str) -> dict[str, Any]:
    """What `grievance.status` answers this contact for what they typed."""
    tenant = db.get_one(Tenant, AMRITSAR)
    account = _account(db)
    return run("grievance.status", OpContext(tenant, contact, account, "webchat", registry),
               {"id": typed})


@pytest.fixture
def filed(db: Session, crypto: Crypto, registry: BuiltinRegistry) -> tuple[Contact, str]:
    """Alice's grievance with a staff note on it; her contact and its number."""
    alice = _contact(db, crypto, "tel:+919811111111")
    view = file(db, crypto, description=DESCRIPTION, contact_id=alice.id,
                account_id=_account(db).id)
    registry.transition(scope=AMRITSAR, public_id=view.id, action="assign", actor="staff:1",
                        note=NOTE, assignee=member(db, "JE Ward 12"))
    return alice, view.id


def test_the_citizen_who_filed_sees_the_note(db: Session, registry: BuiltinRegistry,
                                             filed: tuple[Contact, str]) -> None:
    alice, public_id = filed
    answer = _ask(db, registry, alice, public_id.rsplit("-", 1)[1].lstrip("0"))
    assert (answer["id"], answer["status"], answer["note"]) == (public_id, "assigned", NOTE)
    assert answer["public"] is False and answer["due"] and answer["updated_at"]


def test_anyone_else_gets_not_found_by_default(db: Session, crypto: Crypto,
                                              registry: BuiltinRegistry,
                                              filed: tuple[Contact, str]) -> None:
    """Fail closed: a stranger walking the numbers cannot tell a real one from a gap."""
    _, public_id = filed
    visitor = _contact(db, crypto, "web:0123456789abcdef0123456789abcdef")
    with pytest.raises(OperationError) as real:
        _ask(db, registry, visitor, public_id)
    with pytest.raises(OperationError) as missing:
        _ask(db, registry, visitor, "PB-AMR-2020-999999")
    assert real.value.code == missing.value.code == "not_found"


@pytest.mark.parametrize("where", ["pb", AMRITSAR])
def test_with_public_status_others_see_category_and_status_only(
        db: Session, crypto: Crypto, registry: BuiltinRegistry, filed: tuple[Contact, str],
        where: str) -> None:
    """The city's (or, inherited, the state's) choice: no note, no description, no dates."""
    _, public_id = filed
    db.get_one(Tenant, where).public_status = "status"
    db.flush()
    visitor = _contact(db, crypto, "tel:+919822222222")
    answer = _ask(db, registry, visitor, public_id)
    assert answer == {"id": public_id, "status": "assigned", "public": True,
                      "category_names": answer["category_names"]}
    assert answer["category_names"]["en"]
    assert NOTE not in str(answer) and DESCRIPTION not in str(answer)


def test_a_city_can_keep_closed_what_its_state_opens(
        db: Session, crypto: Crypto, registry: BuiltinRegistry,
        filed: tuple[Contact, str]) -> None:
    _, public_id = filed
    db.get_one(Tenant, "pb").public_status = "status"
    db.get_one(Tenant, AMRITSAR).public_status = "none"
    db.flush()
    with pytest.raises(OperationError):
        _ask(db, registry, _contact(db, crypto, "tel:+919833333333"), public_id)
