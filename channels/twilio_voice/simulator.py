"""A local stand-in for Twilio Voice: calls to the gateway over HTTP, the demo number, a phone.

The calls themselves are `channels.twilio_voice.call.SimulatedCall` (Twilio's side of a call:
signed webhooks, TwiML played as text). Used by `nagarsetu chat --channel ivr`, the demo and the
tests; never mounted in production.

Calls the gateway places (`POST …/api/2010-04-01/Accounts/<sid>/Calls.json`, the SDK's
`calls.create`) ring a simulated phone, which does what it was set to do
(`PUT /sim/twilio-voice/phones/<number>`: answer and press the given keys, or stay
`no-answer`, `busy`, `failed`), on a thread of its own as Twilio would, after the API has
answered. What each call heard is at `GET /sim/twilio-voice/phones/<number>/calls`.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

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


RING_SECONDS = 0.3
"""How long a simulated phone rings before it is answered (or not)."""


class PhoneSetup(BaseModel):
    """What a simulated phone does when the gateway calls it."""

    answer: Literal["answered", "no-answer", "busy", "failed"] = "answered"
    keys: list[str] = Field(default_factory=list, max_length=20)
    """Pressed one after the other at each prompt (`silence` waits); then the phone waits."""


@dataclass
class _State:
    """Calls placed through the HTTP API, phones' setups and the calls placed to them."""

    calls: dict[str, SimulatedCall] = field(default_factory=dict)
    phones: dict[str, PhoneSetup] = field(default_factory=dict)
    placed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Number -> the calls the gateway placed to it: sid, final status, what was heard."""
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


@router.put("/phones/{number}")
def set_phone(number: str, setup: PhoneSetup) -> dict[str, Any]:
    """Say how a phone answers calls the gateway places to it."""
    with STATE.lock:
        STATE.phones[number] = setup
    return setup.model_dump()


@router.get("/phones/{number}/calls")
def placed_calls(number: str) -> dict[str, Any]:
    """The calls placed to a phone, oldest first (`status` is None while one lasts)."""
    with STATE.lock:
        return {"calls": [dict(c) for c in STATE.placed.get(number, [])]}


def _credentials(request: Request, account_sid: str) -> str:
    """The auth token of the account's HTTP Basic credentials (401 without them)."""
    header = request.headers.get("authorization", "")
    try:
        user, _, token = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        user, token = "", ""
    if not header.startswith("Basic ") or user != account_sid or not token:
        raise HTTPException(401, detail={"code": 20003, "message": "Authenticate"})
    return token


def _ring(call: SimulatedCall, setup: PhoneSetup, events: list[str], log: dict[str, Any]) -> None:
    """What the phone does with a placed call, after ringing a moment (a real network takes
    seconds: the gateway has recorded the call by then); the statuses Twilio would post."""
    time.sleep(RING_SECONDS)
    if setup.answer != "answered":
        call.ended = setup.answer
        call.progress(setup.answer, CallDuration="0")
    else:
        if "answered" in events:
            call.progress("in-progress")
        log["heard"] += call.pick_up()
        for key in setup.keys:
            if call.ended is not None:
                break
            log["heard"] += call.answer(key)
        while call.ended is None:  # the phone waits: the call plays on to its end
            log["heard"] += call.answer("silence")
    with STATE.lock:
        log["status"] = call.ended


@router.post("/api/2010-04-01/Accounts/{account_sid}/Calls.json", status_code=201)
async def create_call(account_sid: str, request: Request) -> JSONResponse:
    """Twilio's Create Call resource: the call is queued, then rings on its own thread."""
    token = _credentials(request, account_sid)
    form = await request.form()
    to, from_, url = (str(form.get(k) or "") for k in ("To", "From", "Url"))
    callback = str(form.get("StatusCallback") or "")
    if not to or not from_ or not url:
        return JSONResponse({"code": 21205 if not url else 21201, "message": "missing field",
                             "status": 400}, status_code=400)
    sid = "CA" + uuid.uuid4().hex
    call = SimulatedCall(url, account_sid, token, to, from_, sid=sid,
                         direction="outbound-api", status_url=callback or None)
    events = [str(e) for e in form.getlist("StatusCallbackEvent")]
    with STATE.lock:
        setup = STATE.phones.get(to, PhoneSetup())
        log: dict[str, Any] = {"sid": sid, "status": None, "heard": []}
        STATE.placed.setdefault(to, []).append(log)
    threading.Thread(target=_ring, args=(call, setup, events, log), daemon=True).start()
    return JSONResponse({"sid": sid, "account_sid": account_sid, "to": to, "from": from_,
                         "status": "queued", "direction": "outbound-api",
                         "api_version": "2010-04-01",
                         "uri": f"/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json"},
                        status_code=201)


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
