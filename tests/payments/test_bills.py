"""Bills of the demo city through the registry: numbers as citizens type them, per service."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from payments.bills.factory import BillRegistries
from payments.bills.registry import BillError, BillService, BillStatus, BillView
from services.db.base import IST, utcnow
from services.security.crypto import Crypto
from tests.support.gateway import LiveGateway


@pytest.fixture
def amritsar(gateway: LiveGateway) -> tuple[LiveGateway, Session]:
    """The demo gateway and a session on its database."""
    return gateway, gateway.ctx.sessions()


@pytest.mark.parametrize("typed", ["2301004512", "2301-004-512", "२३०१ ००४ ५१२",
                                   "੨੩੦੧-੦੦੪-੫੧੨", "২৩০১০০৪৫১২", "௨௩௦௧௦௦௪௫௧௨"])
def test_a_consumer_number_in_any_script_with_spaces_or_dashes(
        amritsar: tuple[LiveGateway, Session], typed: str) -> None:
    gateway, db = amritsar
    bills = gateway.ctx.bills(db, "pb.amritsar").lookup("property_tax", typed)
    assert [b.bill_no for b in bills] == ["PT-2026-0001", "PT-2025-0001"]
    latest = bills[0]
    assert latest.amount_paise == sum(i.amount_paise for i in latest.items) == 480000
    assert [i.head for i in latest.items] == ["property_tax", "fire_cess", "rebate"]
    assert latest.items[-1].amount_paise < 0  # a rebate
    assert bills[1].status is BillStatus.PAID


@pytest.mark.parametrize(("service", "typed"), [
    ("property_tax", "41200317"),   # a water number is too short for property tax
    ("water", "2301004512"),        # and a property number too long for water
    ("trade_licence", "70001234"),
    ("water", "4120O317"),          # a letter O
    ("water", ""),
])
def test_each_service_has_the_citys_own_number_format(
        amritsar: tuple[LiveGateway, Session], service: str, typed: str) -> None:
    gateway, db = amritsar
    with pytest.raises(BillError) as refused:
        gateway.ctx.bills(db, "pb.amritsar").lookup(service, typed)
    assert refused.value.code == "invalid_consumer_number"


def test_an_unknown_service_is_refused(amritsar: tuple[LiveGateway, Session]) -> None:
    gateway, db = amritsar
    with pytest.raises(BillError) as refused:
        gateway.ctx.bills(db, "pb.amritsar").lookup("electricity", "12345678")
    assert refused.value.code == "unknown_service"


def test_my_bills_by_mobile_number_some_overdue_some_paid(
        amritsar: tuple[LiveGateway, Session]) -> None:
    gateway, db = amritsar
    bills = gateway.ctx.bills(db, "pb.amritsar").for_mobile("+919876500001")
    assert {b.service for b in bills} == {BillService.PROPERTY_TAX, BillService.WATER,
                                          BillService.SEWERAGE}
    today = utcnow().astimezone(IST).date()
    assert [b.bill_no for b in bills if b.overdue(today)] == ["WS-2026-0001"]
    assert any(b.status is BillStatus.PAID for b in bills)
    assert gateway.ctx.bills(db, "pb.amritsar").for_mobile("+919999999999") == []


def test_another_citys_registry_never_sees_amritsars_bills(
        amritsar: tuple[LiveGateway, Session]) -> None:
    gateway, db = amritsar
    bill = gateway.ctx.bills(db, "pb.amritsar").lookup("water", "41200317")[0]
    other = gateway.ctx.bills(db, "pb.ludhiana")
    assert other.get(bill.id) is None
    assert other.for_mobile("+919876500001") == []


def test_a_connector_registered_for_a_state_serves_its_cities() -> None:
    class Connector:
        def __init__(self, db: Session, crypto: Crypto, tenant_id: str) -> None:
            self.tenant_id = tenant_id

        def lookup(self, service: object, consumer_no: str) -> list[BillView]:
            return []

        def for_mobile(self, mobile_e164: str) -> list[BillView]:
            return []

        def get(self, bill_id: str) -> BillView | None:
            return None

        def settle(self, bill_id: str, *, payment_ref: str, amount_paise: int,
                   paid_at: datetime) -> bool:
            return False

    registries = BillRegistries()
    registries.register("pb", Connector)
    crypto = Crypto("x" * 40)
    made = registries.for_tenant(None, crypto, "pb.amritsar")  # type: ignore[arg-type]
    assert isinstance(made, Connector) and made.tenant_id == "pb.amritsar"
    assert not isinstance(registries.for_tenant(None, crypto, "hr.gurugram"),  # type: ignore[arg-type]
                          Connector)
