"""IVR audio: clips rendered offline with espeak-ng for languages without provider TTS.

`store` (where clips live, the audio directory setting, tenant overrides), `wav` (telephone WAV
in pure Python), `render` (incremental parallel rendering), `routes` (serving clips to providers)
and `cli` (`nagarsetu audio build`). What a caller hears is planned in `i18n.voice`.
"""
