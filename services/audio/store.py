"""Where clips live: the rendered cache, its manifests, and per-tenant recorded overrides.

Layout under the audio directory (`NAGARSETU_AUDIO_DIR`, default `.nagarsetu/audio` relative to
the working directory; read only here):

    <lang>/<clip id>.wav                      rendered by espeak-ng (`nagarsetu audio build`)
    <lang>/manifest.json                      clip id -> text, voice and the hash of both
    <lang>/<clip id>.txt                      what a clip rendered at call time says (free
                                              text, a joined prompt): not in the manifest
    overrides/<tenant>/<lang>/<clip id>.wav   recorded audio for a city (pb.amritsar) or a
                                              whole state (pb); found before the rendered clip
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from i18n import LANGUAGES
from services.settings import Settings, get_settings

OVERRIDES = "overrides"
MANIFEST = "manifest.json"
CLIP_ID = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
TENANT = re.compile(r"[a-z]{2}(?:\.[a-z][a-z0-9_-]*)?")
LANGUAGE = re.compile(r"[a-z]{2,3}")


def audio_root(settings: Settings | None = None) -> Path:
    """The audio directory from settings (`NAGARSETU_AUDIO_DIR`, default `.nagarsetu/audio`)."""
    return Path((settings or get_settings()).audio_dir)


def valid_clip(clip: str) -> bool:
    """Whether a clip id is well formed (no separators, no dot-dot, nothing to escape with)."""
    return CLIP_ID.fullmatch(clip) is not None


def _scopes(tenant: str) -> list[str]:
    """The override scopes of a tenant, most specific first: pb.amritsar, then pb."""
    state = tenant.split(".", 1)[0]
    return [tenant, state] if state != tenant else [tenant]


@dataclass(frozen=True)
class ClipStore:
    """The clip files of one audio directory."""

    root: Path

    def language_dir(self, language: str) -> Path:
        """Rendered clips of a language."""
        if not LANGUAGE.fullmatch(language):
            raise ValueError(language)
        return self.root / language

    def rendered(self, language: str, clip: str) -> Path:
        """The rendered file of a clip (it may not exist)."""
        if not valid_clip(clip):
            raise ValueError(clip)
        return self.language_dir(language) / f"{clip}.wav"

    def overrides(self, language: str, clip: str, tenant: str) -> list[Path]:
        """Override files that would replace a clip for a tenant, most specific first."""
        if not TENANT.fullmatch(tenant):
            raise ValueError(tenant)
        name = self.rendered(language, clip).name
        return [self.root / OVERRIDES / scope / language / name for scope in _scopes(tenant)]

    def find(self, language: str, clip: str, tenant: str | None = None) -> Path | None:
        """The file to play: a tenant's (or its state's) recording, else the rendered clip."""
        candidates = self.overrides(language, clip, tenant) if tenant else []
        candidates.append(self.rendered(language, clip))
        return next((p for p in candidates if p.is_file()), None)

    def text_path(self, language: str, clip: str) -> Path:
        """Where the words of a clip outside the manifest are kept (beside its file)."""
        return self.rendered(language, clip).with_suffix(".txt")

    def write_text(self, language: str, clip: str, text: str) -> None:
        """Keep what a clip rendered at call time says (a free-text clip, a joined prompt)."""
        write_atomic(self.text_path(language, clip), text.encode())

    def said(self, language: str, clip: str) -> str | None:
        """What a clip says: its manifest text, else the text kept beside it, else what the
        catalogs make it say today; None if unknown (free text rendered before it was kept)."""
        text = self.read_manifest(language).get(clip, {}).get("text")
        if isinstance(text, str):
            return text
        try:
            return self.text_path(language, clip).read_text(encoding="utf-8")
        except OSError:
            pass
        from i18n.voice import clip_texts

        return clip_texts(language).get(clip) if language in LANGUAGES else None

    def manifest_path(self, language: str) -> Path:
        """The manifest of a language's rendered clips."""
        return self.language_dir(language) / MANIFEST

    def read_manifest(self, language: str) -> dict[str, dict[str, Any]]:
        """Clip id -> {text, voice, hash} as last built (empty when never built or unreadable)."""
        try:
            data = json.loads(self.manifest_path(language).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        clips = data.get("clips") if isinstance(data, dict) else None
        return clips if isinstance(clips, dict) else {}

    def write_manifest(self, language: str, engine: str, clips: dict[str, dict[str, Any]]) -> None:
        """Replace a language's manifest atomically."""
        path = self.manifest_path(language)
        body = {"engine": engine, "clips": dict(sorted(clips.items()))}
        write_atomic(path, json.dumps(body, ensure_ascii=False, indent=1).encode())


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def override_problems(store: ClipStore) -> list[tuple[Path, str]]:
    """Override files that cannot (or should no longer) replace a clip, with the reason.

    Misplaced or misnamed files, files that are not 8 kHz mono 16-bit WAV, ids that no clip has,
    and recordings whose text changed since: an override directory may keep a copy of the
    rendered manifest from when it was recorded, and its texts are compared with today's.
    """
    from services.audio.wav import TELEPHONE_RATE, WavError, read

    base = store.root / OVERRIDES
    problems: list[tuple[Path, str]] = []
    for path in sorted(base.glob("*/*/*")) if base.is_dir() else []:
        scope, language = path.parent.parent.name, path.parent.name
        if path.name == MANIFEST:
            continue
        if not (TENANT.fullmatch(scope) and LANGUAGE.fullmatch(language)):
            problems.append((path, "expected overrides/<tenant>/<language>/<clip id>.wav"))
            continue
        if path.suffix != ".wav" or not valid_clip(path.stem):
            problems.append((path, "not named <clip id>.wav"))
            continue
        try:
            clip = read(path)
        except (OSError, WavError):
            problems.append((path, "not a 16-bit PCM WAV file"))
            continue
        if clip.rate != TELEPHONE_RATE or clip.channels != 1:
            problems.append((path, f"{clip.rate} Hz, {clip.channels} channel(s): Exotel "
                                   "plays only 8 kHz mono 16-bit WAV"))
        problem = _text_problem(store, path, language)
        if problem:
            problems.append((path, problem))
    return problems


def _text_problem(store: ClipStore, path: Path, language: str) -> str | None:
    """Why a recording no longer matches its clip's text, if it does not."""
    current = store.read_manifest(language)
    if not current or path.stem.startswith("free."):
        return None
    if path.stem not in current:
        return "no such clip today"
    recorded = ClipStore(path.parent.parent).read_manifest(language)
    then = recorded.get(path.stem, {}).get("text")
    now = current[path.stem].get("text")
    return f"recorded for an older text; say now: {now}" if then not in (None, now) else None
