"""Which files the gateway keeps: the type read from the bytes' magic numbers, never trusted
from the provider's word, against an allow-list of photo and audio formats."""

from __future__ import annotations

ALLOWED = frozenset({
    "image/jpeg", "image/png", "image/webp",
    "audio/ogg", "audio/mpeg", "audio/amr", "audio/wav", "audio/mp4", "video/mp4",
})
"""What citizens send as evidence: photos, and voice notes or call recordings (WhatsApp
voice notes are Ogg Opus, Exotel and Twilio record MP3 or WAV, older phones AMR)."""

_MP3_SYNC = frozenset({0xFB, 0xF3, 0xF2, 0xFA, 0xE3})
"""Second byte of an MPEG audio frame header without an ID3 tag (layer III, common rates)."""
_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"F4A ")


def sniff(data: bytes) -> str | None:
    """The media type the bytes themselves show, or None when they are none we know."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] in _MP3_SYNC):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:12] in _AUDIO_BRANDS else "video/mp4"
    return None


def kind_of(content_type: str) -> str:
    """`image`, `audio` or `video`: how a staff page shows the file."""
    return content_type.split("/", 1)[0]


def refusal(data: bytes, max_bytes: int) -> str | None:
    """Why a file is not kept (`media_too_large`, `media_type_refused`), or None to keep it."""
    if len(data) > max_bytes:
        return "media_too_large"
    if sniff(data) not in ALLOWED:
        return "media_type_refused"
    return None
