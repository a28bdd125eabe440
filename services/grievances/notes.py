"""Standard notes officers pick instead of writing one: catalog keys (`note.<name>`), each for
every category or for some category codes, told to the citizen in their language."""

from __future__ import annotations

from collections.abc import Mapping

NOTES: Mapping[str, tuple[str, ...]] = {
    "work_scheduled": (),
    "team_visited": (),
    "needs_other_department": (),
    "not_municipal": (),
    "duplicate": (),
    "garbage_cleared": ("garbage", "dead-animal"),
    "light_repaired": ("streetlight",),
    "supply_restored": ("water",),
    "drain_cleared": ("sewer",),
    "road_repaired": ("road",),
}
"""Note name -> category codes it suits (empty: every category); a literal, which the catalog
extractor reads (`note.` + name, babel.cfg)."""
PREFIX = "note."


def notes_for(category: str) -> list[str]:
    """The note keys an officer may pick for a grievance of this category code, in order."""
    return [PREFIX + name for name, codes in NOTES.items() if not codes or category in codes]


def valid_note(key: str, category: str) -> bool:
    """Whether a note key is a standard note suiting the category."""
    return key in notes_for(category)
