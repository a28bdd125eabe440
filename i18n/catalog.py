"""Gettext catalogs: `.po` files read with Babel and compiled in memory once per process."""

from __future__ import annotations

import gettext
import io
from functools import cache
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from i18n.languages import DEFAULT_LANGUAGE, LANGUAGES, po_path


class MissingMessage(LookupError):
    """A message id that no catalog knows; a programming error, caught by the catalog check."""


@cache
def _translations(code: str) -> gettext.GNUTranslations:
    """The language's compiled catalog: the `.mo` built at install time when it is current,
    else the `.po` compiled in memory (a translation corrected since install still counts)."""
    po = po_path(code)
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=LANGUAGES[code].locale)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@cache
def message_ids(code: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """Every message id present (and translated) in a language's catalog."""
    with po_path(code).open("rb") as fh:
        catalog = read_po(fh)
    return frozenset(str(m.id[0] if isinstance(m.id, tuple) else m.id)
                     for m in catalog if m.id and m.string and not m.fuzzy)


def has_message(key: str) -> bool:
    """Whether the default catalog defines this message id."""
    return key in message_ids(DEFAULT_LANGUAGE)


def translate(code: str, key: str, params: dict[str, Any] | None = None,
              count: int | None = None) -> str:
    """Render message `key` in language `code`, falling back to the default language."""
    if not has_message(key):
        raise MissingMessage(key)
    lang = code if code in LANGUAGES else DEFAULT_LANGUAGE
    tr = _translations(lang)
    if count is None:
        text = tr.gettext(key)
    else:
        text = tr.ngettext(key, key, count)
    if text == key and lang != DEFAULT_LANGUAGE:
        return translate(DEFAULT_LANGUAGE, key, params, count)
    values = dict(params or {})
    if count is not None:
        values.setdefault("count", count)
    return text.format(**values) if values else text
