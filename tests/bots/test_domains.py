"""Domains plug into the main menu: a tenant's features decide its entries; a service can
start a flow that declares an entry (a call's payment continued by SMS), and no other."""

from __future__ import annotations

from dataclasses import replace

from bots.engine import START
from bots.flows import FLOWS, default_engine, menu_options
from bots.flows.registry import BILLS_FEATURE
from tests.bots.support import MENU_IDS, Chat, make_ctx


def test_a_city_without_payments_shows_no_bills_entry() -> None:
    assert tuple(o.id for o in menu_options()) == MENU_IDS


def test_a_city_taking_payments_shows_bills_and_my_payments_in_order() -> None:
    ids = tuple(o.id for o in menu_options(frozenset({BILLS_FEATURE})))
    assert ids == ("grievance", "track", "bills", "payments", "language", "help")


def test_the_menu_entry_starts_the_bills_flow_only_where_offered() -> None:
    offered = Chat(default_engine(), replace(make_ctx(), features=frozenset({BILLS_FEATURE})))
    offered.to_menu().send("3")
    assert offered.keys == ["bill.ask_service"]
    plain = Chat(default_engine(), make_ctx())
    plain.to_menu().send("3")  # the third entry is "change language" there
    assert plain.keys == ["language.prompt"]


def test_a_start_payload_runs_a_flow_with_an_entry() -> None:
    chat = Chat(default_engine(), make_ctx())
    chat.send(payload=f"{START}pay_bill:bill-1")
    assert [(c.op, dict(c.args)) for c in chat.calls] == [("payments.start", {"bill": "bill-1"})]
    assert FLOWS["pay_bill"].entry == "bill"


def test_a_start_payload_for_a_flow_without_an_entry_starts_nothing() -> None:
    chat = Chat(default_engine(), make_ctx())
    chat.to_menu().send(payload=f"{START}grievance:x")
    assert chat.calls == [] and chat.keys == ["menu.prompt"]
