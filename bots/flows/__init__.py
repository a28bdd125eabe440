"""All flows, by name; the engine is built from this mapping (the domains' flows and the
menu over their entries)."""

from __future__ import annotations

from bots.context import BotContext
from bots.domains import flows_of
from bots.engine import Engine
from bots.flow import Choose, Flow
from bots.flows.registry import DOMAINS, main_menu
from bots.prompts import Option

MENU = main_menu(DOMAINS)
FLOWS: dict[str, Flow] = {MENU.name: MENU, **flows_of(DOMAINS)}


def default_engine() -> Engine:
    """The engine with every built-in flow."""
    return Engine(FLOWS)


def menu_options(features: frozenset[str] = frozenset()) -> tuple[Option, ...]:
    """The main menu's options, in order, for a tenant offering these features."""
    step = MENU.steps[0]
    assert isinstance(step, Choose)
    return step.options.get({}, BotContext((), features=features))
