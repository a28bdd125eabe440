"""Rendering a speaking plan: TTS text for `<Say>`, or the audio clips a language without TTS plays.

Clip ids: `<msgid>.<n>` (static segment n of a message; segments holding no letter are silent and
have no clip), `digit.0`-`digit.9`, `letter.A`-`letter.Z`, `number.0`-`number.99`, `word.<name>`
(see `words.WORD_NAMES`), `month.1`-`month.12`, and `free.<hash>` for free text (a category name,
a citizen's description) that only an on-demand rendering can hold. `clip_texts` lists every clip
a language can need ahead of time.
"""

from __future__ import annotations

import hashlib
import unicodedata

from i18n.voice.plan import (
    LETTERS,
    Amount,
    Clip,
    Day,
    Free,
    Number,
    Part,
    Plan,
    Segment,
    Spelled,
    segments,
    spoken_message_ids,
)
from i18n.voice.words import WORD_NAMES, date_fields, indian_terms, month_names, word

_TTS_PLAIN_BELOW = 100_000  # below one lakh, TTS reads the digits right; above, lakh/crore words


def _number_clips(code: str, n: int) -> list[Clip]:
    """A number as clips of 0-99 and scale words."""
    return [Clip(f"number.{t}", str(t)) if isinstance(t, int) else Clip(f"word.{t}", word(code, t))
            for t in indian_terms(n)]


def _amount_terms(paise: int) -> list[tuple[int, str]]:
    """(count, "rupees"|"paise") pairs of an amount: ₹0.50 is just 50 paise."""
    rupees, rest = divmod(paise, 100)
    terms = [(rupees, "rupees")] if rupees or not rest else []
    return terms + ([(rest, "paise")] if rest else [])


def free_clip(text: str) -> Clip:
    """The clip of run-time text, named by its content."""
    return Clip("free." + hashlib.sha256(text.encode()).hexdigest()[:16], text)


def _part_clips(code: str, part: Part) -> list[Clip]:
    """The clips one part is played with."""
    match part:
        case Segment(key, index, text):
            return [Clip(f"{key}.{index}", text)]
        case Spelled(groups):
            return [Clip(f"digit.{c}" if c.isdigit() else f"letter.{c}", c)
                    for group in groups for c in group]
        case Number(value):
            return _number_clips(code, value)
        case Amount(paise):
            return [c for count, unit in _amount_terms(paise)
                    for c in [*_number_clips(code, count), Clip(f"word.{unit}", word(code, unit))]]
        case Day(value):
            out: list[Clip] = []
            for name, number in date_fields(value, code):
                out += ([Clip(f"month.{number}", month_names(code)[number])] if name == "M"
                        else _number_clips(code, number))
            return out
        case Free(text):
            return [free_clip(text)]
    raise TypeError(part)


def clips(plan: Plan) -> list[Clip]:
    """The clips to play, in order, for a language without provider TTS."""
    return [c for part in plan.parts for c in _part_clips(plan.language, part)]


def clip_ids(plan: Plan) -> list[str]:
    """The ids of `clips(plan)`."""
    return [c.id for c in clips(plan)]


def _tts_number(code: str, n: int) -> str:
    """A number for TTS: digits below one lakh, else grouped with the lakh/crore words."""
    if n < _TTS_PLAIN_BELOW:
        return str(n)
    crore, rest = divmod(n, 10**7)
    lakh, rest = divmod(rest, 10**5)
    thousand, rest = divmod(rest, 1000)
    words = [f"{_tts_number(code, crore)} {word(code, 'crore')}"] if crore else []
    words += [f"{lakh} {word(code, 'lakh')}"] if lakh else []
    words += [f"{thousand} {word(code, 'thousand')}"] if thousand else []
    words += [str(rest)] if rest else []
    return " ".join(words)


def _part_text(code: str, part: Part) -> str:
    """One part as TTS text."""
    match part:
        case Segment(_, _, text) | Free(text):
            return text
        case Spelled(groups):
            return ", ".join(" ".join(group) for group in groups)
        case Number(value):
            return _tts_number(code, value)
        case Amount(paise):
            return " ".join(f"{_tts_number(code, n)} {word(code, unit)}"
                            for n, unit in _amount_terms(paise))
        case Day(value):
            return " ".join(month_names(code)[n] if name == "M" else str(n)
                            for name, n in date_fields(value, code))
    raise TypeError(part)


def say_text(plan: Plan) -> str:
    """Plain text for a provider's TTS (`<Say>`), no SSML."""
    out = ""
    for text in (_part_text(plan.language, p) for p in plan.parts):
        if text:
            glued = not out or unicodedata.category(text[0]).startswith("P")
            out += text if glued else " " + text
    return out


def clip_texts(code: str) -> dict[str, str]:
    """Every clip a language without TTS can need ahead of time: clip id -> text to say."""
    texts: dict[str, str] = {}
    for key in spoken_message_ids():
        for segment, _name in segments(code, key):
            if segment:
                texts[f"{key}.{segment.index}"] = segment.text
    texts.update({f"digit.{d}": str(d) for d in range(10)})
    texts.update({f"letter.{c}": c for c in LETTERS})
    texts.update({f"number.{n}": str(n) for n in range(100)})
    texts.update({f"word.{name}": word(code, name) for name in WORD_NAMES})
    texts.update({f"month.{m}": name for m, name in month_names(code).items()})
    return texts
