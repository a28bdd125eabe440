"""Keywords from every catalog: each word means one thing across all languages."""

from __future__ import annotations

import pytest

from i18n import LANGUAGES, Keyword, keyword
from i18n.normalize import clean, keyword_words

CODES = sorted(LANGUAGES)


def test_no_word_means_two_different_keywords_across_languages() -> None:
    meanings: dict[str, set[tuple[str, Keyword]]] = {}
    for code in CODES:
        for kw in Keyword:
            for word in keyword_words(code, kw):
                meanings.setdefault(clean(word), set()).add((code, kw))
    clashes = {w: m for w, m in meanings.items() if len({kw for _, kw in m}) > 1}
    assert clashes == {}


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("kw", list(Keyword))
def test_every_language_has_words_for_every_keyword(code: str, kw: Keyword) -> None:
    words = keyword_words(code, kw)
    assert words
    for word in words:
        assert not clean(word).isdecimal(), "digits are menu choices, not keywords"
        assert keyword(word) is kw
        assert keyword(word.upper()) is kw
        assert keyword(f"  {word}  ") is kw
        assert keyword(f"{word} {word}x") is None


@pytest.mark.parametrize("text", ["0", "०", "?"])
def test_universal_symbols(text: str) -> None:
    assert keyword(text) in (Keyword.MENU, Keyword.HELP)


def _mentions(text: str, word: str) -> bool:
    """Whether a message names a word as a whole (NFC, any quotes around it)."""
    import re
    import unicodedata

    folded = unicodedata.normalize("NFC", text)
    return re.search(rf"(?<!\w){re.escape(unicodedata.normalize('NFC', word))}(?!\w)",
                     folded) is not None


@pytest.mark.parametrize("code", CODES)
def test_messages_that_teach_a_word_teach_one_that_works(code: str) -> None:
    from i18n import translate

    filed = translate(code, "grievance.filed", {"id": "X", "due": "Y"})
    assert _mentions(filed, keyword_words(code, Keyword.MENU)[0])
    assert translate(code, "menu.track") in filed  # the option it tells them to choose
    stopped = translate(code, "optout.stopped")
    assert _mentions(stopped, keyword_words(code, Keyword.START)[0])
