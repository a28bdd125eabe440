"""Abstract prompts: message ids with parameters, options and the kind of answer awaited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class AskKind(StrEnum):
    """What a prompt waits for (mirrors the channel contract's Ask by value)."""

    NONE = "none"
    CHOICE = "choice"
    TEXT = "text"
    NUMBER = "number"
    LOCATION = "location"
    PHOTO = "photo"


@dataclass(frozen=True)
class Msg:
    """A catalog message id with parameters (rendered later in the contact's language)."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)
    count: int | None = None
    languages: tuple[str, ...] = ()
    """Said once in each of these languages, a line each, in this order (the greeting in a
    state's languages); empty: in the contact's language."""
    optional: bool = False
    """A courtesy (e.g. "language saved") that may be left out where length costs money
    (SMS) when leaving it out saves a segment."""


@dataclass(frozen=True)
class Localized:
    """Master data text with one value per language (e.g. a category name)."""

    values: Mapping[str, str]

    def get(self, language: str) -> str:
        """The text in `language`, else English, else any."""
        first = next(iter(self.values.values()), "")
        return self.values.get(language) or self.values.get("en") or first


@dataclass(frozen=True)
class Date:
    """A moment rendered as a local date in the contact's language."""

    value: datetime


@dataclass(frozen=True)
class Brief:
    """Free text echoed back (a grievance description) that may be shortened, at a word
    boundary with an ellipsis, where the channel pays by length (SMS segments)."""

    text: str


@dataclass(frozen=True)
class Money:
    """An amount of integer paise, rendered as rupees in the contact's locale (₹, Indian
    grouping: ₹1,23,456.50)."""

    paise: int


@dataclass(frozen=True)
class Lines:
    """Messages rendered one per line inside another (a bill's items)."""

    items: tuple[Msg, ...]


Param = str | int | Msg | Localized | Date | Brief | Money | Lines


@dataclass(frozen=True)
class Option:
    """One choice: a stable id, a label and other spellings that pick it (never shown)."""

    id: str
    label: Msg | Localized
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Image:
    """A picture sent with a prompt where the channel shows images (`kind` says what it is,
    `ref` which one: a UPI QR by its payment attempt); elsewhere the text says it all."""

    kind: str
    ref: str


@dataclass(frozen=True)
class Prompt:
    """One outbound message: text parts (joined by a blank line), options, expected answer."""

    parts: tuple[Msg, ...]
    options: tuple[Option, ...] = ()
    ask: AskKind = AskKind.NONE
    image: Image | None = None


def msg(key: str, **params: Param) -> Msg:
    """Marker for message ids (extracted into catalogs by Babel)."""
    return Msg(key, params)


def N_(key: str) -> str:
    """No-op marker: `key` is a message id (extracted by Babel's Python extractor)."""
    return key
