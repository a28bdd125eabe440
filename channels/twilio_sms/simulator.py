"""A local stand-in for Twilio: the Messages REST API, signed status callbacks, a phone inbox.

Used by the embedded demo and the tests; never mounted in production. Errors come back in
Twilio's own JSON shape (`code`, `message`, `more_info`, `status`) so the SDK maps them as it
would real ones.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from twilio.request_validator import RequestValidator

from channels.http import process_http
from channels.terminal import InboxPhone, phone_http

router = APIRouter(prefix="/sim/twilio", tags=["simulator"])
CALLBACKS = process_http()
"""One pooled client for every status callback this simulator posts."""

API_VERSION = "2010-04-01"
MAX_BODY = 1600
# Twilio error code the simulator answers an injected HTTP status with, unless told otherwise.
_DEFAULT_CODES = {400: 21211, 401: 20003, 403: 20003, 404: 20404, 429: 20429, 500: 20500,
                  503: 20503}


@dataclass
class _State:
    """What the fake Twilio has seen: messages, raw requests, faults and delivery scripts."""

    messages: list[dict[str, str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[tuple[int, int]] = field(default_factory=list)
    accounts: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = _State()


def reset() -> None:
    """Forget all messages, requests, faults, accounts and delivery scripts (tests)."""
    with STATE.lock:
        STATE.messages.clear()
        STATE.requests.clear()
        STATE.faults.clear()
        STATE.accounts.clear()
        STATE.outcomes.clear()


def inject_faults(*faults: int | tuple[int, int]) -> None:
    """Make the next sends fail, in order: an HTTP status, or (HTTP status, Twilio error code)."""
    with STATE.lock:
        for fault in faults:
            status, code = fault if isinstance(fault, tuple) else (fault, 0)
            STATE.faults.append((status, code or _DEFAULT_CODES.get(status, 21211)))


def register_account(account_sid: str, auth_token: str) -> None:
    """Check this account's credentials from now on (unknown accounts are accepted, as a demo)."""
    with STATE.lock:
        STATE.accounts[account_sid] = auth_token


def script_delivery(number: str, *statuses: str, error_code: str | None = None) -> None:
    """The status callbacks for messages to `number` (default: sent, delivered)."""
    with STATE.lock:
        STATE.outcomes[number] = (statuses, error_code)


def sent_to(number: str) -> list[dict[str, str]]:
    """Messages the fake Twilio accepted for a recipient."""
    with STATE.lock:
        return [m for m in STATE.messages if m["to"] == number]


def received_requests() -> list[dict[str, Any]]:
    """Every create-message request as it arrived: path account, Basic-auth user, form fields."""
    with STATE.lock:
        return [dict(r) for r in STATE.requests]


def _error(status: int, code: int, message: str) -> JSONResponse:
    """An error response in Twilio's REST error format."""
    return JSONResponse({"code": code, "message": message, "status": status,
                         "more_info": f"https://www.twilio.com/docs/errors/{code}"},
                        status_code=status)


def _credentials(authorization: str | None) -> tuple[str, str] | None:
    """Account SID and auth token from HTTP Basic auth, as the SDK sends them."""
    if not authorization or not authorization.startswith("Basic "):
        return None
    try:
        sid, sep, token = base64.b64decode(authorization[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (sid, token) if sep else None


def _callback(url: str, token: str, params: dict[str, str]) -> None:
    """POST a status callback signed the way Twilio signs it."""
    signature = RequestValidator(token).compute_signature(url, params)
    try:
        CALLBACKS.get().post(url, data=params, headers={"X-Twilio-Signature": signature})
    except httpx.HTTPError:
        return  # the real Twilio also gives up on an unreachable callback URL


def _report(url: str, token: str, base: dict[str, str], statuses: tuple[str, ...],
            error_code: str | None) -> None:
    """Report each status in turn, like a handset (by default `sent` then `delivered`)."""
    for status in statuses:
        time.sleep(0.05)
        params = {**base, "MessageStatus": status, "SmsStatus": status}
        if error_code and status in ("undelivered", "failed"):
            params["ErrorCode"] = error_code
        _callback(url, token, params)


def _invalid(form: dict[str, str]) -> tuple[int, str] | None:
    """Twilio's validation of a create-message request: error code and message, if any."""
    if not form.get("To"):
        return 21604, "A 'To' phone number is required."
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return 21603, "A 'From' phone number is required."
    if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
        return 21602, "Message body is required."
    if len(form.get("Body", "")) > MAX_BODY:
        return 21617, "The concatenated message body exceeds the 1600 character limit."
    return None


@router.post("/2010-04-01/Accounts/{account_sid}/Messages.json")
async def create_message(account_sid: str, request: Request,
                         authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Accept a message like Twilio's Messages resource does."""
    credentials = _credentials(authorization)
    if credentials is None or credentials[0] != account_sid:
        return _error(401, 20003, "Authenticate")
    sid, token = credentials
    with STATE.lock:
        known = STATE.accounts.get(sid)
    if known is not None and known != token:
        return _error(401, 20003, "Authenticate")
    form = {k: str(v) for k, v in (await request.form()).items()}
    with STATE.lock:
        STATE.requests.append({"account_sid": account_sid, "auth_user": sid, "form": form})
        fault = STATE.faults.pop(0) if STATE.faults else None
        outcome = STATE.outcomes.get(form.get("To", ""), (("sent", "delivered"), None))
    if fault is not None:
        return _error(fault[0], fault[1], "simulated fault")
    problem = _invalid(form)
    if problem is not None:
        return _error(400, *problem)
    message_sid = "SM" + uuid.uuid4().hex
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    record = {"sid": message_sid, "to": form["To"], "from": form.get("From", ""),
              "body": form.get("Body", ""), "account_sid": account_sid, "status": "queued",
              "date_created": now}
    with STATE.lock:
        STATE.messages.append(record)
    if form.get("StatusCallback"):
        base = {"MessageSid": message_sid, "SmsSid": message_sid, "AccountSid": account_sid,
                "From": record["from"], "To": record["to"], "ApiVersion": API_VERSION}
        threading.Thread(target=_report, daemon=True,
                         args=(form["StatusCallback"], token, base, *outcome)).start()
    return JSONResponse({**record, "api_version": API_VERSION, "direction": "outbound-api",
                         "num_segments": "1", "num_media": "0", "price": None,
                         "error_code": None, "error_message": None,
                         "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/"
                                f"{message_sid}.json"},
                        status_code=201)


DEMO_NUMBER = "+15005550006"


def demo_account(base_url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """A simulated Twilio SMS account for the demo city (credentials are made up)."""
    config = {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16),
              "address": DEMO_NUMBER, "api_base": base_url.rstrip("/") + "/sim/twilio"}
    return config, ("account_sid", "auth_token")


@router.get("/phones/{number}/inbox")
def inbox(number: str, after: int = 0) -> dict[str, Any]:
    """What a handset with this number has received, from position `after` on."""
    received = sent_to(number)
    return {"messages": [m["body"] for m in received[after:]], "next": len(received)}


class TerminalPhone(InboxPhone):
    """A phone in the terminal: sends signed Twilio-format webhooks, reads its simulated inbox."""

    SIM_PREFIX = "twilio"

    def send(self, text: str) -> None:
        """POST the message to the gateway as Twilio would, signed with the account's token."""
        sid = "SM" + uuid.uuid4().hex
        params = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid,
                  "AccountSid": self.account["account_sid"], "From": self.sender,
                  "To": self.account["address"], "Body": text, "NumMedia": "0",
                  "NumSegments": "1", "SmsStatus": "received", "ApiVersion": API_VERSION}
        url = self.account["webhook_url"]
        signature = RequestValidator(self.account["auth_token"]).compute_signature(url, params)
        response = phone_http().post(url, data=params, headers={"X-Twilio-Signature": signature},
                              timeout=30)
        response.raise_for_status()
