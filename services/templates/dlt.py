"""TRAI DLT content templates: `{#var#}` placeholders and the operators' match rule.

Operators scrub every SMS against its content template: the fixed text must be there as
registered, and each `{#var#}` may hold at most 30 characters. Whitespace is compared
normalised (runs collapse to one space), and a space next to a placeholder may vanish when the
value is empty. Consecutive placeholders (`{#var#}{#var#}`) hold 30 characters each, the usual
way to register a longer value. WhatsApp-style `{{1}}` placeholders are counted here too, so
registrations of either kind can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from services.templates.errors import TemplateMismatch

VAR = "{#var#}"
MAX_VAR_CHARS = 30
_SPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"\{\{(\d+)\}\}")


def normalize(text: str) -> str:
    """Whitespace runs (newlines included) as one space, no leading or trailing space."""
    return _SPACE.sub(" ", text).strip()


def placeholders(template_text: str) -> int:
    """How many values a template takes: `{#var#}` occurrences, else the highest `{{n}}`."""
    if VAR in template_text:
        return template_text.count(VAR)
    return max((int(n) for n in _NUMBERED.findall(template_text)), default=0)


Segment = tuple[str, ...] | int
"""A fixed piece (the spellings it may take) or a run of placeholders (how many)."""


def _spellings(piece: str, var_before: bool, var_after: bool) -> tuple[str, ...]:
    """How a fixed piece may appear: a space touching a placeholder may be missing."""
    core = piece.strip(" ")
    heads = ("", " ") if piece.startswith(" ") and var_before else (
        (" ",) if piece.startswith(" ") and core else ("",))
    tails = ("", " ") if piece.endswith(" ") and var_after else (
        (" ",) if piece.endswith(" ") and core else ("",))
    if not core:
        return ("", " ") if piece and (var_before or var_after) else (piece,)
    return tuple(dict.fromkeys(h + core + t for h in heads for t in tails))


@lru_cache(maxsize=4096)
def _segments(template_text: str) -> tuple[Segment, ...]:
    """A template as fixed pieces and placeholder runs (contiguous placeholders join)."""
    pieces = normalize(template_text).split(VAR)
    out: list[Segment] = [_spellings(pieces[0], False, len(pieces) > 1)]
    run = 0
    for index, piece in enumerate(pieces[1:], start=1):
        run += 1
        if piece == "" and index < len(pieces) - 1:
            continue  # the next placeholder follows directly: one wider run
        out += [run, _spellings(piece, True, index < len(pieces) - 1)]
        run = 0
    return tuple(out)


def _matches(body: str, segments: tuple[Segment, ...], width: int | None) -> bool:
    """Whether the body is the segments in order, each run at most `width` per placeholder.

    The set of reachable positions is carried along (no backtracking), so any template and
    text take time proportional to their lengths.
    """
    reachable = {0}
    for segment in segments:
        if isinstance(segment, int):
            span = len(body) if width is None else width * segment
            reachable = {p + k for p in reachable for k in range(min(span, len(body) - p) + 1)}
        else:
            reachable = {p + len(s) for p in reachable for s in segment if body.startswith(s, p)}
        if not reachable:
            return False
    return len(body) in reachable


def check_dlt(text: str, template_text: str) -> None:
    """Refuse (TemplateMismatch) a text the operator would not match to its DLT template.

    The detail says which rule failed, never the text (it may hold personal data).
    """
    body, segments = normalize(text), _segments(template_text)
    if _matches(body, segments, MAX_VAR_CHARS):
        return
    if VAR in template_text and _matches(body, segments, None):
        raise TemplateMismatch(f"a {VAR} value is longer than {MAX_VAR_CHARS} characters")
    raise TemplateMismatch("the fixed text differs from the registered template")


def render(template_text: str, values: Sequence[str]) -> str:
    """The template with its `{#var#}` placeholders replaced by the values, in order."""
    pieces = template_text.split(VAR)
    if len(pieces) - 1 != len(values):
        raise TemplateMismatch(f"{len(values)} values for {len(pieces) - 1} placeholders")
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        out += [value, piece]
    return "".join(out)


def spread(value: str, slots: int) -> list[str]:
    """One value over consecutive placeholders: 30 characters each, the rest in the last."""
    value = normalize(value)
    chunks = [value[i * MAX_VAR_CHARS:(i + 1) * MAX_VAR_CHARS] for i in range(slots - 1)]
    return [*chunks, value[(slots - 1) * MAX_VAR_CHARS:]]
