"""Audio clips for IVR prompts: public URLs for an adapter, missing clips rendered on demand.

Adapters reach this through `channels.base.ClipSource`. A clip is looked up as the audio route
serves it (the tenant's recording, its state's, else the rendered clip); one that has no file
yet (run-time text such as a category name, or a language never built) is rendered with
espeak-ng on the spot. `joined` concatenates a whole prompt into one 8 kHz WAV for providers
that take a single file (Exotel's Gather applet): `prompt.<hash>`, named after the files it
joins, so it changes when any of them does. Like `free.<hash>` clips it is a cache; the words
of both are kept beside the file (`ClipStore.said`), so a simulated caller can show them.
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from collections.abc import Iterable, Sequence

from i18n.voice import Clip
from services.audio import wav
from services.audio.render import AudioError, ensure
from services.audio.routes import clip_url
from services.audio.store import ClipStore, audio_root, write_atomic
from services.settings import Settings

log = logging.getLogger(__name__)
GAP_SECONDS = 0.1
"""Silence between joined clips."""


SENTENCE_ENDS = (".", "?", "!", "।", "॥", "۔", "؟")
"""Where a joined prompt's words start a new line (Latin, Devanagari and Urdu full stops)."""


def _spoken(texts: Iterable[str]) -> str:
    """The words of clips played in a row, as sentences, one per line."""
    out = ""
    for text in (t.strip() for t in texts):
        if text:
            out += ("" if not out or out.endswith("\n") else " ") + text
            out += "\n" if text.endswith(SENTENCE_ENDS) else ""
    return out.strip()


class Clips:
    """The clip URLs of one tenant (its recordings first), rendering what is missing."""

    def __init__(self, settings: Settings, tenant: str | None) -> None:
        self.settings = settings
        self.tenant = tenant
        self.store = ClipStore(audio_root(settings))

    def _ready(self, language: str, clips: Iterable[Clip]) -> bool:
        """Render the clips that have no file; False when rendering is impossible."""
        clips = list(clips)
        missing = [c for c in clips if self.store.find(language, c.id, self.tenant) is None]
        for clip in clips:  # free text rendered before its words were kept beside it
            if clip.id.startswith("free.") and clip not in missing \
                    and not self.store.text_path(language, clip.id).is_file():
                self.store.write_text(language, clip.id, clip.text)
        try:
            ensure(self.store, language, missing)
        except AudioError as exc:
            log.warning("cannot render %d IVR clip(s) in %s: %s", len(missing), language,
                        exc.code)
            return False
        return True

    def urls(self, language: str, clips: Sequence[Clip]) -> list[str]:
        """One public URL per clip, in order; empty when they cannot be made."""
        if not clips or not self._ready(language, clips):
            return []
        return [clip_url(self.settings, language, c.id, self.tenant) for c in clips]

    def joined(self, language: str, pieces: Sequence[tuple[str, Clip]]) -> str | None:
        """The URL of one WAV playing (language, clip) pieces in order; None if impossible."""
        by_language: dict[str, list[Clip]] = {}
        for code, clip in pieces:
            by_language.setdefault(code, []).append(clip)
        if not pieces or not all(self._ready(code, c) for code, c in by_language.items()):
            return None
        files = [self.store.find(code, clip.id, self.tenant) for code, clip in pieces]
        if any(path is None for path in files):
            return None
        key = hashlib.sha256()
        for path in files:
            assert path is not None
            stat = path.stat()
            key.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
        clip_id = "prompt." + key.hexdigest()[:16]
        target = self.store.rendered(language, clip_id)
        if not target.is_file():
            samples: array[int] = array("h")
            gap = array("h", bytes(2 * int(wav.TELEPHONE_RATE * GAP_SECONDS)))
            for path in files:
                assert path is not None
                try:
                    audio = wav.read(path)
                except (OSError, wav.WavError) as exc:
                    log.warning("IVR clip %s cannot be joined: %s", path.name, exc)
                    return None
                samples += wav.resample(audio.samples, audio.rate) + gap
            write_atomic(target, wav.encode(samples))
        if not self.store.text_path(language, clip_id).is_file():  # for the terminal phone
            self.store.write_text(language, clip_id, _spoken(c.text for _, c in pieces))
        return f"{self.settings.base_url}/audio/{language}/{clip_id}.wav"
