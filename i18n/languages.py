"""The languages NagarSetu can speak: codes, CLDR locales, scripts and names in their own script.

`KNOWN` lists every language the code knows how to format and recognise; `LANGUAGES` is the subset
that has a gettext catalog in `i18n/locales/`, so adding a catalog file is all it takes to add one
of these languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    """One language: gettext code, CLDR locale, endonym, script and direction."""

    code: str
    locale: str
    endonym: str
    script: str
    rtl: bool = False


KNOWN: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "en_IN", "English", "Latn"),
        Language("hi", "hi_IN", "हिन्दी", "Deva"),
        Language("bn", "bn_IN", "বাংলা", "Beng"),
        Language("mr", "mr_IN", "मराठी", "Deva"),
        Language("te", "te_IN", "తెలుగు", "Telu"),
        Language("ta", "ta_IN", "தமிழ்", "Taml"),
        Language("gu", "gu_IN", "ગુજરાતી", "Gujr"),
        Language("ur", "ur_IN", "اردو", "Arab", rtl=True),
        Language("kn", "kn_IN", "ಕನ್ನಡ", "Knda"),
        Language("or", "or_IN", "ଓଡ଼ିଆ", "Orya"),
        Language("ml", "ml_IN", "മലയാളം", "Mlym"),
        Language("pa", "pa_Guru_IN", "ਪੰਜਾਬੀ", "Guru"),
        Language("as", "as_IN", "অসমীয়া", "Beng"),
    )
}


def po_path(code: str) -> Path:
    """Where the `.po` file of a language lives."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


LANGUAGES: dict[str, Language] = {
    code: lang for code, lang in KNOWN.items() if po_path(code).is_file()
}

DEFAULT_LANGUAGE = "en"


def supported(code: str | None) -> bool:
    """Whether a catalog exists for this language code."""
    return code is not None and code in LANGUAGES


def endonym(code: str) -> str:
    """The language's own name in its own script (for language menus)."""
    return KNOWN[code].endonym
