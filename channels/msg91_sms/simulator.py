"""A local stand-in for MSG91 SMS: the v2 send API, delivery reports, DLT scrubbing, an inbox.

Used by the embedded demo and the tests; never mounted in production. Delivery reports go to
the webhook URL set for an auth key (`configure_webhook`, the panel's job at MSG91), in the
webhook "v2" shape. Bodies are scrubbed against registered DLT templates like an operator
would, and a mismatch shows up only as a failed report.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from channels.dlt_operator import scrub
from channels.http import process_http
from channels.terminal import InboxPhone, phone_http

router = APIRouter(prefix="/sim/msg91-sms", tags=["simulator"])
CALLBACKS = process_http()
"""One pooled client for every status callback this simulator posts."""

IST = ZoneInfo("Asia/Kolkata")
DELIVERED = ("1", "DELIVERED", "")
SCRUBBED = ("16", "REJECTED", "DLT template mismatch")


@dataclass
class _State:
    """What the fake MSG91 has seen and what it was told to do."""

    messages: list[dict[str, str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[tuple[int, str]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    webhooks: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = _State()


def reset() -> None:
    """Forget everything (tests)."""
    with STATE.lock:
        for store in (STATE.messages, STATE.requests, STATE.faults, STATE.keys, STATE.webhooks,
                      STATE.outcomes, STATE.templates):
            store.clear()


def inject_faults(*faults: int | tuple[int, str]) -> None:
    """Make the next sends fail: an HTTP status, or (status, MSG91 code) — 200 with a code is
    MSG91's usual `{"type": "error"}` answer."""
    with STATE.lock:
        STATE.faults += [f if isinstance(f, tuple) else (f, "") for f in faults]


def register_key(auth_key: str) -> None:
    """Accept only registered auth keys from now on (any key is accepted until one is)."""
    with STATE.lock:
        STATE.keys.add(auth_key)


def configure_webhook(auth_key: str, url: str) -> None:
    """The delivery-report URL of an account (set in MSG91's panel)."""
    with STATE.lock:
        STATE.webhooks[auth_key] = url


def register_template(template_id: str, text: str) -> None:
    """A DLT content template the operator knows: bodies sent under its id must match it."""
    with STATE.lock:
        STATE.templates[template_id] = text


def script_delivery(number: str, status: str, desc: str, reason: str = "") -> None:
    """The report for messages to `number` (`+91…`; default: status 1, DELIVERED)."""
    with STATE.lock:
        STATE.outcomes[number] = (status, desc, reason)


def sent_to(number: str) -> list[dict[str, str]]:
    """Messages the fake MSG91 accepted for a recipient (`+91…`), delivered or not."""
    with STATE.lock:
        return [m for m in STATE.messages if m["to"] == number]


def received_requests() -> list[dict[str, Any]]:
    """Every send request as it arrived: the auth key header and the JSON body."""
    with STATE.lock:
        return [dict(r) for r in STATE.requests]


def _error(status: int, code: str, message: str) -> JSONResponse:
    """An error answer in MSG91's shape."""
    return JSONResponse({"type": "error", "code": code, "message": message},
                        status_code=status)


def _invalid(body: Any) -> tuple[str, str] | None:
    """MSG91's validation of a send: code and message, if any."""
    if not isinstance(body, dict) or not isinstance(body.get("sms"), list) or not body["sms"]:
        return "102", "Missing message"
    if not body.get("sender"):
        return "103", "Missing sender ID"
    if not body.get("DLT_TE_ID"):
        return "211", "DLT_TE_ID is required"
    for sms in body["sms"]:
        if not isinstance(sms, dict) or not sms.get("message"):
            return "102", "Missing message"
        numbers = sms.get("to")
        if not isinstance(numbers, list) or not numbers:
            return "101", "Missing mobile no."
        if not all(re.fullmatch(r"\d{12}", str(n)) for n in numbers):
            return "202", "Invalid mobile number."
    return None


def _report(url: str, request_id: str, sender: str, number: str,
            outcome: tuple[str, str, str]) -> None:
    """POST a delivery report in the webhook v2 shape."""
    time.sleep(0.05)
    now = datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")
    data = [{"senderId": sender, "requestId": request_id, "userId": "100001",
             "campaignName": "API", "report": [{
                 "date": now, "number": number, "status": outcome[0], "desc": outcome[1],
                 "failedReason": outcome[2], "credit": "1"}]}]
    try:
        CALLBACKS.get().post(url, data={"data": json.dumps(data)})
    except httpx.HTTPError:
        return


@router.post("/api/v2/sendsms")
async def send_sms(request: Request,
                   authkey: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Accept an SMS like MSG91's v2 send API."""
    with STATE.lock:
        keys = set(STATE.keys)
    if not authkey or (keys and authkey not in keys):
        return _error(401, "207", "Invalid authentication key")
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    with STATE.lock:
        STATE.requests.append({"authkey": authkey, "json": body})
        fault = STATE.faults.pop(0) if STATE.faults else None
    if fault is not None:
        return _error(fault[0], fault[1], "simulated fault")
    problem = _invalid(body)
    if problem is not None:
        return _error(200, *problem)
    request_id = secrets.token_hex(12)
    with STATE.lock:
        template = STATE.templates.get(str(body["DLT_TE_ID"]))
        webhook = STATE.webhooks.get(authkey)
    for sms in body["sms"]:
        for number in sms["to"]:
            to = "+" + str(number)
            with STATE.lock:
                outcome = STATE.outcomes.get(to, DELIVERED)
            if template is not None and not scrub(sms["message"], template):
                outcome = SCRUBBED
            with STATE.lock:
                STATE.messages.append({"request_id": request_id, "to": to,
                                       "body": sms["message"], "sender": body["sender"],
                                       "dlt_template_id": str(body["DLT_TE_ID"]),
                                       "status": outcome[0]})
            if webhook:
                threading.Thread(target=_report, daemon=True, args=(
                    webhook, request_id, body["sender"], str(number), outcome)).start()
    return JSONResponse({"type": "success", "message": request_id})


@router.post("/panel/webhook")
async def panel_webhook(request: Request,
                        authkey: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Set an account's delivery-report URL, as one would in MSG91's panel."""
    url = (await request.json()).get("url") if authkey else None
    if not authkey or not url:
        return _error(400, "400", "authkey and url are required")
    configure_webhook(authkey, str(url))
    return JSONResponse({"type": "success", "message": "webhook saved"})


@router.get("/phones/{number}/inbox")
def inbox(number: str, after: int = 0) -> dict[str, Any]:
    """What a handset with this number received (rejected messages never arrive)."""
    got = [m["body"] for m in sent_to(number) if m["status"] in ("1", "8")]
    return {"messages": got[after:], "next": len(got)}


DEMO_LONG_CODE = "+919220592205"


def demo_account(base_url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """A simulated MSG91 account for the demo city (credentials are made up)."""
    config = {"auth_key": secrets.token_hex(12), "webhook_secret": secrets.token_urlsafe(24),
              "address": DEMO_LONG_CODE, "api_base": base_url.rstrip("/") + "/sim/msg91-sms"}
    return config, ("auth_key", "webhook_secret")


class TerminalPhone(InboxPhone):
    """A phone in the terminal: texts the long code through MSG91, reads its simulated inbox.

    Opening it also sets the account's delivery-report URL in the simulated panel.
    """

    SIM_PREFIX = "msg91-sms"

    def opened(self) -> None:
        """Set the account's delivery-report URL in the simulated panel."""
        account = self.account
        secret = account["webhook_secret"]
        phone_http().post(f"{self.gateway}/sim/msg91-sms/panel/webhook", timeout=10,
                   headers={"authkey": account["auth_key"]},
                   json={"url": f"{account['webhook_url']}/status?token={secret}"})

    def send(self, text: str) -> None:
        """POST the SMS as MSG91 forwards a long-code message, with the webhook secret."""
        fields = {"inNumber": self.account["address"].lstrip("+"),
                  "sender": self.sender.lstrip("+"), "keyword": "", "comments": text,
                  "rcvd": datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S.%f")}
        response = phone_http().post(self.account["webhook_url"], data=fields, timeout=30,
                              params={"token": self.account["webhook_secret"]})
        response.raise_for_status()
