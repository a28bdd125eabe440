"""Loose phonetic keys, so a place typed in Latin letters matches its name in any Indian script.

A citizen may write "Ranjeet Avenyu", "रंजीत एवेन्यू" or "ਰਣਜੀਤ ਐਵੇਨਿਊ" for the same locality. Every
script is first read letter by letter through the Unicode character names (DEVANAGARI LETTER RA,
GURMUKHI VOWEL SIGN II, ARABIC LETTER REH…), which name each letter's sound in Latin letters the
same way for all Brahmic scripts, with the inherent vowel added where no sign or virama follows.
The Latin result and typed Latin are then folded the same way (aspiration, vowel length, common
spelling swaps), so near spellings meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_VOWELS = frozenset("AEIOU")
_SPELLING = (("ph", "f"), ("w", "v"), ("z", "j"), ("q", "k"), ("x", "ks"), ("y", "i"),
             ("ee", "i"), ("oo", "u"), ("ou", "u"), ("au", "o"), ("ai", "e"), ("h", ""),
             # Tamil and Urdu spellings blur voicing and c/s; fold them everywhere alike
             ("c", "s"), ("d", "t"), ("g", "k"), ("b", "p"))


def _tokens(text: str) -> list[tuple[str, str]]:
    """Sounds of a text as (kind, latin) tokens: C consonant, V vowel, S inherent vowel, _ gap."""
    tokens: list[tuple[str, str]] = []
    for ch in unicodedata.normalize("NFC", text):
        name = unicodedata.name(ch, "")
        if ch.isascii():
            kind = "_" if not ch.isalnum() else ("V" if ch.lower() in "aeiou" else "C")
            tokens.append((kind, ch.lower() if ch.isalnum() else " "))
        elif " VOWEL SIGN " in name:
            tokens.append(("V", name.rsplit(" VOWEL SIGN ", 1)[1].split()[-1].lower()))
        elif name.endswith((" SIGN VIRAMA", " SIGN HALANT")) or "SUKUN" in name:
            tokens.append(("C", ""))  # an explicit "no vowel here"
        elif name.endswith((" SIGN ANUSVARA", " SIGN CANDRABINDU", " SIGN BINDI", "TIPPI")):
            tokens.append(("C", "n"))
        elif name.endswith("SIGN NUKTA") or unicodedata.category(ch).startswith("M"):
            continue
        elif " LETTER " in name:
            sound = name.split(" LETTER ", 1)[1].split()[0]
            if name.startswith("ARABIC"):
                tokens.append(("C", sound[0].lower()))
            elif set(sound) <= _VOWELS:
                tokens.append(("V", sound.lower()))
            else:
                tokens.append(("C", sound[:-1].lower() if sound.endswith("A") else sound.lower()))
                if sound.endswith("A"):
                    tokens.append(("S", "a"))
        else:
            tokens.append(("_", " "))
    return _inherent_vowels(tokens)


def _inherent_vowels(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Keep an inherent vowel only where it is spoken.

    It gives way to a vowel sign or a virama, is silent at the end of a word, and (right to
    left, as North Indian languages do) between a vowel-led consonant and one that carries a
    vowel: सुल्तानविंड is "sultanvind", not "sultanavinda".
    """
    out = [token for i, token in enumerate(tokens)  # a vowel sign or virama replaces it
           if not (token[0] == "S" and i + 1 < len(tokens)
                   and (tokens[i + 1][0] == "V" or tokens[i + 1] == ("C", "")))]
    for i in range(len(out) - 1, -1, -1):
        if out[i][0] != "S":
            continue
        after = out[i + 1:i + 3]
        if not after or after[0][0] == "_":
            out[i] = ("S", "")  # word-final
        elif (i >= 2 and out[i - 2][0] in "VS" and out[i - 2][1] and len(after) == 2
              and after[0][0] == "C" and after[0][1] and after[1][0] in "VS" and after[1][1]):
            out[i] = ("S", "")
    return out


@lru_cache(maxsize=4096)
def phonetic_key(text: str) -> str:
    """A folded sound-alike key of a name, comparable across scripts and spellings."""
    key = "".join(latin for _, latin in _tokens(text))
    for old, new in _SPELLING:
        key = key.replace(old, new)
    key = re.sub(r"(.)\1+", r"\1", key)  # doubled letters and long vowels
    key = re.sub(r"a(?=\s|$)", "", key)  # a spoken word-final schwa is often not written
    return " ".join(key.split())
