"""16-bit PCM WAV in and out, and resampling to telephone audio (8 kHz mono), stdlib only.

Exotel plays only WAV at 8 kHz, mono, 16 bit; Twilio's `<Play>` takes it too, so every clip is
written that way. espeak-ng speaks at 22,050 Hz: the samples are averaged over three neighbours
(a crude low-pass) and linearly interpolated down, which is cheap in pure Python and good enough
for the robotic placeholder voice (a state's recordings replace it, see docs/voices.md).
"""

from __future__ import annotations

import struct
import sys
import threading
from array import array
from dataclasses import dataclass
from functools import cache
from operator import add, itemgetter
from pathlib import Path

TELEPHONE_RATE = 8000
_ONE = 1 << 16  # fixed-point 1.0 for interpolation weights
_GRID_LOCK = threading.Lock()
PCM = 1
HEADER = struct.Struct("<4sI4s")
CHUNK = struct.Struct("<4sI")
FMT = struct.Struct("<HHIIHH")


class WavError(ValueError):
    """Bytes that are not a 16-bit PCM WAV file."""


@dataclass(frozen=True)
class Wav:
    """Decoded 16-bit PCM audio (samples of the first channel)."""

    rate: int
    channels: int
    samples: array[int]

    @property
    def seconds(self) -> float:
        """Duration."""
        return len(self.samples) / self.rate if self.rate else 0.0


def _samples(data: bytes) -> array[int]:
    """Little-endian 16-bit samples as a native array."""
    samples = array("h")
    samples.frombytes(data[: len(data) - len(data) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def parse(data: bytes) -> Wav:
    """Decode a 16-bit PCM WAV; a streamed file's bogus data size is ignored (reads to the end)."""
    if len(data) < HEADER.size:
        raise WavError("short")
    riff, _size, wave = HEADER.unpack_from(data)
    if riff != b"RIFF" or wave != b"WAVE":
        raise WavError("not RIFF/WAVE")
    offset, fmt = HEADER.size, None
    while offset + CHUNK.size <= len(data):
        kind, size = CHUNK.unpack_from(data, offset)
        body = offset + CHUNK.size
        if kind == b"fmt ":
            fmt = FMT.unpack_from(data, body)
        elif kind == b"data":
            if fmt is None:
                raise WavError("data before fmt")
            audio_format, channels, rate, _byte_rate, _align, bits = fmt
            if audio_format != PCM or bits != 16 or channels < 1:
                raise WavError("not 16-bit PCM")
            samples = _samples(data[body: body + size])
            return Wav(rate, channels, samples[::channels] if channels > 1 else samples)
        offset = body + size + size % 2
    raise WavError("no data chunk")


def read(path: Path) -> Wav:
    """Decode a WAV file."""
    return parse(path.read_bytes())


@cache
def _grid(rate: int, target: int) -> tuple[list[int], list[int]]:
    """Source index and 16-bit interpolation weight of each output sample (grown on demand)."""
    return [], []


def _positions(rate: int, target: int, count: int) -> tuple[list[int], list[int]]:
    """The first `count` (index, weight) pairs of the resampling grid, computed once."""
    indices, weights = _grid(rate, target)
    step = rate / target
    with _GRID_LOCK:
        for i in range(len(indices), count):
            position = i * step
            indices.append(int(position))
            weights.append(int((position - int(position)) * _ONE))
        return indices[:count], weights[:count]


def resample(samples: array[int], rate: int, target: int = TELEPHONE_RATE) -> array[int]:
    """Samples at `rate` brought to `target` Hz by linear interpolation.

    Downsampling first averages three neighbours (a crude low-pass against aliasing). The work is
    done with C-level gathers and one comprehension, so a few seconds of audio take milliseconds.
    """
    if rate == target or len(samples) < 2:
        return array("h", samples)
    source = samples.tolist()
    padded = source[:1] + source + source[-1:] * 2
    indices, weights = _positions(rate, target, int((len(source) - 1) * target / rate))
    if len(indices) < 2:
        return array("h", source[: len(indices)])
    get = itemgetter(*indices)
    before, at, after, next_ = (get(padded[k:]) for k in range(4))
    if target < rate:
        lows = list(map(add, map(add, before, at), after))
        highs = list(map(add, map(add, at, after), next_))
        scale = 3 * _ONE
    else:
        lows, highs, scale = list(at), list(after), _ONE
    return array("h", [(a * (_ONE - w) + b * w) // scale
                       for a, b, w in zip(lows, highs, weights, strict=True)])


def encode(samples: array[int], rate: int = TELEPHONE_RATE) -> bytes:
    """A mono 16-bit PCM WAV file."""
    pcm = array("h", samples)
    if sys.byteorder == "big":
        pcm.byteswap()
    data = pcm.tobytes()
    fmt = FMT.pack(PCM, 1, rate, rate * 2, 2, 16)
    chunks = CHUNK.pack(b"fmt ", len(fmt)) + fmt + CHUNK.pack(b"data", len(data)) + data
    return HEADER.pack(b"RIFF", 4 + len(chunks), b"WAVE") + chunks


def telephone(data: bytes) -> bytes:
    """Any 16-bit PCM WAV as an 8 kHz mono 16-bit WAV."""
    wav = parse(data)
    return encode(resample(wav.samples, wav.rate))
