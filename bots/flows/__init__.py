"""All flows, by name; the engine is built from this mapping."""

from __future__ import annotations

from bots.engine import Engine
from bots.flow import Flow
from bots.flows.grievance import FILE_GRIEVANCE, TRACK_GRIEVANCE
from bots.flows.menu import HELP, LANGUAGE, MENU

FLOWS: dict[str, Flow] = {
    flow.name: flow for flow in (MENU, LANGUAGE, HELP, FILE_GRIEVANCE, TRACK_GRIEVANCE)
}


def default_engine() -> Engine:
    """The engine with every built-in flow."""
    return Engine(FLOWS)
