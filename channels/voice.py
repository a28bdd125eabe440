"""What a caller hears, shared by the voice adapters: messages as speaking plans, choices as keys.

`heard(message)` turns an outbound message into utterances (a language and a speaking plan each,
see `i18n.voice`); `listen_for(message)` says what answer the prompt waits for. Each adapter
renders utterances its own way: the provider's TTS (`say_text`) where it speaks the language,
else the plan's audio clips through the `ClipSource` of its `ReplyContext`.

What is said:
- every catalog message of the reply (`message.parts`), in its voice form where the text form
  tells a reader to type or send (`VOICE_FORMS`: `voice.<id>`), then one line per key of the
  menu's voice page (`pages`, `keys`: at most five options at once, four and a key to the next
  four; an action as a sentence, `ivr.key.*`, "To file a complaint, press 1", anything else
  `ivr.press`), then how to answer: a number (`ivr.number_hint`), a recording
  (`ivr.record_hint`) or, when nothing is asked, the key for the main menu (`ivr.menu_hint`);
- a parameter named `id` is a grievance number, read one character at a time, and so are ids
  inside free text (a choice label "PB-AMR-2026-000123 - Roads"); a date parameter is read back
  into a date (the full month name) and a rupee amount into an amount;
- web addresses in free text are never read out;
- a language menu (`language.prompt` offering language codes) says the caller's language
  alone first, then "for other languages, press 9", and each other option in its own language
  and voice: "हिन्दी के लिए 1 दबाएँ।".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from channels.contract import Ask, Choice, MessagePart, OutboundMessage
from i18n import KNOWN, MissingMessage, translate
from i18n.format import parse_date, parse_money
from i18n.voice import Money, Plan, Spell, say_text, speak
from i18n.voice.plan import Free, Part, Spelled, Value, speakable

SPELLED_PARAMS = frozenset({"id"})
"""Message parameters that are ids, read one character at a time."""
DATE_PARAMS = frozenset({"due", "updated", "until", "date"})
"""Message parameters that hold a date as the text showed it."""
NUMBER_PROMPTS = frozenset({"track.ask_id", "voice.track.ask_id", "bill.ask_number",
                            "voice.bill.ask_number"})
"""Free-text questions that a caller answers with digits on the keypad."""
LANGUAGE_PROMPT = "language.prompt"
MAX_KEYS = 9
"""Options one key can pick (1-9; 0 is the main menu everywhere)."""
MAX_OPTIONS = 5
"""Options said at once; a longer menu is said `PAGE_KEYS` at a time, more behind a key."""
PAGE_KEYS = 4
OTHERS_KEY = "9"
"""The key to the other languages, after the caller's own language alone."""
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
KEY_PHRASES = {
    "grievance": ("menu.file", "ivr.key.file"),
    "track": ("menu.track", "ivr.key.track"),
    "language": ("menu.language", "ivr.key.language"),
    "help": ("menu.help", "ivr.key.help"),
    "__more__": ("common.more", "ivr.key.more"),
    "yes": ("common.yes", "ivr.key.yes"),
    "no": ("common.no", "ivr.key.no"),
}
"""Options that are actions, said as a sentence of their own ("To file a complaint, press 1"):
option id -> (the label's message id, which must match, and the voice message)."""
_KEY_IDS = (msg("ivr.key.file", digit=""), msg("ivr.key.track", digit=""),
            msg("ivr.key.language", digit=""), msg("ivr.key.help", digit=""),
            msg("ivr.key.more", digit=""), msg("ivr.key.yes", digit=""),
            msg("ivr.key.no", digit=""), msg("ivr.key.other_languages", digit=""))
"""The key messages, named for the catalog extractor."""
VOICE_FORMS = {
    "error.not_understood": msg("voice.error.not_understood"),
    "grievance.filed": msg("voice.grievance.filed", id="", due=""),
    "help.text": msg("voice.help.text"),
    "track.ask": msg("voice.track.ask"),
    "track.ask_id": msg("voice.track.ask_id"),
    "reopen.ask_reason": msg("voice.reopen.ask_reason"),
    "rate.ask_comment": msg("voice.rate.ask_comment"),
    "bill.ask_number": msg("voice.bill.ask_number"),
    "pay.link": msg("voice.pay.link", amount=""),
}
"""Messages whose text form tells the reader to type or send: what a caller hears instead
(same parameters)."""
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


def _value(name: str, value: str, language: str = "en") -> Value:
    """A rendered parameter as a speakable value: ids spelled when they can be, dates read
    back as dates (the full month name, never "दिस॰") and rupee amounts as amounts."""
    if name in SPELLED_PARAMS and value.isascii() and any(c.isalnum() for c in value):
        return Spell(value)
    if name in DATE_PARAMS and (day := parse_date(value, language)) is not None:
        return day
    if (paise := parse_money(value)) is not None:
        return Money(paise)
    return value


def part_phrase(part: MessagePart, language: str = "en") -> Phrase:
    """The phrase of one catalog message a reply was rendered from."""
    return Phrase(part.key, {k: _value(k, v, language) for k, v in part.params.items()})


def _language_menu(message: OutboundMessage) -> bool:
    """Whether the choices are languages to be offered each in its own voice."""
    return (any(p.key == LANGUAGE_PROMPT for p in message.parts)
            and any(c.id in KNOWN for c in message.choices))


NEXT = Choice("__voice_next__", "")
"""A key that plays the menu's next voice page (the gateway pages; the conversation waits)."""


def _chunks(choices: Sequence[Choice]) -> list[list[Choice]]:
    """Choices in voice pages of `PAGE_KEYS`."""
    return [list(choices[i:i + PAGE_KEYS]) for i in range(0, len(choices), PAGE_KEYS)]


def pages(message: OutboundMessage) -> list[list[Choice]]:
    """The menu as a caller hears it, page by page: at most `MAX_OPTIONS` options at once.

    A language menu offers the caller's (the state's default) language alone first, the others
    behind `OTHERS_KEY`; any other menu of more than five options is said four at a time."""
    choices = list(message.choices[:MAX_KEYS])
    if not choices:
        return [[]]
    if _language_menu(message) and any(c.id == message.language for c in choices):
        first = next(c for c in choices if c.id == message.language)
        rest = [c for c in choices if c is not first]
        return [[first], *_chunks(rest)]
    return [choices] if len(choices) <= MAX_OPTIONS else _chunks(choices)


def keys(message: OutboundMessage, page: int = 0) -> list[tuple[str, Choice]]:
    """(key, choice) on a voice page of the menu; `NEXT` is the key to the next page."""
    every = pages(message)
    at = min(max(page, 0), len(every) - 1)
    shown = [(str(n), choice) for n, choice in enumerate(every[at], start=1)]
    if at + 1 < len(every):
        first_of_languages = at == 0 and _language_menu(message) and len(every[0]) == 1
        shown.append((OTHERS_KEY if first_of_languages else str(len(shown) + 1), NEXT))
    return shown


def _key_phrase(language: str, digit: str, choice: Choice, others: bool) -> Phrase:
    """What one key does, written for the ear: "To file a complaint, press 1."."""
    spelled = Spell(digit)
    if choice is NEXT:
        return msg("ivr.key.other_languages" if others else "ivr.key.more", digit=spelled)
    action = KEY_PHRASES.get(choice.id)
    if action is not None and translate(language, action[0]) == choice.label:
        return Phrase(action[1], {"digit": spelled})
    return msg("ivr.press", digit=spelled, label=choice.label)


def menu(message: OutboundMessage, page: int = 0) -> list[Utterance]:
    """One line per key of the menu's voice page ("For Roads, press 1.")."""
    own = _language_menu(message)
    language = _language(message)
    said = []
    for digit, choice in keys(message, page):
        if own and choice.id in KNOWN:
            said.append(utter(choice.id, msg("ivr.press", digit=Spell(digit),
                                             label=choice.label)))
        else:
            said.append(utter(language, _key_phrase(language, digit, choice,
                                                    own and digit == OTHERS_KEY)))
    return said


def _language(message: OutboundMessage) -> str:
    """The message's language, as the voice tables know it."""
    return message.language if message.language in KNOWN else "en"


def _for_the_ear(part: MessagePart) -> MessagePart:
    """A catalog message as said on a call: its voice form where the text form tells the
    reader to type or send something (`VOICE_FORMS`)."""
    spoken = VOICE_FORMS.get(part.key)
    return MessagePart(spoken.key, part.params) if spoken is not None else part


def heard(message: OutboundMessage, can_record: bool = True,
          page: int = 0) -> list[Utterance]:
    """Everything a caller hears for a message: its text, its menu (the voice page `page`)
    and how to answer."""
    language = _language(message)
    try:
        said = [utter(language, part_phrase(_for_the_ear(p), language)) for p in message.parts]
    except (KeyError, ValueError, MissingMessage):
        said = []  # parts that no longer match the catalog: say the rendered text instead
    if not said and message.text.strip():
        said = [Utterance(language, Plan(language, tuple(_spoken(message.text))))]
    said += menu(message, page)
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


# -- outbound calls ------------------------------------------------------------------------------
ANNOUNCE = "__announce__"
"""The payload of a request for an outbound call's message: the call was answered, or the
citizen pressed a key after hearing it."""
ANNOUNCE_CONTEXT = "announce"
"""`ReplyContext.kind` when the adapter renders an outbound call's message."""
AGAIN_KEY = "1"
"""The key that plays an outbound call's message again."""
MENU_KEY = "0"
"""The key that leaves the message for the IVR's main menu (as everywhere on a call)."""
AGAIN_HINT = msg("ivr.again_hint", digit=Spell(AGAIN_KEY))


def announcement_hints(language: str) -> list[Utterance]:
    """How to answer an outbound call's message: hear it again, or the main menu."""
    code = language if language in KNOWN else "en"
    return [utter(code, AGAIN_HINT), utter(code, HINTS[Listen.NOTHING])]


def announcement(message: OutboundMessage) -> list[Utterance]:
    """What a citizen hears when they answer an outbound call: the message (its text alone:
    any choices are the IVR's business), then how to hear it again or reach the main menu."""
    plain = OutboundMessage(message.to, message.text, language=message.language,
                            parts=message.parts)
    said = heard(plain, can_record=False)[:-1]  # without the menu hint: it comes last
    return [*said, *announcement_hints(message.language)]
