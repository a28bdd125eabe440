"""A simulated caller on a Twilio number: posts the call's webhooks, plays the TwiML as text.

`SimulatedCall` acts as Twilio does: it posts the signed call webhook, reads the TwiML that
comes back (what `<Say>` says, which clips `<Play>` plays, where `<Gather>` or `<Record>` send
the answer), follows `action` URLs with what the caller enters, and posts the call's final
status. A caller's input is text: digits (with `*` and `#`) are keys, other words are speech (or
the recording, when one is asked), `silence` lets the prompt time out and `hangup` ends the call.

A call the gateway placed (`direction="outbound-api"`) is the same call the other way round:
Twilio's forms then carry our number as From and the citizen's as To, TwiML comes from the
`Url` the call was created with (`pick_up`), and statuses go to its StatusCallback.
"""

from __future__ import annotations

import re
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from twilio.request_validator import RequestValidator

from channels.terminal import phone_http

API_VERSION = "2010-04-01"
SILENCE = "silence"
HANG_UP = "hangup"
KEYS = re.compile(r"[0-9*#]+")
_RECORDINGS = "https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/RE{sid}"


class CallEnded(RuntimeError):
    """The call is over; start a new one."""


def heard_clip(url: str) -> str:
    """A `<Play>` URL as the caller's transcript shows it: `[plays clip or/ivr.press.1]`."""
    path = urlsplit(url).path
    if "/audio/" in path:
        return f"[plays clip {path.split('/audio/', 1)[1].removesuffix('.wav')}]"
    return f"[plays {url}]"


@dataclass
class SimulatedCall:
    """One call from a caller to a Twilio number, driven through the gateway's TwiML."""

    webhook_url: str
    account_sid: str
    auth_token: str
    caller: str
    number: str
    http: httpx.Client = field(default_factory=phone_http)
    sid: str = field(default_factory=lambda: "CA" + uuid.uuid4().hex)
    ended: str | None = None
    """The final status once the call is over (completed, busy…)."""
    transcript: list[str] = field(default_factory=list)
    twiml: list[str] = field(default_factory=list)
    """Every TwiML document received, in order."""
    recordings: dict[str, str] = field(default_factory=dict)
    """Recording URL -> what the caller said into it."""
    _verbs: list[ET.Element] = field(default_factory=list)
    _waiting: ET.Element | None = None
    last_request: tuple[str, dict[str, str], dict[str, str]] | None = None
    """URL, form and headers of the last TwiML request."""
    _started: float = field(default_factory=time.monotonic)
    direction: str = "inbound"
    """`outbound-api` for a call the gateway placed through the REST API."""
    status_url: str | None = None
    """Where the call's statuses go (a placed call's StatusCallback); else `<webhook>/status`."""

    @property
    def waiting_for(self) -> str | None:
        """"Gather" or "Record" while the call waits for the caller; None otherwise."""
        return None if self._waiting is None else self._waiting.tag

    # -- the wire --------------------------------------------------------------------------
    def _params(self, status: str, **extra: str) -> dict[str, str]:
        """The form Twilio posts about this call (From is whoever rang whom)."""
        dialler, called = ((self.number, self.caller) if self.direction != "inbound"
                           else (self.caller, self.number))
        return {"CallSid": self.sid, "AccountSid": self.account_sid, "From": dialler,
                "To": called, "Caller": dialler, "Called": called,
                "CallStatus": status, "Direction": self.direction, "ApiVersion": API_VERSION,
                **extra}

    def send_signed(self, url: str, params: dict[str, str],
                    headers: dict[str, str]) -> httpx.Response:
        """POST a signed form."""
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return self.http.post(url, data=params, headers={**headers,
                                                         "X-Twilio-Signature": signature})

    def _post(self, url: str, params: dict[str, str]) -> list[str]:
        """Request TwiML (as Twilio does: signed, with an idempotency token) and play it."""
        headers = {"I-Twilio-Idempotency-Token": str(uuid.uuid4())}
        self.last_request = (url, params, headers)
        response = self.send_signed(url, params, headers)
        response.raise_for_status()
        self.twiml.append(response.text)
        self._verbs = list(ET.fromstring(response.text))  # noqa: S314 (our own gateway's TwiML)
        self._waiting = None
        return self._play()

    def retry(self) -> httpx.Response:
        """Send the last request again, exactly (what Twilio does after a timeout)."""
        if self.last_request is None:
            raise RuntimeError("nothing sent yet")
        return self.send_signed(*self.last_request)

    def report(self, status: str) -> None:
        """End the call and post its final status to the status callback (Twilio may repeat it)."""
        self.ended = status
        self._waiting = None
        self.progress(status, CallDuration=str(int(time.monotonic() - self._started)))

    def progress(self, status: str, **extra: str) -> None:
        """Post a status of the call (`in-progress` when answered, a final one at the end)."""
        params = self._params(status, CallbackSource="call-progress-events", SequenceNumber="0",
                              Timestamp=time.strftime("%a, %d %b %Y %H:%M:%S"), **extra)
        try:
            self.send_signed(self.status_url or self.webhook_url + "/status", params, {})
        except httpx.HTTPError:
            pass  # Twilio too gives up on an unreachable status callback

    # -- TwiML -----------------------------------------------------------------------------
    @staticmethod
    def _said(verb: ET.Element) -> list[str]:
        """What one `<Say>` or `<Play>` makes the caller hear."""
        text = (verb.text or "").strip()
        if verb.tag == "Say":
            return [text] if text else []
        return [heard_clip(text)] if verb.tag == "Play" else []

    def _play(self) -> list[str]:
        """Play verbs until one waits for the caller or the call ends; what was heard."""
        heard: list[str] = []
        while self._verbs:
            verb = self._verbs.pop(0)
            if verb.tag in ("Say", "Play"):
                heard += self._said(verb)
            elif verb.tag == "Gather":
                for child in verb:
                    heard += self._said(child)
                self._waiting = verb
                break
            elif verb.tag == "Record":
                heard.append("[beep]")
                self._waiting = verb
                break
            elif verb.tag == "Redirect":
                return heard + self._post((verb.text or "").strip(), self._params("in-progress"))
            elif verb.tag in ("Hangup", "Reject"):
                self._verbs = []
                self.report("busy" if verb.tag == "Reject" else "completed")
        if self._waiting is None and self.ended is None:
            self.report("completed")  # the document ran out: Twilio hangs up
        self.transcript += heard
        return heard

    # -- the caller ------------------------------------------------------------------------
    def start(self) -> list[str]:
        """Ring the number: the first webhook of the call."""
        self._started = time.monotonic()
        return self._post(self.webhook_url, self._params("ringing"))

    def pick_up(self) -> list[str]:
        """A placed call answered: its TwiML fetched from the URL it was created with."""
        self._started = time.monotonic()
        return self._post(self.webhook_url, self._params("in-progress"))

    def answer(self, text: str) -> list[str]:
        """Press keys, say something, record it, stay silent or hang up; what is heard next."""
        if self.ended is not None:
            raise CallEnded(self.ended)
        text = text.strip()
        if text.lower() == HANG_UP:
            self.report("completed")
            return []
        verb = self._waiting
        assert verb is not None
        action = verb.get("action") or self.webhook_url
        if text.lower() == SILENCE or not text:
            self._waiting = None
            return self._play()
        if verb.tag == "Record":
            url = _RECORDINGS.format(account=self.account_sid, sid=uuid.uuid4().hex)
            self.recordings[url] = text
            seconds = str(max(1, len(text) // 12))
            return self._post(action, self._params("in-progress", RecordingUrl=url,
                                                   RecordingDuration=seconds, Digits="#",
                                                   RecordingSid=url.rsplit("/", 1)[1]))
        keys = text if KEYS.fullmatch(text) else None
        if keys is not None:
            finish = verb.get("finishOnKey", "#")
            keys = keys.split(finish, 1)[0] if finish and finish in keys else keys
            limit = verb.get("numDigits")
            keys = keys[: int(limit)] if limit else keys
            return self._post(action, self._params("in-progress", Digits=keys))
        if "speech" in verb.get("input", "dtmf"):
            return self._post(action, self._params("in-progress", SpeechResult=text,
                                                   Confidence="0.92"))
        self._waiting = None  # words at a keypad-only prompt: as good as silence
        return self._play()
