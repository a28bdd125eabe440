"""Speaking plans: what a caller hears for a catalog message and its parameters.

A plan is a sequence of parts: the static segments of the translated template (split at its
`{placeholders}`) and the values put in between. `i18n.voice.output` renders it as plain TTS
text for `<Say>` (ids spaced out to be read one character at a time, large numbers and amounts
grouped in lakh and crore, dates as "day month-name year" in the CLDR order) or as the audio
clips a language without provider TTS plays.

Parameter values: `Spell` (an id read letter by letter), `Money` (integer paise), `Ref` (a nested
catalog message, e.g. a status), an `int` (a number), a `date`/`datetime` (datetimes are taken in
IST), or a `str` (free text, spoken as is).
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from i18n.catalog import message_ids, translate
from i18n.format import in_ist
from i18n.languages import DEFAULT_LANGUAGE, KNOWN

SILENT_PREFIXES = ("keyword.", "web.")
"""Catalog ids never spoken on a call: input keywords and web page labels."""
LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class Spell:
    """An identifier read one letter and one digit at a time (PB-AMR-2026-000123)."""

    value: str


@dataclass(frozen=True)
class Money:
    """A rupee amount in integer paise."""

    paise: int


@dataclass(frozen=True)
class Ref:
    """A nested catalog message (e.g. `status.open`) spoken in place."""

    key: str
    params: Mapping[str, Value] = field(default_factory=dict)


Value = str | int | date | Spell | Money | Ref


@dataclass(frozen=True)
class Segment:
    """Static text of a message: segment `index` of message `key`."""

    key: str
    index: int
    text: str


@dataclass(frozen=True)
class Spelled:
    """Groups of characters (A-Z, 0-9) to read one by one, with a pause between groups."""

    groups: tuple[str, ...]


@dataclass(frozen=True)
class Number:
    """A whole number read as a number."""

    value: int


@dataclass(frozen=True)
class Amount:
    """A rupee amount in paise."""

    paise: int


@dataclass(frozen=True)
class Day:
    """A calendar date."""

    value: date


@dataclass(frozen=True)
class Free:
    """Text that exists only at run time."""

    text: str


Part = Segment | Spelled | Number | Amount | Day | Free


@dataclass(frozen=True)
class Plan:
    """What the caller hears, in one language."""

    language: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Clip:
    """One audio clip: its id and the text it says."""

    id: str
    text: str


def spoken_message_ids() -> list[str]:
    """Every catalog message a call can speak, sorted."""
    return sorted(k for k in message_ids(DEFAULT_LANGUAGE) if not k.startswith(SILENT_PREFIXES))


def speakable(text: str) -> str:
    """Catalog text as one spoken line: newlines become pauses, whitespace collapses."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out = ""
    for line in filter(None, lines):
        if out:
            last = out[-1]
            out += " " if unicodedata.category(last).startswith("P") else ", "
        out += line
    return out


def _has_letter(text: str) -> bool:
    """Whether any character is a letter (or a combining mark of one)."""
    return any(unicodedata.category(c)[0] in "LM" for c in text)


def segments(code: str, key: str) -> Iterator[tuple[Segment | None, str | None]]:
    """The message's static segments (None when silent) each with the placeholder after it."""
    template = translate(code, key)
    for index, (literal, name, _spec, _conv) in enumerate(string.Formatter().parse(template)):
        text = speakable(literal)
        yield (Segment(key, index, text) if _has_letter(text) else None), name


def _spelled(value: str) -> Spelled:
    """Split an identifier into groups of A-Z/0-9 at any other character."""
    groups, current = [], ""
    for char in value.upper():
        digit = unicodedata.digit(char, None)
        if digit is not None:
            current += str(digit)
        elif char in LETTERS:
            current += char
        elif char.isalpha():
            raise ValueError(f"cannot spell {char!r}")
        elif current:
            groups.append(current)
            current = ""
    return Spelled(tuple([*groups, current] if current else groups))


def _value_parts(code: str, value: Value) -> list[Part]:
    """The parts one parameter value is spoken as."""
    if isinstance(value, Ref):
        return list(speak(code, value.key, value.params).parts)
    if isinstance(value, Spell):
        return [_spelled(value.value)]
    if isinstance(value, Money):
        if value.paise < 0:
            raise ValueError(value)
        return [Amount(value.paise)]
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return [Number(value)]
    if isinstance(value, datetime):
        return [Day(in_ist(value).date())]
    if isinstance(value, date):
        return [Day(value)]
    return [Free(speakable(value))]


def speak(code: str, key: str, params: Mapping[str, Value] | None = None) -> Plan:
    """The plan of message `key` with `params` in language `code` (a KNOWN code)."""
    if code not in KNOWN:
        raise KeyError(code)
    values = dict(params or {})
    parts: list[Part] = []
    for segment, name in segments(code, key):
        if segment:
            parts.append(segment)
        if name is not None:
            parts += _value_parts(code, values[name])
    return Plan(code, tuple(parts))
