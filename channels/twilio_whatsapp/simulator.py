"""A local stand-in for Twilio's WhatsApp sender: Messages API with content, callbacks, inbox.

Used by the embedded demo and the tests; never mounted in production. Beyond the SMS simulator
it knows `whatsapp:` addresses, the 24-hour session window (free text to a closed window is
accepted, then reported `failed` with 63016, as Twilio does), content templates (rendered into
the phone's inbox as buttons or a list) and media that needs the account's credentials.
Simplification: bad ContentVariables are refused at once (Twilio may report 63028 later).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from twilio.request_validator import RequestValidator

from channels.http import process_http
from channels.twilio_whatsapp.content import (
    CONTENT_SID,
    DEMO_CONTENT,
    Content,
    Interactive,
    demo_sid,
    render,
)
from channels.twilio_whatsapp.payloads import bare, wa
from channels.twilio_whatsapp.phone import TerminalPhone

__all__ = ["Content", "TerminalPhone", "demo_account", "demo_sid", "router"]

router = APIRouter(prefix="/sim/twilio-whatsapp", tags=["simulator"])
CALLBACKS = process_http()
"""One pooled client for every status callback this simulator posts."""

API_VERSION = "2010-04-01"
MAX_BODY = 1600
DEMO_NUMBER = "+14155238886"  # Twilio's WhatsApp sandbox number
_DEFAULT_CODES = {400: 21211, 401: 20003, 403: 20003, 404: 20404, 429: 20429, 500: 20500,
                  503: 20503}


@dataclass
class _State:
    """What the fake Twilio has seen and been told: messages, faults, windows, contents."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[tuple[int, int]] = field(default_factory=list)
    accounts: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    contents: dict[str, Content] = field(default_factory=dict)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = _State()


def reset() -> None:
    """Forget everything but the demo contents (tests)."""
    with STATE.lock:
        for store in (STATE.messages, STATE.requests, STATE.faults):
            store.clear()
        for table in (STATE.accounts, STATE.outcomes, STATE.contents, STATE.media):
            table.clear()
        STATE.closed.clear()


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


def register_content(sid: str, content: Content) -> None:
    """Make a content template known (the demo's quick replies and lists always are)."""
    with STATE.lock:
        STATE.contents[sid] = content


def script_delivery(number: str, *statuses: str, error_code: str | None = None) -> None:
    """The status callbacks for messages to `number` (default: sent, delivered, read)."""
    with STATE.lock:
        STATE.outcomes[bare(number)] = (statuses, error_code)


def close_window(number: str) -> None:
    """The citizen has not written for 24 hours: free text to them fails with 63016."""
    with STATE.lock:
        STATE.closed.add(bare(number))


def sent_to(number: str) -> list[dict[str, Any]]:
    """Messages the fake Twilio accepted for a number (bare or `whatsapp:`)."""
    with STATE.lock:
        return [dict(m) for m in STATE.messages if m["to"] == wa(number)]


def received_requests() -> list[dict[str, Any]]:
    """Every create-message request as it arrived: path account, Basic-auth user, form fields."""
    with STATE.lock:
        return [dict(r) for r in STATE.requests]


def store_media(api_base: str, account_sid: str, data: bytes, content_type: str) -> str:
    """Keep an attachment and return its Twilio-style URL (fetching it needs Basic auth)."""
    media_sid = "ME" + uuid.uuid4().hex
    with STATE.lock:
        STATE.media[media_sid] = (data, content_type)
    return (f"{api_base.rstrip('/')}/{API_VERSION}/Accounts/{account_sid}/Messages/"
            f"MM{uuid.uuid4().hex}/Media/{media_sid}")


def _error(status: int, code: int, message: str) -> JSONResponse:
    """An error response in Twilio's REST error format."""
    return JSONResponse({"code": code, "message": message, "status": status,
                         "more_info": f"https://www.twilio.com/docs/errors/{code}"},
                        status_code=status)


def _authorized(account_sid: str, authorization: str | None) -> str | None:
    """The auth token if HTTP Basic auth names this account and, when known, its token."""
    if not authorization or not authorization.startswith("Basic "):
        return None
    try:
        sid, sep, token = base64.b64decode(authorization[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    with STATE.lock:
        known = STATE.accounts.get(sid)
    return token if sep and sid == account_sid and known in (None, token) else None


def _report(url: str, token: str, base: dict[str, str], statuses: tuple[str, ...],
            error_code: str | None) -> None:
    """POST each status callback in turn, signed the way Twilio signs them."""
    for status in statuses:
        time.sleep(0.05)
        params = {**base, "MessageStatus": status, "SmsStatus": status}
        if error_code and status in ("undelivered", "failed"):
            params["ErrorCode"] = error_code
        signature = RequestValidator(token).compute_signature(url, params)
        try:
            CALLBACKS.get().post(url, data=params, headers={"X-Twilio-Signature": signature})
        except httpx.HTTPError:
            return  # the real Twilio also gives up on an unreachable callback URL


def _variables(form: dict[str, str]) -> dict[str, str] | None:
    """ContentVariables as a dict of non-empty strings; None when Twilio would refuse them."""
    try:
        values = json.loads(form.get("ContentVariables") or "{}")
    except json.JSONDecodeError:
        return None
    ok = isinstance(values, dict) and all(isinstance(v, str) and v for v in values.values())
    return {str(k): v for k, v in values.items()} if ok else None


def _invalid(form: dict[str, str]) -> tuple[int, str] | None:
    """Twilio's validation of a WhatsApp create-message request: error code and message."""
    if not form.get("To") or not form["To"].startswith("whatsapp:+"):
        return 21211, "Invalid 'To' Phone Number"
    if not form.get("From", "").startswith("whatsapp:+") and not form.get("MessagingServiceSid"):
        return 63007, "Twilio could not find a Channel with the specified From address"
    if form.get("ContentVariables") and not form.get("ContentSid"):
        return 21654, "ContentSid Required"
    if form.get("ContentSid") and not CONTENT_SID.fullmatch(form["ContentSid"]):
        return 21655, "The ContentSid is Invalid"
    if form.get("ContentSid") and _variables(form) is None:
        return 21656, "The ContentVariables Parameter is invalid"
    if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
        return 21602, "Message body is required."
    if len(form.get("Body", "")) > MAX_BODY:
        return 21617, "The concatenated message body exceeds the 1600 character limit."
    return None


def _render(form: dict[str, str]) -> tuple[str, list[dict[str, str]], Content | None]:
    """What the handset shows (text, tappable options) and the content used, if any."""
    sid = form.get("ContentSid")
    if not sid:
        return form.get("Body", ""), [], None
    with STATE.lock:
        content = STATE.contents.get(sid) or DEMO_CONTENT.get(sid)
    text, options = render(sid, content, _variables(form) or {})
    return text, options, content


@router.post("/2010-04-01/Accounts/{account_sid}/Messages.json")
async def create_message(account_sid: str, request: Request,
                         authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Accept a message like Twilio's Messages resource does for a WhatsApp sender."""
    token = _authorized(account_sid, authorization)
    if token is None:
        return _error(401, 20003, "Authenticate")
    form = {k: str(v) for k, v in (await request.form()).items()}
    with STATE.lock:
        STATE.requests.append({"account_sid": account_sid, "auth_user": account_sid,
                               "form": form})
        fault = STATE.faults.pop(0) if STATE.faults else None
    if fault is not None:
        return _error(fault[0], fault[1], "simulated fault")
    problem = _invalid(form)
    if problem is not None:
        return _error(400, *problem)
    text, options, content = _render(form)
    to = bare(form["To"])
    with STATE.lock:
        closed = to in STATE.closed
        statuses, error_code = STATE.outcomes.get(to, (("sent", "delivered", "read"), None))
    if closed and not (content is not None and content.approved):
        statuses, error_code = ("failed",), "63016"
    sid = "SM" + uuid.uuid4().hex
    record = {"sid": sid, "to": form["To"], "from": form.get("From", ""), "body": text,
              "options": options, "content_sid": form.get("ContentSid"),
              "account_sid": account_sid, "status": "queued",
              "date_created": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")}
    with STATE.lock:
        if {"delivered", "read"} & set(statuses):  # only what is delivered reaches the phone
            STATE.messages.append(record)
    if form.get("StatusCallback"):
        base = {"MessageSid": sid, "SmsSid": sid, "AccountSid": account_sid,
                "From": record["from"], "To": record["to"], "ApiVersion": API_VERSION,
                "ChannelPrefix": "whatsapp", "ChannelToAddress": to[:-5] + "XXXXX"}
        threading.Thread(target=_report, daemon=True,
                         args=(form["StatusCallback"], token, base, statuses, error_code)).start()
    public = {k: v for k, v in record.items() if k not in ("options", "content_sid")}
    return JSONResponse({**public, "api_version": API_VERSION, "direction": "outbound-api",
                         "num_segments": "1", "num_media": "0", "price": None,
                         "error_code": None, "error_message": None,
                         "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json"},
                        status_code=201)


@router.get("/2010-04-01/Accounts/{account_sid}/Messages/{message_sid}/Media/{media_sid}")
def media(account_sid: str, message_sid: str, media_sid: str,
          authorization: Annotated[str | None, Header()] = None) -> Response:
    """An inbound attachment: 401 without the account's credentials, else a redirect to it."""
    if _authorized(account_sid, authorization) is None:
        return _error(401, 20003, "Authenticate")
    if media_sid not in STATE.media:
        return _error(404, 20404, "The requested resource was not found")
    return RedirectResponse(f"{router.prefix}/media-store/{media_sid}", status_code=307)


@router.get("/media-store/{media_sid}")
def media_store(media_sid: str) -> Response:
    """The media store Twilio redirects to (a pre-signed URL: no credentials needed)."""
    with STATE.lock:
        found = STATE.media.get(media_sid)
    if found is None:
        return Response(status_code=404)
    return Response(found[0], media_type=found[1])


@router.post("/phones/{number}/media")
async def upload(number: str, account_sid: str, request: Request) -> dict[str, str]:
    """A phone attaches a file (what WhatsApp uploads before the inbound webhook)."""
    api_base = str(request.base_url).rstrip("/") + router.prefix
    kind = request.headers.get("content-type", "application/octet-stream")
    return {"url": store_media(api_base, account_sid, await request.body(), kind)}


@router.post("/phones/{number}/wrote")
def wrote(number: str) -> dict[str, bool]:
    """The citizen wrote: their 24-hour session window opens again."""
    with STATE.lock:
        STATE.closed.discard(bare(number))
    return {"window_open": True}


@router.get("/phones/{number}/inbox")
def inbox(number: str, after: int = 0) -> dict[str, Any]:
    """What a handset with this number has received, from position `after` on."""
    received = sent_to(number)[after:]
    return {"messages": [m["body"] for m in received], "options": [m["options"] for m in received],
            "sids": [m["sid"] for m in received], "next": after + len(received)}


def demo_account(base_url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """A simulated WhatsApp sender for the demo city, with quick-reply and list templates."""
    def sids(kind: Interactive) -> str:
        """The demo's content SIDs of a kind, as the config spells them."""
        return ",".join(f"{n}:{demo_sid(kind, n)}" for n in range(1, kind.max_options + 1))

    config = {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16),
              "address": wa(DEMO_NUMBER), "api_base": base_url.rstrip("/") + router.prefix,
              **{kind.config_key: sids(kind) for kind in Interactive}}
    return config, ("account_sid", "auth_token")
