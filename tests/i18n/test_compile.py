"""Catalogs compiled at install time say exactly what their `.po` files say."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from i18n import LANGUAGES
from i18n.compile import compile_catalogs
from i18n.languages import LOCALE_DIR


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the locale tree with every catalog compiled."""
    root = tmp_path_factory.mktemp("locales")
    shutil.copytree(LOCALE_DIR, root, dirs_exist_ok=True)
    for stale in root.glob("*/LC_MESSAGES/*.mo"):
        stale.unlink()
    written = compile_catalogs(root)
    assert {p.parent.parent.name for p in written} == set(LANGUAGES)
    return root


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_mo_matches_po(compiled: Path, code: str) -> None:
    folder = compiled / code / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    with (folder / "messages.po").open("rb") as fh:
        po = read_po(fh)
    entries = [m for m in po if m.id and m.string]
    assert entries
    for message in entries:
        assert mo.gettext(str(message.id)) == message.string


def test_the_install_compiled_the_project_catalogs() -> None:
    """`pip install` (./dev does it) runs the build hook: every catalog has its `.mo`."""
    for code in LANGUAGES:
        assert (LOCALE_DIR / code / "LC_MESSAGES" / "messages.mo").is_file(), code
