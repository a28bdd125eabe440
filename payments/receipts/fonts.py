"""Which font a receipt in a language is set in: Noto per script, from `services.fonts`.

Until `services.fonts` is installed, fonts are read from `NAGARSETU_RECEIPT_FONT_DIR`
(`<script>.ttf`); no font file is kept in the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

SCRIPTS = {"en": "latin", "hi": "devanagari", "mr": "devanagari", "bn": "bengali",
           "as": "bengali", "pa": "gurmukhi", "gu": "gujarati", "or": "oriya", "ta": "tamil",
           "te": "telugu", "kn": "kannada", "ml": "malayalam", "ur": "arabic"}
"""The script of each language's catalog."""
RTL = frozenset({"ur"})


class FontMissing(LookupError):
    """No font file for a script on this machine."""

    code = "font_missing"


def script_of(lang: str) -> str:
    """The script a language is written in (Latin for unknown codes)."""
    return SCRIPTS.get(lang, "latin")


def font_path(script: str) -> Path:
    """The TTF for a script; FontMissing when it is not installed."""
    try:
        from services.fonts import font_file  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        root = os.environ.get("NAGARSETU_RECEIPT_FONT_DIR")
        path = Path(root) / f"{script}.ttf" if root else None
        if path is None or not path.is_file():
            raise FontMissing(script) from None
        return path
    found: Path = font_file(script)
    return found
