"""Clips for IVR prompts: the audio route's URLs, rendering on demand, one joined file."""

from __future__ import annotations

import wave
from io import BytesIO
from pathlib import Path

import pytest

from i18n.voice import Clip, clips, free_clip, speak
from services.audio import render
from services.audio.routes import clip_url
from services.audio.store import ClipStore
from services.settings import Settings
from services.voice import clips as voice_clips
from services.voice.clips import Clips
from tests.services.audio.conftest import require_espeak


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a private audio directory."""
    return Settings(env="development", audio_dir=str(tmp_path / "audio"),  # type: ignore[call-arg]
                    public_base_url="https://nagarsetu.example.in")


def test_urls_are_the_audio_routes_and_missing_clips_are_rendered(settings: Settings) -> None:
    require_espeak()
    source = Clips(settings, "pb.amritsar")
    wanted = [*clips(speak("or", "ivr.goodbye")), free_clip("ଜଳ ଯୋଗାଣ")]
    urls = source.urls("or", wanted)
    assert urls == [clip_url(settings, "or", c.id, "pb.amritsar") for c in wanted]
    assert all(u.startswith("https://nagarsetu.example.in/audio/or/") for u in urls)
    store = ClipStore(Path(settings.audio_dir))
    assert all(store.rendered("or", c.id).is_file() for c in wanted)


def test_a_tenant_recording_is_used_not_rendered_again(settings: Settings,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store = ClipStore(Path(settings.audio_dir))
    recording = store.overrides("or", "digit.1", "pb.amritsar")[1]  # the state's (pb)
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF")
    rendered: list[str] = []

    def ensure(store: ClipStore, language: str, wanted: list[Clip]) -> list[str]:
        rendered.extend(c.id for c in wanted)
        return rendered

    monkeypatch.setattr(voice_clips, "ensure", ensure)
    url = Clips(settings, "pb.amritsar").urls("or", [Clip("digit.1", "1")])
    assert url == [clip_url(settings, "or", "digit.1", "pb.amritsar")] and rendered == []


def test_a_prompt_is_joined_into_one_telephone_wav(settings: Settings) -> None:
    require_espeak()
    source = Clips(settings, "pb.amritsar")
    pieces = [("en", c) for c in clips(speak("en", "ivr.no_input"))]
    pieces += [("hi", c) for c in clips(speak("hi", "ivr.goodbye"))]
    url = source.joined("en", pieces)
    assert url is not None and url == source.joined("en", pieces)  # same pieces, same file
    clip_id = url.rsplit("/", 1)[1].removesuffix(".wav")
    assert clip_id.startswith("prompt.")
    data = ClipStore(Path(settings.audio_dir)).rendered("en", clip_id).read_bytes()
    with wave.open(BytesIO(data)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        assert w.getnframes() > 8000


def test_without_espeak_no_clips_are_promised(settings: Settings,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object) -> list[str]:
        raise render.AudioError("espeak_missing")

    monkeypatch.setattr(voice_clips, "ensure", fail)
    source = Clips(settings, None)
    assert source.urls("or", [free_clip("ଜଳ")]) == []
    assert source.joined("or", [("or", free_clip("ଜଳ"))]) is None
