"""Standard notes officers pick instead of writing one: catalog keys (`note.<name>`), each for
every category or for some category codes, told to the citizen in their language."""

from __future__ import annotations

from collections.abc import Mapping

NOTES: Mapping[str, frozenset[str]] = {
    "work_scheduled": frozenset(),
    "team_visited": frozenset(),
    "needs_other_department": frozenset(),
    "not_municipal": frozenset(),
    "duplicate": frozenset(),
    "garbage_cleared": frozenset({"garbage", "dead-animal"}),
    "light_repaired": frozenset({"streetlight"}),
    "supply_restored": frozenset({"water"}),
    "drain_cleared": frozenset({"sewer"}),
    "road_repaired": frozenset({"road"}),
}
"""Note name -> category codes it suits (empty: every category)."""
NOTE_NAMES = tuple(NOTES)
"""The names, for the catalog extractor (`note.` + name)."""
PREFIX = "note."


def notes_for(category: str) -> list[str]:
    """The note keys an officer may pick for a grievance of this category code, in order."""
    return [PREFIX + name for name, codes in NOTES.items() if not codes or category in codes]


def valid_note(key: str, category: str) -> bool:
    """Whether a note key is a standard note suiting the category."""
    return key in notes_for(category)
