"""Compiling the `.po` catalogs to `.mo` files, at build/install time (hatch build hook).

The gateway prefers a `.mo` that is at least as new as its `.po`, and otherwise compiles the
`.po` in memory, so a corrected translation takes effect on restart even without reinstalling.
Only Babel and the standard library are used here: the build hook loads this file by path.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalogs(locale_dir: Path) -> list[Path]:
    """Write `messages.mo` beside every `messages.po` under `locale_dir`; returns the files."""
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name.replace("-", "_"))
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    return written


if __name__ == "__main__":
    from i18n.languages import LOCALE_DIR

    print(f"compiled {len(compile_catalogs(LOCALE_DIR))} catalogs")
