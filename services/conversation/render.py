"""Rendering abstract prompts into a language: catalog text, master-data labels, dates."""

from __future__ import annotations

from bots.prompts import Date, Localized, Msg, Param, Prompt, msg
from channels.contract import Ask, Choice, MessagePart
from i18n import format_date, translate

# Wording for channels whose choices are buttons without numbers (web chat, Telegram): the
# generic text says "type its number", which such a channel never shows.
TAP_WORDING: dict[str, Msg] = {
    "error.not_understood": msg("error.not_understood.tap"),
}


def render_param(value: Param, language: str) -> str | int:
    """One parameter as text in the language."""
    if isinstance(value, Msg):
        return render_msg(value, language)
    if isinstance(value, Localized):
        return value.get(language)
    if isinstance(value, Date):
        return format_date(value.value, language)
    return value


def render_msg(message: Msg, language: str) -> str:
    """A catalog message with its parameters, in the language."""
    params = {k: render_param(v, language) for k, v in message.params.items()}
    return translate(language, message.key, params, message.count)


def for_buttons(message: Msg) -> Msg:
    """The message as said where choices are unnumbered buttons (same parameters)."""
    tap = TAP_WORDING.get(message.key)
    return message if tap is None else Msg(tap.key, message.params, message.count)


def render_prompt(prompt: Prompt, language: str,
                  numbered: bool = True) -> tuple[str, tuple[Choice, ...], Ask]:
    """Text, choices and expected answer of a prompt, in the language; `numbered=False` for a
    channel that shows choices as buttons without numbers."""
    parts = prompt.parts if numbered else tuple(for_buttons(part) for part in prompt.parts)
    text = "\n\n".join(render_msg(part, language) for part in parts)
    choices = tuple(Choice(o.id, str(render_param(o.label, language))) for o in prompt.options)
    return text, choices, Ask(prompt.ask.value)


def render_parts(prompt: Prompt, language: str) -> list[MessagePart]:
    """The catalog messages of a prompt with their parameters rendered as text."""
    return [MessagePart(part.key, {k: str(render_param(v, language))
                                   for k, v in part.params.items()})
            for part in prompt.parts]
