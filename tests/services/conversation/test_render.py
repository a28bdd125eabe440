"""Rendering a turn's replies: the greeting in the state's languages, and fitting to SMS cost."""

from __future__ import annotations

import unicodedata

from bots.prompts import AskKind, Brief, Localized, Msg, Option, Prompt
from channels.contract import Ask, Choice
from i18n import translate
from i18n.sms import sms_length
from services.conversation.render import fit, render_prompt
from services.conversation.runner import sms_measure

YES_NO = (Option("yes", Msg("common.yes")), Option("no", Msg("common.no")))
LONG = " ".join(["मेरी गली में दो दिन से पानी नहीं आ रहा और नाली भी जाम है"] * 12)  # ~670


def _confirm(description: str) -> Prompt:
    return Prompt((Msg("grievance.confirm", {
        "category": Localized({"en": "Water supply", "hi": "पानी की आपूर्ति"}),
        "locality": Localized({"en": "Model Town", "hi": "मॉडल टाउन"}),
        "description": Brief(description)}),), YES_NO, AskKind.CHOICE)


def _segments(channel_type: str, text: str, choices: tuple[Choice, ...]) -> int:
    measure = sms_measure(channel_type)
    assert measure is not None
    return measure(text, choices, Ask.CHOICE)


def test_the_greeting_has_a_line_per_language_each_in_its_own_script() -> None:
    prompt = Prompt((Msg("language.prompt", languages=("pa", "hi", "en")),),
                    (Option("pa", Localized({"pa": "ਪੰਜਾਬੀ"})),), AskKind.CHOICE)
    text, _, _ = render_prompt(prompt, "en")
    lines = text.split("\n")
    assert lines == [translate(code, "language.prompt") for code in ("pa", "hi", "en")]
    assert unicodedata.name(lines[0][0]).startswith("GURMUKHI")
    assert unicodedata.name(lines[1][0]).startswith("DEVANAGARI")


def test_a_long_description_is_echoed_shortened_on_sms() -> None:
    assert len(LONG) > 600
    full = fit([_confirm(LONG)], "hi", None)
    assert _segments("twilio-sms", full.text, full.choices) >= 10  # what it used to cost
    fitted = fit([_confirm(LONG)], "hi", sms_measure("twilio-sms"))
    rest = fit([_confirm("")], "hi", sms_measure("twilio-sms"))
    assert (_segments("twilio-sms", fitted.text, fitted.choices)
            <= _segments("twilio-sms", rest.text, rest.choices) + 1)
    echoed = fitted.parts[0].params["description"]
    assert echoed.endswith("…") and LONG.startswith(echoed[:-1])
    assert LONG[len(echoed) - 1] == " "  # cut between words
    assert echoed in fitted.text  # the template values rebuild the text


def test_a_description_that_fits_is_echoed_whole() -> None:
    short = "गली में पानी नहीं आ रहा"
    fitted = fit([_confirm(short)], "hi", sms_measure("twilio-sms"))
    assert fitted.parts[0].params["description"] == short


def test_other_channels_echo_the_whole_text() -> None:
    assert sms_measure("whatsapp-cloud") is None
    assert fit([_confirm(LONG)], "hi", None).parts[0].params["description"] == LONG


def test_a_courtesy_is_left_out_on_sms_where_it_costs_a_segment() -> None:
    menu = tuple(Option(o, Msg(k)) for o, k in (("grievance", "menu.file"),
                                                ("track", "menu.track"),
                                                ("language", "menu.language"),
                                                ("help", "menu.help")))
    prompt = Prompt((Msg("language.set", optional=True), Msg("menu.prompt")), menu,
                    AskKind.CHOICE)
    kept = fit([prompt], "hi", None)
    lean = fit([prompt], "hi", sms_measure("twilio-sms"))
    assert [p.key for p in kept.parts] == ["language.set", "menu.prompt"]
    assert [p.key for p in lean.parts] == ["menu.prompt"]
    assert sms_length(lean.text).segments < sms_length(kept.text).segments
    free = Prompt((Msg("language.set", optional=True), Msg("grievance.ask_description")))
    english = fit([free], "en", sms_measure("twilio-sms"))  # one segment either way: kept
    assert [p.key for p in english.parts] == ["language.set", "grievance.ask_description"]
