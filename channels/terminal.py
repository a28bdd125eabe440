"""The protocol of a terminal phone: speak to the gateway as a provider would, show replies.

Besides text, a citizen types `/location LAT,LON` or `/photo [PATH]` (`deliver`): phones whose
channel carries them (`MediaPhone`: WhatsApp, Telegram) send them in the provider's format;
the others refuse with `CannotSend`. A simulated caller (`CallPhone`) prints played clips as
the words they say.
"""

from __future__ import annotations

import mimetypes
import re
import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import httpx

from channels.http import process_http

PHONES = process_http(timeout=httpx.Timeout(30.0, connect=5.0))
"""One kept-alive client for every terminal phone (and simulated caller) in the process."""


def phone_http() -> httpx.Client:
    """The terminal phones' shared client (polling an inbox builds no new TLS context)."""
    return PHONES.get()


class TerminalPhone(Protocol):
    """A citizen's handset simulated in a terminal."""

    def send(self, text: str) -> None:
        """Deliver one message from the citizen to the gateway, as the provider would."""

    def receive(self, timeout: float) -> list[str]:
        """Messages the phone received since the last call, waiting up to `timeout` seconds."""


@runtime_checkable
class MediaPhone(Protocol):
    """A terminal phone whose channel carries a shared location and a photo (WhatsApp, Telegram)."""

    def send(self, text: str) -> None:
        """Deliver one text message."""

    def receive(self, timeout: float) -> list[str]:
        """Messages received since the last call."""

    def send_location(self, latitude: float, longitude: float, /) -> None:
        """Share a pinned location, in the provider's wire format."""

    def send_photo(self, data: bytes, mime_type: str, /) -> str:
        """Send a picture the way the provider delivers one (upload, then a media reference)."""


LOCATION = re.compile(r"/location\s+(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)")
"""`/location 31.62,74.87`: share that point."""
_COMMAND = re.compile(r"/(location|photo)\b\s*(.*)", re.DOTALL)
PICTURES = {"image/jpeg", "image/png", "image/webp"}
"""What a phone sends as a photo (what WhatsApp and Telegram show as a picture)."""


@dataclass(frozen=True)
class Location:
    """A point the citizen shares."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class Photo:
    """A picture the citizen sends: its bytes and type."""

    data: bytes
    mime_type: str


class CannotSend(ValueError):
    """A `/photo` or `/location` line that cannot be sent; `kind` names what it asked for."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


def sample_photo(width: int = 64, height: int = 48) -> bytes:
    """A small PNG (a grey gradient), for `/photo` without a file."""
    rows = b"".join(b"\x00" + bytes(((x + y) * 2) % 256 for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        """One PNG chunk with its length and CRC."""
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def picture_type(data: bytes, name: str = "") -> str | None:
    """The picture type of a file, from its first bytes (else its name), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    guessed = mimetypes.guess_type(name)[0] if name else None
    return guessed if guessed in PICTURES else None


def attachment(text: str) -> Location | Photo | None:
    """What a `/location LAT,LON` or `/photo [PATH]` line sends; None for any other text.

    Raises `CannotSend` for a malformed command or a file that is not a readable picture.
    """
    found = _COMMAND.fullmatch(text.strip())
    if found is None:
        return None
    kind, rest = found[1], found[2].strip()
    if kind == "location":
        point = LOCATION.fullmatch(text.strip())
        if point is None or not (-90 <= float(point[1]) <= 90
                                 and -180 <= float(point[2]) <= 180):
            raise CannotSend(kind, "usage: /location LATITUDE,LONGITUDE (e.g. /location "
                                   "31.6200,74.8765)")
        return Location(float(point[1]), float(point[2]))
    if not rest:
        return Photo(sample_photo(), "image/png")
    path = Path(rest).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CannotSend(kind, f"cannot read {path}: {exc.strerror or exc}") from None
    mime_type = picture_type(data, path.name)
    if mime_type is None:
        raise CannotSend(kind, f"{path} is not a JPEG, PNG or WebP picture")
    return Photo(data, mime_type)


def deliver(phone: TerminalPhone, text: str) -> None:
    """Send one typed line: `/location` and `/photo` as what they stand for, else as typed.

    Raises `CannotSend` when the line is such a command and the phone's channel cannot carry it
    (SMS, a call) or the command itself is wrong.
    """
    sent = attachment(text)
    if sent is None:
        phone.send(text)
        return
    kind = "location" if isinstance(sent, Location) else "photo"
    if not isinstance(phone, MediaPhone):
        raise CannotSend(kind, f"this channel cannot send a {kind}")
    if isinstance(sent, Location):
        phone.send_location(sent.latitude, sent.longitude)
    else:
        phone.send_photo(sent.data, sent.mime_type)


class InboxPhone:
    """A terminal phone whose replies land in a simulator's inbox at `/sim/<prefix>/phones/…`.

    Subclasses set `SIM_PREFIX` and implement `send` in their provider's wire format.
    """

    SIM_PREFIX = ""

    def __init__(self, gateway_url: str, sender: str, account: dict[str, str]) -> None:
        self.gateway = gateway_url.rstrip("/")
        self.sender = sender
        self.account = account
        self.opened()
        self.cursor = len(phone_http().get(self._inbox_url(), timeout=10).json()["messages"])

    def opened(self) -> None:
        """A hook run before the inbox is first read (e.g. to register callback URLs)."""

    def _inbox_url(self) -> str:
        """The simulator's inbox URL for this phone."""
        return f"{self.gateway}/sim/{self.SIM_PREFIX}/phones/{self.sender}/inbox"

    def receive(self, timeout: float) -> list[str]:
        """New messages in the inbox, waiting up to `timeout` seconds for the first."""
        deadline = time.monotonic() + timeout
        while True:
            data = phone_http().get(self._inbox_url(), params={"after": self.cursor},
                                    timeout=10).json()
            if data["messages"] or time.monotonic() >= deadline:
                self.cursor = data["next"]
                return list(data["messages"])
            time.sleep(0.2)


_PLAYED = re.compile(r"\[plays (?:audio|clip) ([a-z]{2,3})/([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\]")
"""How a simulated call's transcript names a played clip (`[plays clip ur/digit.4]`)."""
_SENTENCE_ENDS = (".", "?", "!", "।", "॥", "۔", "؟")


class SimCall(Protocol):
    """A simulated call the terminal drives: what the caller hears at each step."""

    ended: str | None

    def start(self) -> list[str]:
        """Ring the number; what is said first."""

    def answer(self, text: str) -> list[str]:
        """Press keys or speak; what is said next."""


class CallPhone:
    """A caller in the terminal: dials, prints what is said, types keys; SMS the gateway sends
    to the same number (through the Twilio SMS simulator, when mounted) show up too.

    Subclasses implement `place_call` for their provider's wire format.
    """

    def __init__(self, gateway_url: str, sender: str, account: dict[str, str]) -> None:
        self.gateway = gateway_url.rstrip("/")
        self.sender = sender
        self.account = account
        self.inbox = f"{self.gateway}/sim/twilio/phones/{sender}/inbox"
        self.cursor = self._sms(0)[1]
        self.heard: list[str] = []
        self.said: dict[str, str | None] = {}
        """What each played clip says, as the gateway told (None: it does not know)."""
        self._dial()

    def place_call(self) -> SimCall:
        """A new call from this phone to the account's number."""
        raise NotImplementedError

    def _dial(self) -> None:
        """Place a new call and keep what is said first."""
        self.call = self.place_call()
        self.heard.append(self._spoken(self.call.start()))

    def _spoken(self, heard: list[str]) -> str:
        """What the caller hears: a played clip as the words it says, when the gateway knows
        them (`/sim/audio/…`), else as the transcript names it."""
        lines: list[str] = []
        joining = False  # clips played in a row read as one sentence
        for line in heard:
            played = _PLAYED.fullmatch(line)
            text = None
            if played is not None:
                key = f"{played[1]}/{played[2]}"
                if key not in self.said:
                    self.said[key] = self._clip_text(key)
                text = self.said[key]
            if text is not None and joining:
                lines[-1] += " " + text
            else:
                lines.append(text or line)
            joining = text is not None and not text.endswith(_SENTENCE_ENDS)
        return "\n".join(lines)

    def _clip_text(self, key: str) -> str | None:
        """The text of a clip (`ur/digit.4`), asked of the gateway's simulator directory."""
        try:
            answer = phone_http().get(f"{self.gateway}/sim/audio/{key}", timeout=10)
        except httpx.HTTPError:
            return None
        if answer.status_code != 200:
            return None
        text = answer.json().get("text")
        return str(text) if text else None

    def _sms(self, after: int) -> tuple[list[str], int]:
        """Text messages this number received."""
        try:
            data = phone_http().get(self.inbox, params={"after": after}, timeout=10).json()
        except (httpx.HTTPError, ValueError):
            return [], after
        return list(data.get("messages", [])), int(data.get("next", after))

    def send(self, text: str) -> None:
        """Enter keys or words on the call (a new call once the last one has ended)."""
        if self.call.ended is not None:
            self._dial()
            return
        heard = self.call.answer(text)
        ended: list[str] = [f"[call ended: {self.call.ended}]"] if self.call.ended else []
        self.heard.append(self._spoken(heard + ended))

    def receive(self, timeout: float) -> list[str]:
        """What was heard since the last call, and new SMS (waiting briefly for them)."""
        out = [h for h in self.heard if h]
        self.heard = []
        deadline = time.monotonic() + min(timeout, 1.0)
        while True:
            sms, self.cursor = self._sms(self.cursor)
            if sms or time.monotonic() >= deadline:
                return out + [f"[SMS] {text}" for text in sms]
            time.sleep(0.2)
