"""The catalog check: every message the code uses exists, is translated, and renders everywhere."""

from __future__ import annotations

import gettext
import re
import string
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bots.engine import MORE, YES_NO
from bots.flow import AskText, Choose, Confirm, FromSlot, Invoke, KeyOf, Ref, Say, Static
from bots.flows import FLOWS
from bots.prompts import Localized, Msg
from i18n import DEFAULT_LANGUAGE, LANGUAGES, Keyword, MissingMessage, keyword, translate
from i18n.catalog import message_ids
from i18n.extract import TEMPLATE, collect
from i18n.languages import KNOWN, LOCALE_DIR, po_path
from i18n.normalize import keyword_words
from services.grievances.notes import NOTES
from services.grievances.registry import STATUSES

ROOT = Path(__file__).resolve().parents[2]
CODES = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
OTHER_CODES = [c for c in CODES if c != DEFAULT_LANGUAGE]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# ISO 15924 script code -> the prefix of its letters' Unicode names.
SCRIPT_NAMES = {
    "Deva": "DEVANAGARI", "Beng": "BENGALI", "Arab": "ARABIC", "Taml": "TAMIL",
    "Telu": "TELUGU", "Knda": "KANNADA", "Mlym": "MALAYALAM", "Gujr": "GUJARATI",
    "Guru": "GURMUKHI", "Orya": "ORIYA", "Latn": "LATIN",
}
MIN_SCRIPT_SHARE = 0.9
# Keywords the help text must teach (start and yes/no are taught where they are asked).
TAUGHT = (Keyword.MENU, Keyword.BACK, Keyword.HELP, Keyword.LANGUAGE, Keyword.STOP)
BUTTON_CHARS = 20  # the shortest button title among channels (WhatsApp reply buttons)
SMS_CHARS = 2 * 67  # two concatenated UCS-2 segments, before placeholders are filled


@cache
def catalog(code: str) -> Catalog:
    """A language's catalog as Babel reads it."""
    with po_path(code).open("rb") as fh:
        return read_po(fh, locale=LANGUAGES[code].locale if code in LANGUAGES else None)


def text(code: str, key: str) -> str:
    """The translation of one id (singular form)."""
    string_ = catalog(code)[key].string
    return str(string_[0] if isinstance(string_, tuple) else string_)


def fields(value: str) -> set[str]:
    """The `str.format` field names in a text."""
    return {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}


# --- what the code uses ------------------------------------------------------------------


def _add(found: dict[str, set[frozenset[str]]], key: str, params: Mapping[str, Any]) -> None:
    """Record one use of an id with the placeholder names it is given."""
    found.setdefault(key, set()).add(frozenset(params))
    for value in params.values():
        if isinstance(value, KeyOf):  # a status, or a standard note's name
            for name in (NOTES if value.prefix == "note." else STATUSES):
                _add(found, value.prefix + name, {})
        elif isinstance(value, Msg):
            _add(found, value.key, value.params)


def _label(found: dict[str, set[frozenset[str]]], label: Msg | Localized) -> None:
    """Record an option label's message."""
    if isinstance(label, Msg):
        _add(found, label.key, label.params)


@cache
def flow_ids() -> dict[str, set[frozenset[str]]]:
    """Ids reached by walking every step of every flow, plus the engine's own options."""
    found: dict[str, set[frozenset[str]]] = {}
    no_params: Mapping[str, Ref] = {}
    for flow in FLOWS.values():
        for step in flow.steps:
            if isinstance(step, Say):
                _add(found, step.key, step.params)
            elif isinstance(step, Confirm):
                _add(found, step.prompt, step.params)
                if step.no_label:
                    _add(found, step.no_label, no_params)
                if step.change_prompt:
                    _add(found, step.change_prompt, no_params)
                for option in step.change.options if step.change else ():
                    _label(found, option.label)
            elif isinstance(step, AskText):
                _add(found, step.prompt, no_params)
                _add(found, step.too_short, no_params)
            elif isinstance(step, Invoke):
                for key, _ in step.errors.values():
                    _add(found, key, no_params)
            elif isinstance(step, Choose):
                _add(found, step.prompt, no_params)
                if step.empty_prompt:
                    _add(found, step.empty_prompt, no_params)
                if isinstance(step.options, Static):
                    for option in step.options.options:
                        _label(found, option.label)
                elif isinstance(step.options, FromSlot):
                    for status in STATUSES:
                        item = {step.options.id_key: "X-1", "status": status,
                                "category_names": {"en": "Roads"}}
                        _label(found, step.options.label(item))
    for option in (MORE, *YES_NO):
        _label(found, option.label)
    return found


@cache
def extracted() -> dict[str, set[frozenset[str] | None]]:
    """Ids found in the source by i18n/extract.py (as babel.cfg maps it), with their params."""
    return {key: {found.params for _, found in uses} for key, uses in collect(ROOT).items()}


def used_ids() -> list[str]:
    """Every message id the code uses, by either method."""
    return sorted(set(extracted()) | set(flow_ids()))


def option_label_ids() -> list[str]:
    """Ids shown as option labels (buttons) rather than as messages."""
    labels = {o.label.key for o in (MORE, *YES_NO) if isinstance(o.label, Msg)}
    for flow in FLOWS.values():
        for step in flow.steps:
            if isinstance(step, Choose) and isinstance(step.options, Static):
                labels |= {o.label.key for o in step.options.options if isinstance(o.label, Msg)}
            elif isinstance(step, Confirm):
                labels |= {step.no_label} if step.no_label else set()
                labels |= {o.label.key for o in (step.change.options if step.change else ())
                           if isinstance(o.label, Msg)}
    return sorted(labels)


def catalog_ids(code: str) -> list[str]:
    """Every id in a language's catalog."""
    return sorted(str(m.id) for m in catalog(code) if m.id)


def pairs(codes: list[str], ids: list[str]) -> list[Any]:
    """Parameters named `language-id` so that a failure says what to fix."""
    return [pytest.param(code, key, id=f"{code}-{key}") for code in codes for key in ids]


# --- the checks --------------------------------------------------------------------------


def test_catalogs_exist_for_every_language() -> None:
    """Each supported language has a catalog and each catalog a supported language."""
    assert DEFAULT_LANGUAGE in CODES
    assert set(CODES) == set(LANGUAGES)


def test_code_uses_messages() -> None:
    """Both ways of finding ids find some (guards against a silently empty check)."""
    assert len(extracted()) > 20
    assert "menu.prompt" in flow_ids()


def test_extraction_sees_every_flow_id() -> None:
    """The source extraction finds every id the flows reach at run time."""
    assert set(flow_ids()) - set(extracted()) == set()


def test_template_is_up_to_date() -> None:
    """messages.pot holds exactly the extracted ids (regenerate: python -m i18n.extract)."""
    with (ROOT / TEMPLATE).open("rb") as fh:
        template = {str(m.id) for m in read_po(fh) if m.id}
    assert template == set(extracted())


@pytest.mark.parametrize("code", CODES)
def test_catalog_has_no_stale_ids(code: str) -> None:
    """A catalog holds no id the code no longer uses (run pybabel update)."""
    assert set(catalog_ids(code)) - set(used_ids()) == set()


@pytest.mark.parametrize(("code", "key"), pairs(CODES, used_ids()))
def test_message_is_translated(code: str, key: str) -> None:
    """Every used id is present, translated and not fuzzy in every catalog."""
    assert key in message_ids(code)


@pytest.mark.parametrize(("code", "key"), pairs(CODES, used_ids()))
def test_placeholders_are_plain_named_fields(code: str, key: str) -> None:
    """Placeholders are `{name}` only: no positions, formats, conversions or stray braces."""
    value = text(code, key)
    for _, name, spec, conversion in string.Formatter().parse(value):
        if name is not None:
            assert name.isidentifier(), name
            assert not spec and conversion is None, name


@pytest.mark.parametrize(("code", "key"), pairs(OTHER_CODES, used_ids()))
def test_placeholders_match_english(code: str, key: str) -> None:
    """A translation has exactly the English placeholders."""
    assert fields(text(code, key)) == fields(text(DEFAULT_LANGUAGE, key))


@pytest.mark.parametrize("key", used_ids())
def test_placeholders_match_code(key: str) -> None:
    """The English text uses exactly the parameters the code passes, wherever they are known."""
    passed = {p for p in extracted().get(key, set()) | flow_ids().get(key, set()) if p is not None}
    for params in passed:
        assert fields(text(DEFAULT_LANGUAGE, key)) == set(params)


@pytest.mark.parametrize("code", OTHER_CODES)
def test_script_is_known(code: str) -> None:
    """Every catalog is of a known language whose script the script check can read."""
    assert code in KNOWN
    assert KNOWN[code].script in SCRIPT_NAMES


@pytest.mark.parametrize(("code", "key"), pairs(OTHER_CODES, used_ids()))
def test_written_in_own_script(code: str, key: str) -> None:
    """At least 90% of a translation's letters (outside placeholders) are in its script."""
    translated = text(code, key)
    if key.startswith(("keyword.", "intent.")):  # word lists: the native word comes first
        translated = translated.split("|")[0]
    letters = [ch for ch in PLACEHOLDER.sub("", translated)
               if unicodedata.category(ch)[0] in "LM"]
    prefix = SCRIPT_NAMES[KNOWN[code].script] + " "
    native = [ch for ch in letters if unicodedata.name(ch, "").startswith(prefix)]
    if letters:
        assert len(native) / len(letters) >= MIN_SCRIPT_SHARE, text(code, key)


@pytest.mark.parametrize(("code", "key"), pairs(CODES, used_ids()))
def test_renders(code: str, key: str) -> None:
    """translate() renders the catalog text with every placeholder filled."""
    params = {name: f"<{name}>" for name in fields(text(DEFAULT_LANGUAGE, key))}
    rendered = translate(code, key, params)
    assert rendered == text(code, key).format(**params)
    assert all(value in rendered for value in params.values())


@pytest.mark.parametrize(("code", "key"), pairs(CODES, used_ids()))
def test_fits_sms(code: str, key: str) -> None:
    """Fixed text stays within two UCS-2 SMS segments."""
    assert len(PLACEHOLDER.sub("", text(code, key))) <= SMS_CHARS


@pytest.mark.parametrize(("code", "key"), pairs(CODES, option_label_ids()))
def test_option_labels_fit_buttons(code: str, key: str) -> None:
    """Option labels fit the shortest button title of any channel."""
    assert len(text(code, key)) <= BUTTON_CHARS


def test_unknown_language_falls_back_to_english() -> None:
    """An unsupported language code renders the English text."""
    for key in used_ids():
        params = {name: "x" for name in fields(text(DEFAULT_LANGUAGE, key))}
        assert translate("xx", key, params) == translate(DEFAULT_LANGUAGE, key, params)
    assert translate("hi", "menu.help") != translate("xx", "menu.help")


def test_unknown_message_is_an_error() -> None:
    """An id no catalog knows raises MissingMessage rather than showing the id."""
    with pytest.raises(MissingMessage):
        translate(DEFAULT_LANGUAGE, "no.such_message")


@pytest.mark.parametrize("code", CODES)
def test_headers(code: str) -> None:
    """Language, plural forms and charset headers are right; nothing is fuzzy."""
    raw = po_path(code).read_text(encoding="utf-8")
    language = re.search(r'^"Language: ([^\\"]+)\\n"$', raw, re.M)
    plural = re.search(r'^"Plural-Forms: ([^\\"]+)\\n"$', raw, re.M)
    assert language is not None and language.group(1).split("_")[0] == code
    assert plural is not None
    nplurals, _, expression = plural.group(1).partition(";")
    assert nplurals.strip() == "nplurals=2"
    chooses = gettext.c2py(expression.strip().removeprefix("plural=").rstrip(";"))
    cldr = Locale.parse(KNOWN[code].locale).plural_form
    for n in range(0, 202):  # the catalog's plural rule agrees with CLDR's for the language
        assert chooses(n) == (0 if cldr(n) == "one" else 1), n
    assert re.search(r'^"Content-Type: text/plain; charset=utf-8\\n"$', raw, re.M | re.I)
    assert [m.id for m in catalog(code) if m.id and m.fuzzy] == []


@pytest.mark.parametrize("code", CODES)
def test_help_names_the_keywords(code: str) -> None:
    """The help text tells the words that work everywhere, and each of them does work."""
    help_text = text(code, "help.text")
    for meaning in TAUGHT:
        word = keyword_words(code, meaning)[0]
        assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", help_text), word
        assert keyword(word) is meaning, word
