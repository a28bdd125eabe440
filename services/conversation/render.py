"""Rendering abstract prompts into a language: catalog text, master-data labels, dates.

Where length costs money (SMS: the runner passes a `Measure` of segments as sent), one turn's
replies are fitted before they are rendered (`fit`): a courtesy part (`Msg.optional`) is left
out when that saves a segment, and free text echoed back (`Brief`, a grievance description)
is shortened at a word boundary so it costs at most one segment more than the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bots.prompts import Brief, Date, Lines, Localized, Money, Msg, Param, Prompt, msg
from channels.contract import Ask, Choice, MessagePart
from i18n import format_date, translate
from i18n.format import format_rupees
from i18n.sms import shorten
from payments.money import rupees

BRIEF_EXTRA_SEGMENTS = 1
"""Segments a shortened echo of free text may add to the rest of its message."""
Measure = Callable[[str, tuple[Choice, ...], Ask], int]
"""The segments a text with its choices costs as the channel sends it."""

# Wording for channels whose choices are buttons without numbers (web chat, Telegram): the
# generic text says "type its number", which such a channel never shows.
TAP_WORDING: dict[str, Msg] = {
    "error.not_understood": msg("error.not_understood.tap"),
}


@dataclass(frozen=True)
class Rendered:
    """One turn's replies as one message."""

    text: str
    choices: tuple[Choice, ...]
    ask: Ask
    parts: list[MessagePart]


def render_param(value: Param, language: str, brief: int | None = None) -> str | int:
    """One parameter as text in the language (a Brief cut to `brief` characters if given)."""
    if isinstance(value, Msg):
        return render_msg(value, language, brief)
    if isinstance(value, Localized):
        return value.get(language)
    if isinstance(value, Date):
        return format_date(value.value, language)
    if isinstance(value, Brief):
        return value.text if brief is None else shorten(value.text, brief)
    if isinstance(value, Money):
        return format_rupees(rupees(value.paise), language)
    if isinstance(value, Lines):
        return "\n".join(render_msg(item, language, brief) for item in value.items)
    return value


def render_msg(message: Msg, language: str, brief: int | None = None) -> str:
    """A catalog message with its parameters, in the language (or a line in each of its
    own languages)."""
    lines = []
    for code in message.languages or (language,):
        params = {k: render_param(v, code, brief) for k, v in message.params.items()}
        lines.append(translate(code, message.key, params, message.count))
    return "\n".join(lines)


def for_buttons(message: Msg) -> Msg:
    """The message as said where choices are unnumbered buttons (same parameters)."""
    tap = TAP_WORDING.get(message.key)
    return message if tap is None else Msg(tap.key, message.params, message.count)


def worded_for(prompt: Prompt, numbered: bool) -> Prompt:
    """The prompt as a channel shows it: `numbered=False` for one whose choices are buttons
    without numbers (its wording never says "type its number")."""
    return prompt if numbered else replace(prompt, parts=tuple(for_buttons(p)
                                                                for p in prompt.parts))


def render_prompt(prompt: Prompt, language: str, brief: int | None = None,
                  numbered: bool = True) -> tuple[str, tuple[Choice, ...], Ask]:
    """Text, choices and expected answer of a prompt, in the language (`numbered=False`: for
    a channel whose choices are buttons without numbers)."""
    prompt = worded_for(prompt, numbered)
    text = "\n\n".join(render_msg(part, language, brief) for part in prompt.parts)
    choices = tuple(Choice(o.id, str(render_param(o.label, language))) for o in prompt.options)
    return text, choices, Ask(prompt.ask.value)


def render_parts(prompt: Prompt, language: str, brief: int | None = None) -> list[MessagePart]:
    """The catalog messages of a prompt with their parameters rendered as text."""
    return [MessagePart(part.key, {k: str(render_param(v, language, brief))
                                   for k, v in part.params.items()})
            for part in prompt.parts]


def join(prompts: Sequence[Prompt], language: str, brief: int | None = None) -> Rendered:
    """Replies as one message: their texts, and the choices and ask of the last."""
    rendered = [render_prompt(prompt, language, brief) for prompt in prompts]
    text = "\n\n".join(part[0] for part in rendered if part[0])
    _, choices, ask = rendered[-1]
    parts = [part for prompt in prompts for part in render_parts(prompt, language, brief)]
    return Rendered(text, choices, ask, parts)


def _cost(measure: Measure, rendered: Rendered) -> int:
    return measure(rendered.text, rendered.choices, rendered.ask)


def _briefs(prompts: Sequence[Prompt]) -> int:
    """The length of the longest Brief in the prompts (0: none)."""
    found = [len(v.text) for p in prompts for part in p.parts for v in part.params.values()
             if isinstance(v, Brief)]
    return max(found, default=0)


def _without_courtesies(prompts: Sequence[Prompt]) -> list[Prompt]:
    """The prompts with their optional parts left out (a prompt left empty stays whole)."""
    kept = []
    for prompt in prompts:
        parts = tuple(part for part in prompt.parts if not part.optional)
        kept.append(replace(prompt, parts=parts) if parts or prompt.options else prompt)
    return kept


def fit(prompts: Sequence[Prompt], language: str, measure: Measure | None) -> Rendered:
    """One turn's replies as one message, fitted to what the channel charges for."""
    if measure is None:
        return join(prompts, language)
    chosen = list(prompts)
    lean = _without_courtesies(chosen)
    if lean != chosen and _cost(measure, join(lean, language)) < _cost(
            measure, join(chosen, language)):
        chosen = lean
    longest = _briefs(chosen)
    full = join(chosen, language)
    if not longest:
        return full
    budget = _cost(measure, join(chosen, language, 0)) + BRIEF_EXTRA_SEGMENTS
    if _cost(measure, full) <= budget:
        return full
    low, high = 0, longest  # the longest cut that keeps within the budget
    while low < high:
        middle = (low + high + 1) // 2
        if _cost(measure, join(chosen, language, middle)) <= budget:
            low = middle
        else:
            high = middle - 1
    return join(chosen, language, low)
