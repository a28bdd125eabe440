"""The domains of the conversation and their main-menu entries (message ids by marker).

A new domain is one `Domain` here: its flows and its entries; the menu follows. Its ids are
written with the `N_` marker and extracted by Babel's own Python extractor (babel.cfg)."""

from __future__ import annotations

from collections.abc import Sequence

from bots.domains import Domain, MenuEntry, menu_step
from bots.engine import LANGUAGE_FLOW, MENU_FLOW
from bots.flow import Flow, TextStart
from bots.flows.bills import BILLS, MY_PAYMENTS, PAY_BY_SMS
from bots.flows.grievance import FILE_GRIEVANCE, TRACK_GRIEVANCE
from bots.flows.menu import HELP, LANGUAGE
from bots.prompts import N_

BILLS_FEATURE = "bills"
"""A tenant offers bills where it has a bill service and a payments account."""

GRIEVANCES = Domain("grievances", (FILE_GRIEVANCE, TRACK_GRIEVANCE), (
    MenuEntry("grievance", N_("menu.file"), "grievance", order=10),
    MenuEntry("track", N_("menu.track"), "track", order=20),
))
PAYMENTS = Domain("bills", (BILLS, MY_PAYMENTS, PAY_BY_SMS), (
    MenuEntry("bills", N_("menu.bills"), BILLS.name, order=30),
    MenuEntry("payments", N_("menu.payments"), MY_PAYMENTS.name, order=40),
), feature=BILLS_FEATURE)
CORE = Domain("core", (LANGUAGE, HELP), (
    MenuEntry("language", N_("menu.language"), LANGUAGE_FLOW, order=80),
    MenuEntry("help", N_("menu.help"), "help", order=90),
))
DOMAINS: tuple[Domain, ...] = (GRIEVANCES, PAYMENTS, CORE)


def main_menu(domains: Sequence[Domain] = DOMAINS) -> Flow:
    """The main menu over these domains' entries."""
    return Flow(MENU_FLOW, (
        # A complaint typed at the menu is the start of one: its text is the description.
        menu_step("choice", N_("menu.prompt"), domains,
                  text_starts=TextStart("grievance", "description")),
    ))
