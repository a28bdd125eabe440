"""A local stand-in for Exotel: it runs the documented call flow against the gateway, as text.

The flow (see the adapter): a Passthru starts the call, the programmable Gather applet fetches
each prompt as JSON (said as text, or `[plays audio …]`), the Passthru takes the keys, and its
302 leads to the routing Passthru: 200 records the caller (Voicemail), 302 says goodbye. Exotel
sends GET requests with the call's details as query parameters and the gathered keys in quotes
(`digits="1"`, or no `digits` at all when nothing was pressed, with `no_digits_when_silent`);
every URL carries the account's secret token in its path (`…/s/<token>`; `query_token` uses
the deprecated `?token=` form).

A caller's input is text: digits are keys, other words are what the caller says (heard only
by a recording: Exotel's Gather takes keys), `silence` lets the prompt time out and `hangup`
ends the call. Used by `nagarsetu chat --channel ivr --provider exotel-voice` and the tests.

Calls the gateway places with the Connect API (`POST …/v1/Accounts/<sid>/Calls/connect.json`)
ring a simulated phone set with `PUT /sim/exotel-voice/phones/<number>` (answer and press
keys, or `no-answer`, `busy`, `failed`), on a thread of their own. Answered, the phone is
connected to the gateway's flow as documented at `/sim/exotel-voice/flow/<account>`: the
simulator finds the flow's URLs from the call's StatusCallback (`…/s/<token>/status`), which
the gateway points at the same account. Statuses go to the StatusCallback in Connect's own
format (JSON when `StatusCallbackContentType=application/json`, else a form).
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlencode, urlsplit

import httpx
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from channels.terminal import CallPhone, phone_http

router = APIRouter(prefix="/sim/exotel-voice", tags=["simulator"])

DEMO_EXOPHONE = "+918047100200"
SILENCE = "silence"
HANG_UP = "hangup"
KEYS = re.compile(r"[0-9*#]+")
GOODBYE = "[flow greeting: goodbye]"


class CallEnded(RuntimeError):
    """The call is over; start a new one."""


def _flag(value: object) -> bool:
    """A yes/no account setting as text or a boolean."""
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def heard_prompt(prompt: dict[str, Any]) -> str:
    """A `gather_prompt` as the caller hears it."""
    if "audio_url" in prompt:
        path = urlsplit(str(prompt["audio_url"])).path
        return f"[plays audio {path.split('/audio/', 1)[-1].removesuffix('.wav')}]"
    return str(prompt.get("text", ""))


@dataclass
class ExotelCall:
    """One call to an ExoPhone, driven through the gateway as Exotel's flow would."""

    webhook_url: str
    token: str
    caller: str
    exophone: str
    missed_call_number: bool = False
    http: httpx.Client = field(default_factory=phone_http)
    sid: str = field(default_factory=lambda: uuid.uuid4().hex)
    ended: str | None = None
    transcript: list[str] = field(default_factory=list)
    recordings: dict[str, str] = field(default_factory=dict)
    gather: dict[str, Any] = field(default_factory=dict)
    """The Gather applet's current parameters, as the gateway sent them."""
    recording: bool = False
    query_token: bool = False
    """Put the secret in the query (`?token=`, deprecated) instead of the path."""
    no_digits_when_silent: bool = False
    """A Gather that timed out sends no `digits` parameter at all (else `digits=""`)."""
    recording_host: str = "https://recordings.exotel.example"
    status_callback: str | None = None
    """A placed call's StatusCallback: its end is reported there, as the Connect API does."""
    status_json: bool = False
    events: tuple[str, ...] = ()
    """StatusCallbackEvents asked for (`answered`, `terminal`)."""
    custom: str = ""
    _repeats: int = 0

    def _url(self, path: str = "", **extra: str) -> str:
        """A flow URL: the account's webhook with the secret, and the call's details."""
        if self.query_token:
            return f"{self.webhook_url}{path}?{urlencode({'token': self.token, **extra})}"
        return f"{self.webhook_url}/s/{self.token}{path}?{urlencode(extra)}"

    def _details(self, status: str = "in-progress") -> dict[str, str]:
        """The query parameters every applet request carries."""
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        return {"CallSid": self.sid, "CallFrom": self.caller, "CallTo": self.exophone,
                "From": self.caller, "To": self.exophone, "Direction": "incoming",
                "CallType": "call-attempt", "CallStatus": status, "Created": now,
                "CurrentTime": now, "DialWhomNumber": ""}

    def passthru(self, **extra: str) -> httpx.Response:
        """The input Passthru applet (GET)."""
        return self.http.get(self._url(**self._details(), **extra))

    def fetch_prompt(self) -> list[str]:
        """The Gather applet fetching its prompt; what the caller hears."""
        response = self.http.get(self._url("/prompt", **self._details()))
        response.raise_for_status()
        self.gather = response.json()
        self._repeats = int(self.gather.get("repeat_menu", 0) or 0)
        return self._hear([heard_prompt(self.gather["gather_prompt"])])

    def _hear(self, heard: list[str]) -> list[str]:
        """Keep what was heard in the transcript."""
        self.transcript += heard
        return heard

    def _end(self, heard: list[str]) -> list[str]:
        """The flow's goodbye branch: a greeting, then Hangup (and the call's status)."""
        self.ended = "completed"
        if self.status_callback:
            self.connect_status("completed", "terminal")
        else:
            self.http.get(self._url("/status", **{**self._details("completed"),
                                                  "Status": "completed"}))
        return self._hear([*heard, GOODBYE])

    def connect_status(self, status: str, event: str) -> None:
        """The Connect API's StatusCallback for this call (a placed call)."""
        if not self.status_callback:
            return
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        body = {"CallSid": self.sid, "Status": status, "DateUpdated": now,
                "RecordingUrl": None, "EventType": event, "DateCreated": now,
                "To": self.exophone, "From": self.caller, "PhoneNumberSid": self.exophone,
                "Direction": "outbound-api", "CustomField": self.custom}
        try:
            if self.status_json:
                self.http.post(self.status_callback, json=body)
            else:
                self.http.post(self.status_callback,
                               data={k: v or "" for k, v in body.items()})
        except httpx.HTTPError:
            pass  # Exotel retries twice, then gives up

    def _after(self, response: httpx.Response) -> list[str]:
        """Follow a Passthru's answer: 200 to the Gather applet, 302 to the routing one."""
        if response.status_code == 200:
            return self.fetch_prompt()
        if response.status_code != 302:
            response.raise_for_status()
        route = self.http.get(self._url("/prompt/route", **self._details()))
        if route.status_code == 200:
            self.recording = True
            return self._hear(["[beep]"])
        return self._end([])

    def start(self) -> list[str]:
        """The call lands: the first Passthru (a missed-call number hangs up after it)."""
        details = self._details("no-answer" if self.missed_call_number else "in-progress")
        response = self.http.get(self._url(**details))
        response.raise_for_status()
        if self.missed_call_number:
            self.ended = "no-answer"
            return []
        return self.fetch_prompt()

    def answer(self, text: str) -> list[str]:
        """Keys, words, silence or hanging up; what the caller hears next."""
        if self.ended is not None:
            raise CallEnded(self.ended)
        text = text.strip()
        if text.lower() == HANG_UP:
            self.ended = "completed"
            self.connect_status("completed", "terminal")
            return []
        silent = not text or text.lower() == SILENCE
        if self.recording:
            if silent:
                return self._end([])
            self.recording = False
            url = f"{self.recording_host}/{self.sid}/{uuid.uuid4().hex}.mp3"
            self.recordings[url] = text
            return self._after(self.passthru(RecordingUrl=url))
        if KEYS.fullmatch(text):
            keys = text.split(str(self.gather.get("finish_on_key") or "#"), 1)[0]
            keys = keys[: int(self.gather.get("max_input_digits", 1) or 1)]
            return self._after(self.passthru(digits=f'"{keys}"'))
        if silent and self._repeats > 0:
            self._repeats -= 1
            again = self.gather.get("repeat_gather_prompt") or self.gather["gather_prompt"]
            return self._hear([heard_prompt(again)])
        heard = self._after(self.passthru() if self.no_digits_when_silent
                            else self.passthru(digits='""'))
        if self.recording and not silent:  # the caller was already speaking: that is recorded
            return heard + self.answer(text)
        return heard


def demo_account(base_url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """A simulated ExoPhone for the demo city (the token and API credentials are made up)."""
    return ({"token": secrets.token_hex(16), "address": DEMO_EXOPHONE, "tts_language": "hi",
             "account_sid": "nagarsetu-demo", "api_key": secrets.token_hex(8),
             "api_token": secrets.token_hex(16), "outbound_app_id": "ivr",
             "api_base": base_url.rstrip("/") + "/sim/exotel-voice"}, ("token",))


RING_SECONDS = 0.3
"""How long a simulated phone rings before it is answered (or not)."""


class PhoneSetup(BaseModel):
    """What a simulated phone does when the gateway calls it."""

    answer: Literal["answered", "no-answer", "busy", "failed"] = "answered"
    keys: list[str] = Field(default_factory=list, max_length=20)


@dataclass
class _Placed:
    """Phones' setups and the calls placed to them (number as the gateway gave it)."""

    phones: dict[str, PhoneSetup] = field(default_factory=dict)
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


PLACED = _Placed()
FLOW_URL = re.compile(r"^https?://my\.exotel\.com/([^/]+)/exoml/start_voice/([^/?]+)$")


@router.put("/phones/{number}")
def set_phone(number: str, setup: PhoneSetup) -> dict[str, Any]:
    """Say how a phone answers calls the gateway places to it."""
    with PLACED.lock:
        PLACED.phones[number] = setup
    return setup.model_dump()


@router.get("/phones/{number}/calls")
def placed_calls(number: str) -> dict[str, Any]:
    """The calls placed to a phone, oldest first (`status` is None while one lasts)."""
    with PLACED.lock:
        return {"calls": [dict(c) for c in PLACED.calls.get(number, [])]}


def _flow_of(callback: str) -> tuple[str, str] | None:
    """The account's webhook and secret inside a StatusCallback `…/s/<token>/status`."""
    base, marker, rest = urlsplit(callback)._replace(query="").geturl().partition("/s/")
    token = rest.removesuffix("/status")
    return (base, unquote(token)) if marker and token and "/" not in token else None


def _ring(call: ExotelCall, setup: PhoneSetup, log: dict[str, Any]) -> None:
    """What the phone does with a placed call, after ringing a moment (a real network takes
    seconds: the gateway has recorded the call by then); the statuses Exotel would post."""
    time.sleep(RING_SECONDS)
    if setup.answer != "answered":
        call.ended = setup.answer
        call.connect_status(setup.answer, "terminal")
    else:
        if "answered" in call.events:
            call.connect_status("in-progress", "answered")
        log["heard"] += call.start()
        for key in setup.keys:
            if call.ended is not None:
                break
            log["heard"] += call.answer(key)
        while call.ended is None:
            log["heard"] += call.answer("silence")
    with PLACED.lock:
        log["status"] = call.ended


@router.post("/v1/Accounts/{account_sid}/Calls/connect.json")
async def connect(account_sid: str, request: Request) -> dict[str, Any]:
    """The Connect API: call `From`, connect the answered call to the flow at `Url`."""
    header = request.headers.get("authorization", "")
    try:
        key, _, secret = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        key, secret = "", ""
    if not header.startswith("Basic ") or not key or not secret:
        raise HTTPException(401, detail={"RestException": {"Status": 401,
                                                           "Message": "Authentication"}})
    form = await request.form()
    number, exophone, url = (str(form.get(k) or "") for k in ("From", "CallerId", "Url"))
    callback = str(form.get("StatusCallback") or "")
    flow = _flow_of(callback)
    if not number or not exophone or not FLOW_URL.match(url) or flow is None:
        raise HTTPException(400, detail={"RestException": {"Status": 400, "Code": 34001,
                                                           "Message": "bad parameters"}})
    events = tuple(str(v) for k, v in form.multi_items() if k.startswith("StatusCallbackEvents"))
    call = ExotelCall(flow[0], flow[1], exotel_number(number), exophone,
                      status_callback=callback,
                      status_json=form.get("StatusCallbackContentType") == "application/json",
                      events=events, custom=str(form.get("CustomField") or ""))
    with PLACED.lock:
        setup = PLACED.phones.get(number, PhoneSetup())
        log: dict[str, Any] = {"sid": call.sid, "status": None, "heard": []}
        PLACED.calls.setdefault(number, []).append(log)
    threading.Thread(target=_ring, args=(call, setup, log), daemon=True).start()
    return {"Call": {"Sid": call.sid, "AccountSid": account_sid, "From": number,
                     "To": exophone, "PhoneNumberSid": exophone, "Status": "in-progress",
                     "Direction": "outbound-api", "DateCreated": time.strftime(
                         "%Y-%m-%d %H:%M:%S")}}


@router.get("/flow/{account_id}")
def flow(account_id: str) -> dict[str, Any]:
    """The applets to configure in Exotel's flow builder for an account (paths, no secrets)."""
    base = f"/webhooks/exotel-voice/{account_id}/s/<token>"
    return {"applets": [
        {"applet": "Passthru", "url": base, "note": "call start"},
        {"applet": "Gather (dynamic URL)", "url": f"{base}/prompt"},
        {"applet": "Passthru", "url": base,
         "transitions": {"200": "Gather", "302": "routing Passthru"}},
        {"applet": "Passthru", "url": f"{base}/prompt/route",
         "transitions": {"200": "Voicemail, then the input Passthru", "302": "Greeting, Hangup"}},
        {"applet": "Passthru (call end, async)", "url": f"{base}/status"},
    ]}


def exotel_number(number: str) -> str:
    """An Indian number as Exotel writes it: `09876543210` for `+919876543210`."""
    return "0" + number[3:] if number.startswith("+91") else number


class TerminalPhone(CallPhone):
    """A phone in the terminal calling an ExoPhone; the SMS the gateway sends to the same
    number (through the Twilio SMS simulator, when mounted) show up too."""

    def place_call(self) -> ExotelCall:
        """A new call to the ExoPhone."""
        return ExotelCall(self.account["webhook_url"], self.account["token"],
                          exotel_number(self.sender), self.account["address"],
                          _flag(self.account.get("missed_call")))
