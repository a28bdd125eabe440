"""Telephone WAV in pure Python: parsing, encoding, resampling."""

from __future__ import annotations

import math
from array import array

import pytest

from services.audio import wav


def tone(rate: int, seconds: float, hz: float = 440.0) -> array[int]:
    """A sine tone."""
    return array("h", [int(8000 * math.sin(2 * math.pi * hz * i / rate))
                       for i in range(int(rate * seconds))])


def test_encode_and_parse_round_trip() -> None:
    samples = tone(8000, 0.5)
    decoded = wav.parse(wav.encode(samples))
    assert (decoded.rate, decoded.channels, decoded.samples) == (8000, 1, samples)
    assert decoded.seconds == pytest.approx(0.5)


def test_streamed_wav_with_a_bogus_size_reads_to_the_end() -> None:
    data = bytearray(wav.encode(tone(22050, 0.2), 22050))
    data[40:44] = (0x7FFFF000).to_bytes(4, "little")  # espeak-ng --stdout writes this
    assert wav.parse(bytes(data)).seconds == pytest.approx(0.2, abs=0.001)


def test_telephone_resamples_to_8k_and_keeps_duration() -> None:
    out = wav.parse(wav.telephone(wav.encode(tone(22050, 1.0), 22050)))
    assert out.rate == 8000 and out.seconds == pytest.approx(1.0, abs=0.001)
    assert max(out.samples) == pytest.approx(8000, rel=0.1)  # 440 Hz passes the low-pass


@pytest.mark.parametrize("junk", [b"", b"RIFF", b"RIFF\0\0\0\0WAVEdata\0\0\0\0", b"ID3" * 20])
def test_not_a_wav_is_refused(junk: bytes) -> None:
    with pytest.raises(wav.WavError):
        wav.parse(junk)
