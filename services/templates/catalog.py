"""The replies the flows send, as catalog ids, and catalog texts turned into DLT templates.

A reply is at most one lead message (an error, a confirmation, help) followed by a question,
or a message that stands alone. These tables name them; `tests/services/templates` checks them
against the flows and the catalogs so that a new prompt cannot be forgotten here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from string import Formatter

from i18n import translate
from services.templates.dlt import VAR

QUESTIONS_WITH_OPTIONS = (
    "language.prompt", "menu.prompt", "grievance.ask_category", "grievance.ask_locality",
    "grievance.confirm_place", "grievance.confirm", "grievance.change_which", "track.ask",
    "track.feedback", "rate.ask", "rate.ask_comment",
    "bill.ask_service", "bill.ask_which", "bill.ask_pay",
)
"""Questions shown with a numbered list of options."""
EVERY_LANGUAGE = ("language.prompt",)
"""Messages said in each of the tenant's languages, a line each, the default first."""
QUESTIONS = ("grievance.ask_description", "track.ask_id", "grievance.ask_landmark",
             "reopen.ask_reason", "bill.ask_number", "platform.ask_otp")
"""Questions answered by typing."""
_RESTART = ("menu.prompt", "language.prompt")
"""Where the engine starts over (the language question while none is chosen)."""
LEADS: dict[str, tuple[str, ...]] = {
    "help.text": (*QUESTIONS_WITH_OPTIONS, *QUESTIONS),
    "error.not_understood": QUESTIONS_WITH_OPTIONS,
    "error.too_short": QUESTIONS,
    "grievance.description_too_short": ("grievance.ask_description",),
    "grievance.location_needed": ("grievance.ask_landmark",),
    "grievance.not_placed": ("grievance.ask_locality",),
    "track.not_found": ("track.ask", "track.ask_id"),
    "error.too_many": _RESTART,
    "error.service": _RESTART,
    "common.cancelled": _RESTART,
    "session.expired": _RESTART,
    "optout.started": _RESTART,
    "language.set": (*_RESTART, "grievance.ask_category"),
    "reopen.window_closed": _RESTART,
    "reopen.not_resolved": _RESTART,
    "rate.already": _RESTART,
    "bill.invalid_number": ("bill.ask_number",),
    "platform.login_needed": ("platform.ask_otp",),
    "grievance.queued": _RESTART,
    "error.platform_down": _RESTART,
    "platform.otp_invalid": ("platform.ask_otp",),
    "bill.no_mobile": ("bill.ask_service",),
    "bill.not_found": _RESTART,
    "bill.shown": ("bill.ask_pay",),
    "pay.unavailable": _RESTART,
    "pay.gateway_down": _RESTART,
    "pay.not_payable": _RESTART,
    "track.status": ("track.feedback",),
    "notify.office_note": ("track.feedback",),
    "notify.standard_note": ("track.feedback",),
}
"""Messages the engine says just before a question, and the questions they can precede."""
ALONE = (
    ("grievance.filed",), ("track.status",), ("track.status", "notify.office_note"),
    ("track.status", "notify.standard_note"), ("track.public",), ("optout.stopped",),
    ("notify.status",), ("notify.status", "notify.office_note"),
    ("notify.status", "notify.standard_note"), ("notify.escalated",), ("staff.escalated",),
    ("reopen.done",), ("rate.thanks",),
    ("bill.shown",), ("pay.link",), ("payments.list",), ("payments.none",), ("receipt.notice",),
)
"""Replies without a question: the end of a flow, opting out, status notifications."""
NOTICES = tuple((*status, invite) for status in (("notify.status",),
                                                 ("notify.status", "notify.office_note"),
                                                 ("notify.status", "notify.standard_note"))
                for invite in ("notify.reopen_or_rate", "notify.rate"))
"""A resolution's notice: the status, the office's note if any, and the invitation to reopen
(within the city's window) or rate."""
NOTED_STATUS = (("track.status", "notify.office_note", "track.feedback"),
                ("track.status", "notify.standard_note", "track.feedback"))
"""A resolved grievance's status with the office's note, then what the citizen may do."""
FEEDBACK_OPTIONS = 3
"""Reopen, rate, and the menu."""


def part_keys() -> tuple[str, ...]:
    """Every catalog id a reply can be made of (option labels and keywords are not)."""
    keys = [*LEADS, *QUESTIONS_WITH_OPTIONS, *QUESTIONS,
            *(k for seq in (*ALONE, *NOTICES) for k in seq)]
    return tuple(dict.fromkeys(keys))


@dataclass(frozen=True)
class Shape:
    """One reply the flows can send: its catalog ids and how many numbered options follow."""

    keys: tuple[str, ...]
    options: int = 0


def reply_shapes(page_size: int) -> list[Shape]:
    """Every reply: alone, or a question (after no lead or one that can precede it), with
    1 … page_size + 1 ("more") numbered options when it has options."""
    shapes = [Shape(keys) for keys in (*ALONE, *NOTICES)]
    shapes += [Shape(keys, n) for keys in NOTED_STATUS for n in range(1, FEEDBACK_OPTIONS + 1)]
    pairs: list[tuple[tuple[str, ...], str]] = [
        ((), q) for q in (*QUESTIONS_WITH_OPTIONS, *QUESTIONS)]
    pairs += [((lead,), q) for lead, questions in LEADS.items() for q in questions]
    for lead, question in pairs:
        if question in QUESTIONS_WITH_OPTIONS:
            shapes += [Shape((*lead, question), n) for n in range(1, page_size + 2)]
        else:
            shapes.append(Shape((*lead, question)))
    return shapes


def dlt_text(key: str, language: str, widths: Mapping[str, int] | None = None,
             greeting: Sequence[str] = ()) -> tuple[str, list[str]]:
    """A catalog message as DLT template text and its variable names.

    Each `{param}` becomes `{#var#}`, repeated `widths[param]` times for values longer than
    30 characters (a description, a note). A message of EVERY_LANGUAGE is a line in each of
    the `greeting` languages (the tenant's, the default first).
    """
    widths = widths or {}
    text: list[str] = []
    names: list[str] = []
    source = (("\n".join(translate(code, key) for code in greeting))
              if key in EVERY_LANGUAGE and greeting else translate(language, key))
    for literal, field, _, _ in Formatter().parse(source):
        text.append(literal)
        if field is not None:
            count = max(1, widths.get(field, 1))
            text.append(VAR * count)
            names += [field] * count
    return "".join(text), names


def shape_text(shape: Shape, language: str, widths: Mapping[str, int] | None = None,
               option_width: int = 2, greeting: Sequence[str] = ()) -> tuple[str, list[str]]:
    """A whole reply as DLT template text, laid out as the channel renders it (parts apart by
    a blank line, then `1. …` per option), with its variable names."""
    texts: list[str] = []
    names: list[str] = []
    for key in shape.keys:
        text, variables = dlt_text(key, language, widths, greeting)
        texts.append(text)
        names += [f"{key}:{name}" if len(shape.keys) > 1 else name for name in variables]
    body = "\n\n".join(texts)
    if shape.options:
        lines = [f"{n}. {VAR * option_width}" for n in range(1, shape.options + 1)]
        body += "\n\n" + "\n".join(lines)
        names += [f"choice.{n}" for n in range(1, shape.options + 1) for _ in range(option_width)]
    return body, names

