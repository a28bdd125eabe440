"""Read-only data the engine needs: the tenant's master data and the contact's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bots.prompts import Option


@dataclass(frozen=True)
class BotContext:
    """Everything the engine may read; loaded by the runner before a step.

    Master data is pluggable: each domain puts its option lists into `data` by name
    (grievances: "categories", "localities"), and the domains the tenant offers into
    `features` (bills: "bills"), which decides the main menu's entries."""

    languages: tuple[Option, ...]
    data: Mapping[str, tuple[Option, ...]] = field(default_factory=dict)
    """Option lists by name, for `Master(name)` choices and `Label` references."""
    features: frozenset[str] = frozenset()
    """What the tenant offers beyond the core (a domain's `feature`): its menu entries show."""
    language: str | None = None
    default_language: str | None = None
    """The tenant's default language (greeted in first); None: the first of `languages`."""
    resumed: bool = False
    page_size: int = 8
    """Options per page on the citizen's channel (a "more" option follows a full page)."""
    can_locate: bool = False
    """The channel can send a location (WhatsApp, Telegram)."""
    can_photo: bool = False
    """The channel can send a photo."""
    location_button: bool = False
    """The channel shares a location with its own button, which carries no number (WhatsApp
    Cloud's location request): typed numbers count the other options."""
    required: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """What an option requires, by option id: a category's {"photo", "location"}."""

    def options(self, source: str) -> tuple[Option, ...]:
        """Master data options by name ("languages", or a domain's: "categories", ...)."""
        if source == "languages":
            return self.languages
        return tuple(self.data.get(source, ()))
