"""A local stand-in for Exotel SMS: Send SMS, status callbacks, DLT scrubbing, a phone inbox.

Used by the embedded demo and the tests; never mounted in production. Like the operators, it
scrubs a body against the DLT template registered for its DltTemplateId (`register_template`)
and reports a mismatch only later, as a failed status: the handset never sees the message.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from channels.dlt_operator import scrub
from channels.http import process_http
from channels.terminal import InboxPhone, phone_http
from channels.webhook_secret import with_token

router = APIRouter(prefix="/sim/exotel-sms", tags=["simulator"])
CALLBACKS = process_http()
"""One pooled client for every status callback this simulator posts."""

MAX_BODY = 2000
IST = ZoneInfo("Asia/Kolkata")
DELIVERED = ("sent", "DELIVERED_TO_HANDSET", "20005")
SCRUBBED = ("failed", "DLT_TEMPLATE_DOES_NOT_MATCH", "23185")


@dataclass
class _State:
    """What the fake Exotel has seen and what it was told to do."""

    messages: list[dict[str, str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[tuple[int, str]] = field(default_factory=list)
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)
    outcomes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = _State()


def reset() -> None:
    """Forget messages, requests, faults, accounts, scripts and templates (tests)."""
    with STATE.lock:
        for store in (STATE.messages, STATE.requests, STATE.faults, STATE.accounts,
                      STATE.outcomes, STATE.templates):
            store.clear()


def inject_faults(*faults: int | tuple[int, str]) -> None:
    """Make the next sends fail, in order: an HTTP status, or (status, RestException code)."""
    with STATE.lock:
        STATE.faults += [f if isinstance(f, tuple) else (f, "") for f in faults]


def register_account(account_sid: str, api_key: str, api_token: str) -> None:
    """Check this account's credentials from now on (unknown accounts are accepted, as a demo)."""
    with STATE.lock:
        STATE.accounts[account_sid] = (api_key, api_token)


def register_template(template_id: str, text: str) -> None:
    """A DLT content template the operator knows: bodies sent under its id must match it."""
    with STATE.lock:
        STATE.templates[template_id] = text


def script_delivery(number: str, status: str, detailed: str, code: str) -> None:
    """The terminal callback for messages to `number` (default: sent, DELIVERED_TO_HANDSET)."""
    with STATE.lock:
        STATE.outcomes[number] = (status, detailed, code)


def sent_to(number: str) -> list[dict[str, str]]:
    """Messages the fake Exotel accepted for a recipient (delivered or not)."""
    with STATE.lock:
        return [m for m in STATE.messages if m["to"] == number]


def received_requests() -> list[dict[str, Any]]:
    """Every send request as it arrived: path account, Basic-auth user, form fields."""
    with STATE.lock:
        return [dict(r) for r in STATE.requests]


def _error(status: int, code: str, message: str) -> JSONResponse:
    """An error in Exotel's RestException shape."""
    return JSONResponse({"RestException": {"Status": status, "Code": code, "Message": message}},
                        status_code=status)


def _credentials(authorization: str | None) -> tuple[str, str] | None:
    """API key and token from HTTP Basic auth."""
    if not authorization or not authorization.startswith("Basic "):
        return None
    try:
        key, sep, token = base64.b64decode(authorization[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (key, token) if sep else None


def _invalid(form: dict[str, str]) -> tuple[str, str] | None:
    """Exotel's validation of a send: code and message, if any."""
    for name in ("From", "To", "Body", "DltEntityId", "DltTemplateId"):
        if not form.get(name):
            return "MISSING_PARAMETER", f"{name} is mandatory"
    if len(form["Body"]) > MAX_BODY:
        return "BODY_TOO_LONG", "Body cannot exceed 2000 characters"
    if not re.fullmatch(r"\+?\d{10,15}", form["To"]):
        return "INVALID_TO", "To is not a valid mobile number"
    return None


def _report(url: str, fields: dict[str, str]) -> None:
    """POST the terminal status, as Exotel does once an SMS is done."""
    time.sleep(0.05)
    try:
        CALLBACKS.get().post(url, data=fields)
    except httpx.HTTPError:
        return  # the real Exotel also gives up on an unreachable callback URL


@router.post("/v1/Accounts/{account_sid}/Sms/send.json")
async def send_sms(account_sid: str, request: Request,
                   authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Accept an SMS like Exotel's Send SMS API (JSON flavour)."""
    credentials = _credentials(authorization)
    with STATE.lock:
        known = STATE.accounts.get(account_sid)
    if credentials is None or (known is not None and known != credentials):
        return _error(401, "UNAUTHORIZED", "Authentication failed. Invalid API Key or Token.")
    form = {k: str(v) for k, v in (await request.form()).items()}
    with STATE.lock:
        STATE.requests.append({"account_sid": account_sid, "auth_user": credentials[0],
                               "form": form})
        fault = STATE.faults.pop(0) if STATE.faults else None
        template = STATE.templates.get(form.get("DltTemplateId", ""))
        outcome = STATE.outcomes.get(form.get("To", ""), DELIVERED)
    if fault is not None:
        return _error(fault[0], fault[1], "simulated fault")
    problem = _invalid(form)
    if problem is not None:
        return _error(400, *problem)
    if template is not None and not scrub(form["Body"], template):
        outcome = SCRUBBED
    sid = uuid.uuid4().hex
    now = datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")
    record = {"sid": sid, "to": form["To"], "from": form["From"], "body": form["Body"],
              "dlt_template_id": form["DltTemplateId"], "status": outcome[0]}
    with STATE.lock:
        STATE.messages.append(record)
    if form.get("StatusCallback"):
        fields = {"SmsSid": sid, "To": form["To"], "Status": outcome[0], "SmsUnits": "1",
                  "DetailedStatus": outcome[1], "DetailedStatusCode": outcome[2],
                  "DateSent": now, **({"CustomField": form["CustomField"]}
                                      if form.get("CustomField") else {})}
        threading.Thread(target=_report, args=(form["StatusCallback"], fields),
                         daemon=True).start()
    return JSONResponse({"SMSMessage": {
        "Sid": sid, "AccountSid": account_sid, "From": form["From"], "To": form["To"],
        "DateCreated": now, "DateUpdated": now, "DateSent": None, "Body": form["Body"],
        "Direction": "outbound-api", "Status": "queued", "DetailedStatus": "PENDING_TO_OPERATOR",
        "DetailedStatusCode": 21010, "Price": None, "SmsUnits": None,
        "Uri": f"/v1/Accounts/{account_sid}/SMS/Messages/{sid}.json"}})


@router.get("/phones/{number}/inbox")
def inbox(number: str, after: int = 0) -> dict[str, Any]:
    """What a handset with this number received (scrubbed messages never arrive)."""
    got = [m["body"] for m in sent_to(number) if m["status"] in ("sent", "delivered")]
    return {"messages": got[after:], "next": len(got)}


DEMO_EXOPHONE = "+918047091234"


def demo_account(base_url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """A simulated Exotel SMS account for the demo city (credentials are made up)."""
    config = {"account_sid": "nagarsetu" + secrets.token_hex(4),
              "api_key": secrets.token_hex(16), "api_token": secrets.token_hex(16),
              "webhook_secret": secrets.token_urlsafe(24), "address": DEMO_EXOPHONE,
              "api_base": base_url.rstrip("/") + "/sim/exotel-sms"}
    return config, ("account_sid", "api_key", "api_token", "webhook_secret")


def national(number: str) -> str:
    """An Indian number as Exotel writes it in callbacks ("09876543210")."""
    return "0" + number[3:] if number.startswith("+91") else number


class TerminalPhone(InboxPhone):
    """A phone in the terminal: sends incoming SMS as Exotel does, reads its simulated inbox."""

    SIM_PREFIX = "exotel-sms"

    def send(self, text: str) -> None:
        """Deliver the SMS the way Exotel's reply applet does: a HEAD probe, then a GET with
        the fields in the query, each to the incoming-SMS URL carrying the webhook secret; the
        answer must be `text/plain` and nothing else, as Exotel requires."""
        url = with_token(self.account["webhook_url"], self.account["webhook_secret"])
        probe = phone_http().head(url, timeout=30)
        probe.raise_for_status()
        fields = {"SmsSid": uuid.uuid4().hex, "From": national(self.sender),
                  "To": national(self.account["address"]), "Date":
                  datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S"), "Body": text}
        response = phone_http().get(f"{url}&{urlencode(fields)}", timeout=30)
        response.raise_for_status()
        for answer in (probe, response):
            if answer.headers.get("content-type") != "text/plain":
                raise ValueError("Exotel needs a text/plain answer, got "
                                 + str(answer.headers.get("content-type")))
