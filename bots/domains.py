"""Domains plug into the conversation: their flows and their entries in the main menu.

A domain (grievances, bills) is a name, the flows it adds and the menu entries that start
them; an entry shows only where the tenant offers the domain's `feature` (a city without a
payments account has no "pay" entry). The main menu is built from the domains registered,
so adding one needs no change to the menu or the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bots.context import BotContext
from bots.flow import Choose, Flow, Slots, TextStart
from bots.prompts import Msg, Option


@dataclass(frozen=True)
class MenuEntry:
    """One option of the main menu: its id, its label's message id and the flow it starts;
    `order` places it among every domain's entries (lower first)."""

    id: str
    label: str
    flow: str
    order: int = 50


@dataclass(frozen=True)
class Domain:
    """A part of the service: its flows, its menu entries, and the tenant feature it needs
    (None: always offered)."""

    name: str
    flows: tuple[Flow, ...] = ()
    entries: tuple[MenuEntry, ...] = ()
    feature: str | None = None


@dataclass(frozen=True)
class MenuOptions:
    """The main menu's options: the entries of the domains the tenant offers, in order."""

    entries: tuple[tuple[MenuEntry, str | None], ...]
    """Each entry with the feature it needs."""

    def get(self, slots: Slots, ctx: BotContext) -> tuple[Option, ...]:
        """The entries this tenant shows."""
        return tuple(Option(entry.id, Msg(entry.label)) for entry, feature in self.entries
                     if feature is None or feature in ctx.features)

    @property
    def goto(self) -> Mapping[str, str]:
        """Each entry's id to the flow it starts."""
        return {entry.id: entry.flow for entry, _ in self.entries}


def menu_options(domains: Sequence[Domain]) -> MenuOptions:
    """Every domain's entries, sorted by their order (then as registered)."""
    found = [(entry, domain.feature) for domain in domains for entry in domain.entries]
    return MenuOptions(tuple(sorted(found, key=lambda pair: pair[0].order)))


def menu_step(name: str, prompt: str, domains: Sequence[Domain],
              text_starts: TextStart | None = None) -> Choose:
    """The main menu's question over the registered domains."""
    options = menu_options(domains)
    return Choose(name, prompt, options, goto=options.goto, text_starts=text_starts)


def flows_of(domains: Sequence[Domain]) -> dict[str, Flow]:
    """Every domain's flows by name (a name used twice is an error, not a silent override)."""
    found: dict[str, Flow] = {}
    for domain in domains:
        for flow in domain.flows:
            if flow.name in found:
                raise ValueError(f"flow {flow.name!r} registered twice")
            found[flow.name] = flow
    return found
