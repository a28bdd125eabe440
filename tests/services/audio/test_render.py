"""Offline rendering: every clip of every language without provider TTS, built incrementally."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest

from i18n import LANGUAGES
from i18n.languages import KNOWN
from i18n.voice import (
    Provider,
    clip_texts,
    clips,
    espeak_voice,
    needs_audio_files,
    speak,
    spoken_message_ids,
)
from services.audio import wav
from services.audio.render import AudioError, build, ensure, synthesize
from services.audio.store import ClipStore
from tests.services.audio.conftest import Built, require_espeak, sample_params


def assert_clip(path: Path) -> None:
    """A non-empty telephone WAV longer than a tenth of a second."""
    assert path.is_file(), f"missing clip {path}"
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2), path
        assert w.getnframes() / w.getframerate() > 0.1, path
    assert wav.parse(data).seconds > 0.1


def test_every_clip_of_every_prompt_exists_for_languages_without_tts(built: Built) -> None:
    report = built.report()
    no_tts = [c for c in LANGUAGES if any(needs_audio_files(c, p) for p in Provider)]
    assert no_tts and {r.language for r in report.languages} == set(no_tts)
    print(f"built {report.clips} clips of {len(no_tts)} languages in {report.seconds:.1f} s")
    for code in no_tts:
        inventory = clip_texts(code)
        for clip_id in inventory:
            assert_clip(built.store.rendered(code, clip_id))
        for key in spoken_message_ids():
            for clip in clips(speak(code, key, sample_params(key))):
                if not clip.id.startswith("free."):
                    assert clip.id in inventory
                    assert_clip(built.store.rendered(code, clip.id))
        manifest = json.loads(built.store.manifest_path(code).read_text(encoding="utf-8"))
        assert set(manifest["clips"]) == set(inventory)


def test_a_rebuild_only_redoes_changed_clips(built: Built, tmp_path: Path,
                                            clip_language: str) -> None:
    store = built.copy(tmp_path / "audio")
    code = clip_language
    assert build(store, [code]).rendered == 0
    manifest = store.read_manifest(code)
    manifest["digit.1"]["hash"] = "changed"
    manifest["gone.0"] = {"text": "x", "voice": espeak_voice(code), "hash": "h"}
    store.write_manifest(code, "test", manifest)
    store.rendered(code, "gone.0").write_bytes(b"old")
    store.rendered(code, "month.3").unlink()
    report = build(store, [code]).languages[0]
    assert (report.rendered, report.removed) == (2, 1)
    assert not store.rendered(code, "gone.0").exists()
    assert_clip(store.rendered(code, "month.3"))


def test_rendering_is_deterministic(built: Built, clip_language: str) -> None:
    built.report()
    code = clip_language
    text = clip_texts(code)["menu.prompt.0"]
    fresh = synthesize(text, espeak_voice(code))
    assert fresh == synthesize(text, espeak_voice(code))
    assert fresh == built.store.rendered(code, "menu.prompt.0").read_bytes()


def test_free_text_is_rendered_on_demand(built: Built, tmp_path: Path,
                                         clip_language: str) -> None:
    store = built.copy(tmp_path / "audio")
    plan = speak(clip_language, "notify.office_note", {"note": "Ward 5"})
    assert ensure(store, clip_language, clips(plan)) == [clips(plan)[-1].id]
    assert_clip(store.rendered(clip_language, clips(plan)[-1].id))
    assert ensure(store, clip_language, clips(plan)) == []


def test_espeak_has_a_voice_for_every_known_language() -> None:
    require_espeak()
    for code in KNOWN:  # an unknown voice makes espeak-ng exit 1 (AudioError espeak_failed)
        assert wav.parse(synthesize("45", espeak_voice(code))).seconds > 0.1, code


def test_nukta_letters_are_spoken_not_spelled() -> None:
    require_espeak()
    # Assamese "অসমীয়া" as Unicode normalisation leaves it (ya + nukta): espeak-ng spells
    # decomposed nukta letters sign by sign, which takes far longer than saying the word.
    word = "\u0985\u09b8\u09ae\u09c0\u09af\u09bc\u09be"
    assert wav.parse(synthesize(word, "as")).seconds < 1.5


def test_store_paths_refuse_what_is_not_a_clip(tmp_path: Path) -> None:
    store = ClipStore(tmp_path)
    for bad in ("../x", "a/b", "", ".hidden", "a..b"):
        try:
            store.rendered("or", bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_a_missing_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AudioError) as raised:
        build(ClipStore(tmp_path), ["or"])
    assert raised.value.code == "espeak_missing"
    assert "espeak-ng" in raised.value.detail
