"""A local stand-in for Twilio Voice: calls to the gateway over HTTP, the demo number, a phone.

The calls themselves are `channels.twilio_voice.call.SimulatedCall` (Twilio's side of a call:
signed webhooks, TwiML played as text). Used by `nagarsetu chat --channel ivr`, the demo and the
tests; never mounted in production.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel

from channels.terminal import CallPhone
from channels.twilio_voice.call import CallEnded, SimulatedCall

router = APIRouter(prefix="/sim/twilio-voice", tags=["simulator"])

DEMO_NUMBER = "+15005550010"
API_BASE = "/sim/twilio-voice/api"
"""Where the demo account's `api_base` points: recordings are fetched from here."""
RECORDING_SECONDS = 1


class CallIn(BaseModel):
    """Place a call: the account as the sim directory lists it, and the caller's number."""

    webhook_url: str
    account_sid: str
    auth_token: str
    address: str
    caller: str


class InputIn(BaseModel):
    """What the caller does next (see `SimulatedCall.answer`)."""

    text: str


@dataclass
class _State:
    """Calls placed through the HTTP API."""

    calls: dict[str, SimulatedCall] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = _State()


def _view(call: SimulatedCall, heard: list[str]) -> dict[str, Any]:
    """A call as the HTTP API shows it."""
    return {"sid": call.sid, "heard": heard, "waiting_for": call.waiting_for,
            "ended": call.ended}


def _silence(seconds: int) -> bytes:
    """A WAV of telephone silence (what a simulated caller "said" is text, not audio)."""
    frames = 8000 * seconds
    header = (b"RIFF" + (36 + 2 * frames).to_bytes(4, "little") + b"WAVEfmt "
              + (16).to_bytes(4, "little") + (1).to_bytes(2, "little") + (1).to_bytes(2, "little")
              + (8000).to_bytes(4, "little") + (16000).to_bytes(4, "little")
              + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
              + b"data" + (2 * frames).to_bytes(4, "little"))
    return header + bytes(2 * frames)


@router.get("/api/2010-04-01/Accounts/{account_sid}/Recordings/{recording_sid}")
def recording(account_sid: str, recording_sid: str, request: Request) -> Response:
    """A recording as Twilio's API serves it: Basic auth required, audio/x-wav."""
    if not request.headers.get("authorization", "").startswith("Basic "):
        raise HTTPException(401, detail={"code": "authenticate"})
    return Response(_silence(RECORDING_SECONDS), media_type="audio/x-wav")


@router.post("/calls")
def place_call(body: CallIn) -> dict[str, Any]:
    """Call the account's number; returns what the caller hears first."""
    call = SimulatedCall(body.webhook_url, body.account_sid, body.auth_token, body.caller,
                         body.address)
    heard = call.start()
    with STATE.lock:
        STATE.calls[call.sid] = call
    return _view(call, heard)


@router.post("/calls/{sid}/input")
def call_input(sid: str, body: InputIn) -> dict[str, Any]:
    """The caller's next input on a call placed here."""
    with STATE.lock:
        call = STATE.calls.get(sid)
    if call is None:
        raise HTTPException(404, detail={"code": "unknown_call"})
    try:
        return _view(call, call.answer(body.text))
    except CallEnded:
        raise HTTPException(409, detail={"code": "call_ended"}) from None


def demo_account(base_url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """A simulated Twilio voice number for the demo city (credentials are made up)."""
    config = {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16),
              "address": DEMO_NUMBER, "api_base": base_url + API_BASE}
    return config, ("account_sid", "auth_token")


class TerminalPhone(CallPhone):
    """A phone in the terminal: calls the number, prints what is said, types keys; the SMS
    the gateway sends to the same number (a grievance number, say) shows up too."""

    def place_call(self) -> SimulatedCall:
        """A new call to the Twilio number."""
        return SimulatedCall(self.account["webhook_url"], self.account["account_sid"],
                             self.account["auth_token"], self.sender, self.account["address"])
