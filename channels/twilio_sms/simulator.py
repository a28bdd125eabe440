"""A local stand-in for Twilio: the Messages REST API, signed status callbacks, a phone inbox.

Used by the embedded demo and the tests; never mounted in production.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Form, Header, HTTPException
from twilio.request_validator import RequestValidator

router = APIRouter(prefix="/sim/twilio", tags=["simulator"])


@dataclass
class _State:
    """What the fake Twilio has seen: messages sent, and queued faults to inject."""

    messages: list[dict[str, str]] = field(default_factory=list)
    faults: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = _State()


def reset() -> None:
    """Forget all messages and faults (tests)."""
    with STATE.lock:
        STATE.messages.clear()
        STATE.faults.clear()


def inject_faults(*statuses: int) -> None:
    """Make the next sends fail with these HTTP statuses, in order."""
    with STATE.lock:
        STATE.faults.extend(statuses)


def sent_to(number: str) -> list[dict[str, str]]:
    """Messages the fake Twilio accepted for a recipient."""
    with STATE.lock:
        return [m for m in STATE.messages if m["to"] == number]


def _credentials(authorization: str | None) -> tuple[str, str]:
    """Account SID and auth token from HTTP Basic auth, as the SDK sends them."""
    if not authorization or not authorization.startswith("Basic "):
        raise HTTPException(401, {"code": 20003, "message": "Authenticate", "status": 401})
    sid, _, token = base64.b64decode(authorization[6:]).decode().partition(":")
    return sid, token


def _callback(url: str, token: str, params: dict[str, str]) -> None:
    """POST a status callback signed the way Twilio signs it."""
    signature = RequestValidator(token).compute_signature(url, params)
    try:
        httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)
    except httpx.HTTPError:
        return  # the real Twilio also gives up on an unreachable callback URL


def _report(url: str, token: str, base: dict[str, str]) -> None:
    """Report `sent` then `delivered`, like a handset on a good network."""
    for status in ("sent", "delivered"):
        time.sleep(0.05)
        _callback(url, token, {**base, "MessageStatus": status, "SmsStatus": status})


@router.post("/2010-04-01/Accounts/{account_sid}/Messages.json", status_code=201)
def create_message(
    account_sid: str,
    to: Annotated[str, Form(alias="To")],
    from_: Annotated[str, Form(alias="From")],
    body: Annotated[str, Form(alias="Body")] = "",
    status_callback: Annotated[str | None, Form(alias="StatusCallback")] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Accept a message like Twilio's Messages resource does."""
    sid, token = _credentials(authorization)
    if sid != account_sid:
        raise HTTPException(401, {"code": 20003, "message": "Authenticate", "status": 401})
    with STATE.lock:
        fault = STATE.faults.pop(0) if STATE.faults else None
    if fault is not None:
        code = {429: 20429, 500: 20500}.get(fault, 21211)
        raise HTTPException(fault, {"code": code, "message": "simulated fault", "status": fault})
    message_sid = "SM" + uuid.uuid4().hex
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    record = {"sid": message_sid, "to": to, "from": from_, "body": body,
              "account_sid": account_sid, "status": "queued", "date_created": now}
    with STATE.lock:
        STATE.messages.append(record)
    if status_callback:
        base = {"MessageSid": message_sid, "SmsSid": message_sid, "AccountSid": account_sid,
                "From": from_, "To": to, "ApiVersion": "2010-04-01"}
        threading.Thread(target=_report, args=(status_callback, token, base), daemon=True).start()
    return {**record, "api_version": "2010-04-01", "direction": "outbound-api",
            "num_segments": "1", "num_media": "0", "price": None, "error_code": None,
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{message_sid}.json"}


@router.get("/phones/{number}/inbox")
def inbox(number: str, after: int = 0) -> dict[str, Any]:
    """What a handset with this number has received, from position `after` on."""
    received = sent_to(number)
    return {"messages": [m["body"] for m in received[after:]], "next": len(received)}


class TerminalPhone:
    """A phone in the terminal: sends signed Twilio-format webhooks, reads its simulated inbox."""

    def __init__(self, gateway_url: str, sender: str, account: dict[str, str]) -> None:
        self.gateway = gateway_url.rstrip("/")
        self.sender = sender
        self.account = account
        self.cursor = len(httpx.get(self._inbox_url(), timeout=10).json()["messages"])

    def _inbox_url(self) -> str:
        """The simulator's inbox URL for this phone."""
        return f"{self.gateway}/sim/twilio/phones/{self.sender}/inbox"

    def send(self, text: str) -> None:
        """POST the message to the gateway as Twilio would, signed with the account's token."""
        sid = "SM" + uuid.uuid4().hex
        params = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid,
                  "AccountSid": self.account["account_sid"], "From": self.sender,
                  "To": self.account["address"], "Body": text, "NumMedia": "0",
                  "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        url = self.account["webhook_url"]
        signature = RequestValidator(self.account["auth_token"]).compute_signature(url, params)
        response = httpx.post(url, data=params, headers={"X-Twilio-Signature": signature},
                              timeout=30)
        response.raise_for_status()

    def receive(self, timeout: float) -> list[str]:
        """New messages in the inbox, waiting up to `timeout` seconds for the first."""
        deadline = time.monotonic() + timeout
        while True:
            data = httpx.get(self._inbox_url(), params={"after": self.cursor}, timeout=10).json()
            if data["messages"] or time.monotonic() >= deadline:
                self.cursor = data["next"]
                return list(data["messages"])
            time.sleep(0.2)
