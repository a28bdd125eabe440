"""The languages NagarSetu speaks: codes, CLDR locales and names in their own script."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One language: gettext code, CLDR locale, endonym and script direction."""

    code: str
    locale: str
    endonym: str
    rtl: bool = False


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "en_IN", "English"),
        Language("hi", "hi_IN", "हिन्दी"),
    )
}

DEFAULT_LANGUAGE = "en"


def supported(code: str | None) -> bool:
    """Whether a catalog exists for this language code."""
    return code is not None and code in LANGUAGES


def endonym(code: str) -> str:
    """The language's own name in its own script (for language menus)."""
    return LANGUAGES[code].endonym
