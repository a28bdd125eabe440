"""Which voice speaks each language on a call: provider TTS, speech recognition, offline espeak-ng.

Only what the providers' documentation confirms is recorded here; a language a provider cannot
speak is played from audio clips (`needs_audio_files`) and one it cannot recognise is answered
with the keypad (`speech_language` is None -> DTMF only). Checked on 2026-11-26 against:

- Twilio `<Say>`: twilio.com/docs/voice/twiml/say/text-speech ("Available voices and languages"),
  read through two machine-made copies of that table (one generated on 2025-05-25, an older one
  kept by another voice app). Both list Google voices for en, hi, bn, mr, te, ta, gu, kn, ml and pa
  (India) and none for Urdu, Odia or Assamese. The voice chosen per language is a female voice
  present in BOTH copies (hence bn/gu/kn/ta "-C" and ml "Wavenet-C").
- Twilio `<Gather input="speech">`: twilio.com/docs/voice/twiml/gather#languagetags, read through
  a copy of Twilio's speech-recognition list in another voice app: en, hi, bn, mr, te, ta, gu, kn,
  ml and ur with "-IN". Punjabi (Google's `pa-Guru-IN`) is absent from that copy, so it is left
  unconfirmed (DTMF) here; Odia and Assamese are not offered.
- Exotel: developer.exotel.com/docs/advanced-config/tts-config lists TTS (Greeting/IVR applets,
  female voice for all) for en, hi, ta, te, kn, ml, bn, mr, gu and pa (India); its Gather applet
  takes keypad digits only (support.exotel.com "Working with Gather applet"); dynamic audio must be
  WAV, 8 kHz, mono, 16-bit (support.exotel.com article 84548).
- espeak-ng 1.51 (Debian): `espeak-ng --voices` has a voice for every language below; English has
  no Indian variant, so the default English voice is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from i18n.languages import KNOWN


class Provider(StrEnum):
    """Voice-call providers whose language support this table knows."""

    TWILIO = "twilio"
    EXOTEL = "exotel"


@dataclass(frozen=True)
class LanguageVoice:
    """The provider-independent voice facts of one language."""

    code: str
    bcp47: str
    espeak: str


@dataclass(frozen=True)
class ProviderVoice:
    """How one provider speaks and hears one language on a call."""

    provider: Provider
    code: str
    language: str
    tts_voice: str | None
    speech: str | None

    @property
    def needs_audio_files(self) -> bool:
        """True when the provider has no TTS for the language: prompts are played from clips."""
        return self.tts_voice is None


LANGUAGE_VOICES: dict[str, LanguageVoice] = {
    v.code: v
    for v in (
        LanguageVoice("en", "en-IN", "en"),
        LanguageVoice("hi", "hi-IN", "hi"),
        LanguageVoice("bn", "bn-IN", "bn"),
        LanguageVoice("mr", "mr-IN", "mr"),
        LanguageVoice("te", "te-IN", "te"),
        LanguageVoice("ta", "ta-IN", "ta"),
        LanguageVoice("gu", "gu-IN", "gu"),
        LanguageVoice("ur", "ur-IN", "ur"),
        LanguageVoice("kn", "kn-IN", "kn"),
        LanguageVoice("or", "or-IN", "or"),
        LanguageVoice("ml", "ml-IN", "ml"),
        LanguageVoice("pa", "pa-IN", "pa"),
        LanguageVoice("as", "as-IN", "as"),
    )
}

# code -> (Twilio <Say> voice, Twilio <Gather> speech language); None where the docs offer none.
_TWILIO: dict[str, tuple[str | None, str | None]] = {
    "en": ("Google.en-IN-Standard-A", "en-IN"),
    "hi": ("Google.hi-IN-Standard-A", "hi-IN"),
    "bn": ("Google.bn-IN-Standard-C", "bn-IN"),
    "mr": ("Google.mr-IN-Standard-A", "mr-IN"),
    "te": ("Google.te-IN-Standard-A", "te-IN"),
    "ta": ("Google.ta-IN-Standard-C", "ta-IN"),
    "gu": ("Google.gu-IN-Standard-C", "gu-IN"),
    "ur": (None, "ur-IN"),
    "kn": ("Google.kn-IN-Standard-C", "kn-IN"),
    "or": (None, None),
    "ml": ("Google.ml-IN-Wavenet-C", "ml-IN"),
    "pa": ("Google.pa-IN-Standard-A", None),
    "as": (None, None),
}

# Exotel picks the voice by language and gender in the applet; it recognises no speech.
_EXOTEL_TTS = frozenset({"en", "hi", "ta", "te", "kn", "ml", "bn", "mr", "gu", "pa"})
EXOTEL_VOICE = "female"


def provider(name: str | Provider) -> Provider:
    """The provider for a name ("twilio", "exotel"); ValueError for an unknown one."""
    return Provider(name)


def voice_for(code: str, provider_name: str | Provider) -> ProviderVoice:
    """How `provider_name` speaks and hears language `code` (KeyError for an unknown language)."""
    lang = LANGUAGE_VOICES[code]
    which = provider(provider_name)
    if which is Provider.TWILIO:
        tts, speech = _TWILIO[code]
        return ProviderVoice(which, code, lang.bcp47, tts, speech)
    tts_voice = EXOTEL_VOICE if code in _EXOTEL_TTS else None
    return ProviderVoice(which, code, lang.bcp47, tts_voice, None)


def needs_audio_files(code: str, provider_name: str | Provider) -> bool:
    """True where the provider has no TTS for the language (prompts are played from clips)."""
    return voice_for(code, provider_name).needs_audio_files


def speech_language(code: str, provider_name: str | Provider) -> str | None:
    """The speech-recognition language for `<Gather input="speech">`; None means keypad only."""
    return voice_for(code, provider_name).speech


def espeak_voice(code: str) -> str:
    """The espeak-ng voice that renders the language's clips offline."""
    return LANGUAGE_VOICES[code].espeak


def audio_languages() -> list[str]:
    """Known languages that some provider can only play from clips, in `KNOWN` order."""
    return [code for code in KNOWN
            if any(needs_audio_files(code, p) for p in Provider)]
