"""The operator's side of TRAI DLT, for the SMS simulators: does a body fit its template?

Written independently of the gateway's own check (services/templates/dlt.py), so the simulators
catch a mismatch the gateway let through: `{#var#}` takes at most 30 characters, whitespace is
squashed and optional around fixed text.
"""

from __future__ import annotations

import re


def scrub(body: str, template: str) -> bool:
    """The operator's check, written independently of the gateway's: {#var#} ≤ 30 chars,
    whitespace squashed and optional around fixed text."""
    text = " ".join(body.split())
    pieces = re.split(r"((?:\{#var#\})+)", " ".join(template.split()))
    reach = {0}
    for index, piece in enumerate(pieces):
        if index % 2:  # a run of placeholders
            span = 30 * piece.count("{#var#}")
            reach = {p + k for p in reach for k in range(min(span, len(text) - p) + 1)}
        else:
            fixed = piece.strip()
            reach = {q for p in reach for q in _after(text, p, fixed)}
    return len(text) in reach


def _after(text: str, start: int, fixed: str) -> set[int]:
    """Where the text continues after `fixed` at `start`, spaces around it optional."""
    ends = set()
    for lead in ("", " "):
        if text.startswith(lead + fixed, start):
            end = start + len(lead + fixed)
            ends |= {end, end + 1} if text.startswith(" ", end) else {end}
    return ends
