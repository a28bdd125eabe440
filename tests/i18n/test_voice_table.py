"""The voice table: every known language has a call voice on every provider, or clips instead."""

from __future__ import annotations

import re

import pytest

from i18n.languages import KNOWN
from i18n.voice import (
    LANGUAGE_VOICES,
    Provider,
    audio_languages,
    espeak_voice,
    needs_audio_files,
    speech_language,
    voice_for,
)

# What the providers' docs confirm (see i18n/voice/table.py for the sources and the date).
NO_TTS = {Provider.TWILIO: {"ur", "or", "as"}, Provider.EXOTEL: {"ur", "or", "as"}}
TWILIO_SPEECH = {"en", "hi", "bn", "mr", "te", "ta", "gu", "kn", "ml", "ur"}


def test_every_known_language_has_a_voice_entry() -> None:
    assert set(LANGUAGE_VOICES) == set(KNOWN)
    for code, voice in LANGUAGE_VOICES.items():
        assert voice.bcp47 == f"{code}-IN"
        assert espeak_voice(code)


@pytest.mark.parametrize("provider", list(Provider))
@pytest.mark.parametrize("code", list(KNOWN))
def test_needs_audio_files_exactly_where_the_provider_has_no_tts(code: str,
                                                                 provider: Provider) -> None:
    voice = voice_for(code, provider)
    assert voice.code == code and voice.provider is provider
    assert voice.language == f"{code}-IN"
    assert needs_audio_files(code, provider) is (code in NO_TTS[provider])
    assert needs_audio_files(code, provider.value) is voice.needs_audio_files


@pytest.mark.parametrize("code", list(KNOWN))
def test_twilio_voices_are_google_voices_of_the_language(code: str) -> None:
    tts = voice_for(code, "twilio").tts_voice
    if code in NO_TTS[Provider.TWILIO]:
        assert tts is None
    else:
        assert tts is not None
        assert re.fullmatch(rf"Google\.{code}-IN-(Standard|Wavenet)-[A-F]", tts), tts


@pytest.mark.parametrize("code", list(KNOWN))
def test_speech_recognition_or_dtmf_fallback(code: str) -> None:
    assert speech_language(code, "twilio") == (f"{code}-IN" if code in TWILIO_SPEECH else None)
    assert speech_language(code, "exotel") is None  # Exotel gathers keypad digits only


def test_the_clip_languages_are_those_without_tts_somewhere() -> None:
    assert audio_languages() == [c for c in KNOWN if c in {"ur", "or", "as"}]


def test_unknown_provider_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="plivo"):
        voice_for("hi", "plivo")
    with pytest.raises(KeyError):
        voice_for("fr", "twilio")
