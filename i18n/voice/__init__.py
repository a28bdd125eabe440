"""The language side of voice calls (IVR): voices per provider, and what a caller hears.

`table` says which provider speaks and hears which language (and which espeak-ng voice renders
offline clips); `plan` turns a catalog message and its parameters into a speaking plan, which
`output` renders as TTS text or as a list of audio clips; `words` holds the number, amount and
date words.
"""

from i18n.voice.output import clip_ids, clip_texts, clips, free_clip, say_text
from i18n.voice.plan import Clip, Money, Plan, Ref, Spell, speak, spoken_message_ids
from i18n.voice.table import (
    LANGUAGE_VOICES,
    Provider,
    ProviderVoice,
    audio_languages,
    espeak_voice,
    needs_audio_files,
    speech_language,
    voice_for,
)

__all__ = [
    "LANGUAGE_VOICES",
    "Clip",
    "Money",
    "Plan",
    "Provider",
    "ProviderVoice",
    "Ref",
    "Spell",
    "audio_languages",
    "clip_ids",
    "clip_texts",
    "clips",
    "espeak_voice",
    "free_clip",
    "needs_audio_files",
    "say_text",
    "speak",
    "speech_language",
    "spoken_message_ids",
    "voice_for",
]
