"""SMS length arithmetic: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67 per part), for previews.

Indic scripts are outside the GSM-7 alphabet, so a Hindi SMS is UCS-2 and one Devanagari letter
in an English text turns the whole message into UCS-2. The splitting itself is smsutil's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import smsutil

UCS2_UNITS_PER_CHAR = 2


class Encoding(StrEnum):
    """How an SMS is encoded on the air."""

    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


SINGLE = {Encoding.GSM7: 160, Encoding.UCS2: 70}
"""Characters (septets or UTF-16 units) that fit one unsplit message."""
PART = {Encoding.GSM7: 153, Encoding.UCS2: 67}
"""Characters per part of a concatenated message (the rest carries the part header)."""


@dataclass(frozen=True)
class SmsLength:
    """What a text costs as an SMS: encoding, length in that encoding, parts, room left."""

    encoding: Encoding
    units: int
    segments: int
    remaining: int

    @property
    def fits_one(self) -> bool:
        """Whether the text goes out as a single SMS."""
        return self.segments <= 1


def sms_length(text: str) -> SmsLength:
    """The SMS cost of a text (an empty text still costs one message)."""
    if not text:
        return SmsLength(Encoding.GSM7, 0, 1, SINGLE[Encoding.GSM7])
    result = smsutil.split(text)
    encoding = Encoding.GSM7 if result.encoding == "gsm0338" else Encoding.UCS2
    per_unit = 1 if encoding is Encoding.GSM7 else UCS2_UNITS_PER_CHAR
    units = result.total_bytes // per_unit
    segments = max(1, len(result.parts))
    capacity = SINGLE[encoding] if segments == 1 else PART[encoding] * segments
    return SmsLength(encoding, units, segments, capacity - units)


ELLIPSIS = "…"
GSM_ELLIPSIS = "..."
"""The ellipsis of a GSM-7 text: "…" is not in the GSM-7 alphabet and would make it UCS-2."""
_TRAILING = " \t\n,;:.-–—।"


def is_gsm7(text: str) -> bool:
    """Whether the text goes out in GSM-7 (every character in its alphabet)."""
    return not text or smsutil.split(text).encoding == "gsm0338"


def shorten(text: str, limit: int) -> str:
    """The text in at most `limit` characters, cut at a word boundary where it has one and
    ending in an ellipsis ("..." for GSM-7 text, so the cut never changes the encoding)."""
    if len(text) <= limit:
        return text
    mark = GSM_ELLIPSIS if is_gsm7(text) else ELLIPSIS
    room = limit - len(mark)
    if room <= 0:
        return mark if limit >= len(mark) else ""
    cut = text[:room]
    if not text[room].isspace():  # inside a word: back to the word's start
        space = max(cut.rfind(" "), cut.rfind("\n"))
        cut = cut[:space] if space > 0 else cut
    return cut.rstrip(_TRAILING) + mark
