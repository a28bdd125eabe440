"""Which font a receipt in a language is set in: Noto per script, from `services.fonts`
(fetched at install by `./dev`, never kept in the repository)."""

from __future__ import annotations

from pathlib import Path

from services.fonts import FontsMissing, font_file, script_for_language

RTL = frozenset({"ur"})


class FontMissing(LookupError):
    """No font file for a script on this machine."""

    code = "font_missing"


def script_of(lang: str) -> str:
    """The ISO 15924 script a language is written in (Latin for unknown codes)."""
    try:
        return script_for_language(lang)
    except KeyError:
        return "Latn"


def font_path(script: str) -> Path:
    """The TTF for a script; FontMissing when it is not installed."""
    try:
        return font_file(script)
    except (KeyError, FontsMissing):
        raise FontMissing(script) from None
