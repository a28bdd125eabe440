"""What a caller hears, shared by the voice adapters: messages as speaking plans, choices as keys.

`heard(message)` turns an outbound message into utterances (a language and a speaking plan each,
see `i18n.voice`); `listen_for(message)` says what answer the prompt waits for. Each adapter
renders utterances its own way: the provider's TTS (`say_text`) where it speaks the language,
else the plan's audio clips through the `ClipSource` of its `ReplyContext`.

What is said:
- every catalog message of the reply (`message.parts`), then "press 1 for …" per choice
  (`ivr.press`), then how to answer: a number (`ivr.number_hint`), a recording
  (`ivr.record_hint`) or, when nothing is asked, the key for the main menu (`ivr.menu_hint`);
- a parameter named `id` is a grievance number, read one character at a time, and so are ids
  inside free text (a choice label "PB-AMR-2026-000123 - Roads");
- web addresses in free text (a recording in a grievance description) are never read out;
- a language menu (`language.prompt` offering language codes) says each option in its own
  language and voice: "हिन्दी के लिए 2 दबाएँ।".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from channels.contract import Ask, MessagePart, OutboundMessage
from i18n import KNOWN, MissingMessage, translate
from i18n.voice import Plan, Spell, say_text, speak
from i18n.voice.plan import Free, Part, Spelled, Value, speakable

SPELLED_PARAMS = frozenset({"id"})
"""Message parameters that are ids, read one character at a time."""
NUMBER_PROMPTS = frozenset({"track.ask_id"})
"""Free-text questions that a caller answers with digits on the keypad."""
LANGUAGE_PROMPT = "language.prompt"
MAX_KEYS = 9
"""Options one key can pick (1-9; 0 is the main menu everywhere)."""
_URL = re.compile(r"\bhttps?://\S+")
_ID = re.compile(r"(?<![\w-])(?=[A-Z0-9-]*[0-9])[A-Z0-9]+(?:-[A-Z0-9]+)+(?![\w-])")


@dataclass(frozen=True)
class Phrase:
    """A catalog message id with speakable parameter values."""

    key: str
    params: Mapping[str, Value] = field(default_factory=dict)


def msg(key: str, **params: Value) -> Phrase:
    """A phrase; like `bots.prompts.msg`, its name marks message ids for the catalog extractor."""
    return Phrase(key, params)


class Listen(StrEnum):
    """What a prompt waits for."""

    KEY = "key"
    """One key picks an option (or speech names it)."""
    NUMBER = "number"
    """Digits ended by the hash key."""
    RECORD = "record"
    """A spoken answer, recorded."""
    NOTHING = "nothing"
    """Nothing is asked: the caller may press 0 for the main menu, else the call ends."""


HINTS = {
    Listen.NUMBER: msg("ivr.number_hint"),
    Listen.RECORD: msg("ivr.record_hint"),
    Listen.NOTHING: msg("ivr.menu_hint"),
}
NO_INPUT = msg("ivr.no_input")
GOODBYE = msg("ivr.goodbye")


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech in one language."""

    language: str
    plan: Plan


def listen_for(message: OutboundMessage, can_record: bool = True) -> Listen:
    """The answer a message waits for on a call."""
    if message.choices:
        return Listen.KEY
    asks_number = bool(message.parts) and message.parts[-1].key in NUMBER_PROMPTS
    if message.ask is Ask.NUMBER or (message.ask is Ask.TEXT and asks_number):
        return Listen.NUMBER
    if message.ask is Ask.TEXT:
        return Listen.RECORD if can_record else Listen.NUMBER
    return Listen.NOTHING


def _spoken(text: str) -> list[Part]:
    """Free text as plan parts: web addresses dropped, ids spelled out."""
    parts: list[Part] = []
    rest = _URL.sub("", text)
    while (found := _ID.search(rest)) is not None:
        before = speakable(rest[:found.start()]).strip(" -–")
        if before:
            parts.append(Free(before))
        groups = tuple(g for g in re.split(r"[^A-Z0-9]+", found.group()) if g)
        parts.append(Spelled(groups))
        rest = rest[found.end():]
    tail = speakable(rest).strip(" -–")
    return [*parts, Free(tail)] if tail else parts


def utter(language: str, phrase: Phrase) -> Utterance:
    """A catalog phrase spoken in a language (free text within it made speakable)."""
    plan = speak(language, phrase.key, phrase.params)
    parts: list[Part] = []
    for part in plan.parts:
        parts += _spoken(part.text) if isinstance(part, Free) else [part]
    return Utterance(language, Plan(language, tuple(parts)))


def _value(name: str, value: str) -> Value:
    """A rendered parameter as a speakable value (ids spelled when they can be)."""
    if name in SPELLED_PARAMS and value.isascii() and any(c.isalnum() for c in value):
        return Spell(value)
    return value


def part_phrase(part: MessagePart) -> Phrase:
    """The phrase of one catalog message a reply was rendered from."""
    return Phrase(part.key, {k: _value(k, v) for k, v in part.params.items()})


def _language_menu(message: OutboundMessage) -> bool:
    """Whether the choices are languages to be offered each in its own voice."""
    return (any(p.key == LANGUAGE_PROMPT for p in message.parts)
            and any(c.id in KNOWN for c in message.choices))


def menu(message: OutboundMessage) -> list[Utterance]:
    """"Press 1 for …" for each choice a key can pick."""
    own = _language_menu(message)
    said = []
    for digit, choice in enumerate(message.choices[:MAX_KEYS], start=1):
        language = choice.id if own and choice.id in KNOWN else message.language
        said.append(utter(language, msg("ivr.press", digit=Spell(str(digit)),
                                        label=choice.label)))
    return said


def _language(message: OutboundMessage) -> str:
    """The message's language, as the voice tables know it."""
    return message.language if message.language in KNOWN else "en"


def heard(message: OutboundMessage, can_record: bool = True) -> list[Utterance]:
    """Everything a caller hears for a message: its text, its menu and how to answer."""
    language = _language(message)
    try:
        said = [utter(language, part_phrase(p)) for p in message.parts]
    except (KeyError, ValueError, MissingMessage):
        said = []  # parts that no longer match the catalog: say the rendered text instead
    if not said and message.text.strip():
        said = [Utterance(language, Plan(language, tuple(_spoken(message.text))))]
    said += menu(message)
    hint = HINTS.get(listen_for(message, can_record))
    if hint is not None:
        said.append(utter(language, hint))
    return said


def tts_text(said: Sequence[Utterance]) -> str:
    """Utterances as one text for a provider's TTS, each ending like a sentence (a menu line
    whose label closes it, "Press 9 for More options", has no full stop of its own)."""
    texts = [say_text(u.plan).strip() for u in said]
    return " ".join(t if unicodedata.category(t[-1]) in ("Po", "Pf") else t + "."
                    for t in texts if t)


def recording_text(language: str) -> str:
    """What a recorded answer stands for in the conversation: "(voice recording)" in the
    caller's language. The recording itself travels as the event's media, never as text."""
    code = language if language in KNOWN else "en"
    return translate(code, "ivr.recording")


def flag(value: object, default: bool = False) -> bool:
    """A yes/no account setting, given as a JSON boolean or as text ("true", "no"…)."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
