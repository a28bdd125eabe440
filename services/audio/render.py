"""Offline rendering of IVR clips with espeak-ng, incremental and parallel.

`build` renders every clip (`i18n.voice.clip_texts`) of every language that some provider can
only play from audio files (`i18n.voice.audio_languages`), or of the languages asked for. Each
clip is hashed from its text, voice, speed, espeak-ng version and output format; a clip whose
hash is in the manifest and whose file exists is kept, so a rebuild only redoes changed clips and
removes clips that no catalog needs any more. espeak-ng runs as a subprocess per clip (text on
stdin, WAV on stdout) in a thread pool; its output is deterministic for a given version.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from i18n import LANGUAGES
from i18n.voice import Clip, audio_languages, clip_texts, espeak_voice
from services.audio import wav
from services.audio.store import ClipStore, write_atomic

ESPEAK = "espeak-ng"
SPEED = 150  # words per minute; espeak's default 175 is hurried on a phone line
FORMAT = "wav-8k-mono-16-v1"  # change to re-render everything when the output changes
MIN_SECONDS = 0.1
TIMEOUT_SECONDS = 60
# espeak-ng reads a consonant + nukta sequence (as Unicode normalisation leaves it) letter by
# letter, naming each sign; the precomposed letters are read as speech.
_PRECOMPOSED = {
    "\u09af\u09bc": "\u09df", "\u09a1\u09bc": "\u09dc", "\u09a2\u09bc": "\u09dd",  # Bengali script
    "\u0b2f\u0b3c": "\u0b5f", "\u0b21\u0b3c": "\u0b5c", "\u0b22\u0b3c": "\u0b5d",  # Odia
}


class AudioError(RuntimeError):
    """Rendering failed; `code` says why (espeak_missing, espeak_failed, too_short)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def espeak() -> str:
    """The espeak-ng executable."""
    found = shutil.which(ESPEAK)
    if not found:
        raise AudioError("espeak_missing",
                         "espeak-ng is not installed; install Debian's espeak-ng package")
    return found


@cache
def engine() -> str:
    """espeak-ng's name and version ("eSpeak NG text-to-speech: 1.51")."""
    out = subprocess.run([espeak(), "--version"], capture_output=True, text=True,  # noqa: S603
                         timeout=TIMEOUT_SECONDS, check=False).stdout
    return out.split("Data at")[0].strip() or ESPEAK


def espeak_text(text: str) -> str:
    """Text as espeak-ng reads best (precomposed nukta letters)."""
    for sequence, letter in _PRECOMPOSED.items():
        text = text.replace(sequence, letter)
    return text


def synthesize(text: str, voice: str) -> bytes:
    """`text` spoken by espeak-ng voice `voice`, as an 8 kHz mono 16-bit WAV file."""
    command = [espeak(), "-v", voice, "-s", str(SPEED), "-b", "1", "--stdout"]
    done = subprocess.run(command, input=espeak_text(text).encode(),  # noqa: S603
                          capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    if done.returncode or not done.stdout:
        raise AudioError("espeak_failed", done.stderr.decode(errors="replace").strip())
    data = wav.telephone(done.stdout)
    if wav.parse(data).seconds <= MIN_SECONDS:
        raise AudioError("too_short", f"{voice}: {text!r}")
    return data


def clip_hash(text: str, voice: str) -> str:
    """What a rendered clip depends on, hashed."""
    key = "\0".join((FORMAT, engine(), voice, str(SPEED), text))
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class LanguageReport:
    """What a build did for one language."""

    language: str
    clips: int
    rendered: int
    removed: int


@dataclass(frozen=True)
class BuildReport:
    """What a build did, and how long it took."""

    languages: tuple[LanguageReport, ...]
    seconds: float

    @property
    def rendered(self) -> int:
        """Clips rendered in this build."""
        return sum(r.rendered for r in self.languages)

    @property
    def clips(self) -> int:
        """Clips the built languages have."""
        return sum(r.clips for r in self.languages)


def default_languages() -> list[str]:
    """Languages with a catalog that some provider can only play from clips."""
    return [code for code in audio_languages() if code in LANGUAGES]


def _render(store: ClipStore, language: str, clip: Clip) -> None:
    """Render one clip into its file."""
    write_atomic(store.rendered(language, clip.id), synthesize(clip.text, espeak_voice(language)))


def _plan(store: ClipStore, code: str) -> tuple[dict[str, dict[str, str]], list[Clip], int]:
    """A language's new manifest, the clips to render, and how many stale clips were removed."""
    voice, old = espeak_voice(code), store.read_manifest(code)
    texts = clip_texts(code)
    manifest = {cid: {"text": text, "voice": voice, "hash": clip_hash(text, voice)}
                for cid, text in texts.items()}
    todo = [Clip(cid, entry["text"]) for cid, entry in manifest.items()
            if old.get(cid, {}).get("hash") != entry["hash"]
            or not store.rendered(code, cid).is_file()]
    stale = [cid for cid in old if cid not in texts and store.rendered(code, cid).is_file()]
    for cid in stale:
        store.rendered(code, cid).unlink()
        store.text_path(code, cid).unlink(missing_ok=True)
    return manifest, todo, len(stale)


def build(store: ClipStore, languages: Iterable[str] | None = None, workers: int | None = None,
          progress: Callable[[str, str], None] | None = None) -> BuildReport:
    """Render what changed for `languages` (default: `default_languages()`); prune stale clips.

    A clip that fails to render stays out of the manifest (so the next build retries it) and the
    build raises `AudioError("render_failed")` after writing the manifests.
    """
    started = time.monotonic()
    codes = list(languages) if languages is not None else default_languages()
    espeak()
    planned = {code: _plan(store, code) for code in codes}
    failed: list[str] = []
    with ThreadPoolExecutor(max_workers=workers or 2 * (os.cpu_count() or 1)) as pool:
        futures = [(code, clip, pool.submit(_render, store, code, clip))
                   for code, (_, todo, _) in planned.items() for clip in todo]
        for code, clip, future in futures:
            try:
                future.result()
            except AudioError as exc:
                planned[code][0].pop(clip.id)
                failed.append(f"{code}/{clip.id}: {exc}")
            if progress:
                progress(code, clip.id)
    for code, (manifest, _, _) in planned.items():
        store.write_manifest(code, engine(), manifest)
    if failed:
        raise AudioError("render_failed", "; ".join(failed[:5]))
    reports = tuple(LanguageReport(code, len(manifest), len(todo), removed)
                    for code, (manifest, todo, removed) in planned.items())
    return BuildReport(reports, time.monotonic() - started)


def ensure(store: ClipStore, language: str, clips: Iterable[Clip]) -> list[str]:
    """Render the clips of a plan that have no file yet (free text at call time); their ids."""
    missing = {c.id: c for c in clips if not store.rendered(language, c.id).is_file()}
    for clip in missing.values():
        _render(store, language, clip)
        store.write_text(language, clip.id, clip.text)  # a free clip is in no manifest
    return list(missing)
