"""The protocol of a terminal phone: speak to the gateway as a provider would, show replies."""

from __future__ import annotations

import re
import time
from typing import Protocol

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
