"""TrueType fonts for every script of NagarSetu's languages (Noto, SIL Open Font License).

The files are not in the repository: `./dev` (and the build hook) fetch them with `npm ci` into
`services/web/vendor/node_modules/` from the committed `package-lock.json`, which pins each
package by its integrity hash. The web chat serves them (`/fonts/...`, see `services/web/
webchat.py`); anything drawing text itself (PDF receipts) opens `font_file(script)`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from i18n.languages import KNOWN

VENDOR = Path(__file__).parent / "web" / "vendor"
PACKAGES = VENDOR / "node_modules" / "@expo-google-fonts"
WEIGHTS = {400: "400Regular", 700: "700Bold"}
# ISO 15924 script code -> (npm package under @expo-google-fonts, file name stem).
FAMILIES: dict[str, tuple[str, str]] = {
    "Latn": ("noto-sans", "NotoSans"),
    "Deva": ("noto-sans-devanagari", "NotoSansDevanagari"),
    "Beng": ("noto-sans-bengali", "NotoSansBengali"),
    "Guru": ("noto-sans-gurmukhi", "NotoSansGurmukhi"),
    "Gujr": ("noto-sans-gujarati", "NotoSansGujarati"),
    "Orya": ("noto-sans-oriya", "NotoSansOriya"),
    "Taml": ("noto-sans-tamil", "NotoSansTamil"),
    "Telu": ("noto-sans-telugu", "NotoSansTelugu"),
    "Knda": ("noto-sans-kannada", "NotoSansKannada"),
    "Mlym": ("noto-sans-malayalam", "NotoSansMalayalam"),
    "Arab": ("noto-nastaliq-urdu", "NotoNastaliqUrdu"),  # Urdu's own style, Nastaliq
}
SCRIPTS = tuple(FAMILIES)


class FontsMissing(FileNotFoundError):
    """The font files were never fetched: run `./dev run` / `./dev test` (they run `npm ci`)."""


def font_file(script: str, weight: int = 400) -> Path:
    """The TTF file for an ISO 15924 script code ("Deva", "Taml", "Arab", ...), 400 or 700.

    KeyError for a script or weight we ship no font for; FontsMissing when not fetched yet.
    """
    package, stem = FAMILIES[script]
    style = WEIGHTS[weight]
    path = PACKAGES / package / style / f"{stem}_{style}.ttf"
    if not path.is_file():
        raise FontsMissing(f"{path} is missing: run `npm ci` in {VENDOR} (./dev does it)")
    return path


def script_for_language(code: str) -> str:
    """The script a language code is written in here ("hi" -> "Deva", "ur" -> "Arab")."""
    return KNOWN[code].script


@cache
def version() -> str:
    """The vendor package's version: part of the font URLs, so they can be cached for a year."""
    data = json.loads((VENDOR / "package.json").read_text(encoding="utf-8"))
    return str(data["version"])
