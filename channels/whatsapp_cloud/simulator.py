"""A local stand-in for Meta's Cloud API: Graph messages and media, signed status webhooks.

Used by the embedded demo and the tests; never mounted in production. Errors come back in the
Graph API's JSON shape so the adapter maps them as it would real ones. Meta knows each app's
secret from its App Dashboard; here `register_app` (or PUT /apps/{phone_number_id}) tells it,
and the documented `POST /{version}/{phone_number_id}` webhook override (with Meta's GET
handshake) says where statuses go.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from channels.http import process_http
from channels.whatsapp_cloud.client import API_VERSION
from channels.whatsapp_cloud.graph_rules import problem, render
from channels.whatsapp_cloud.payloads import SIGNATURE_HEADER, envelope, signature, wa_digits
from channels.whatsapp_cloud.phone import TerminalPhone as TerminalPhone

PREFIX = "/sim/whatsapp-cloud"
router = APIRouter(prefix=PREFIX, tags=["simulator"])
CALLBACKS = process_http()
"""One pooled client for every status callback this simulator posts."""
DEMO_NUMBER = "+15550783881"
# Graph error code the simulator answers an injected HTTP status with, unless told otherwise.
_DEFAULT_CODES = {400: 131009, 401: 190, 403: 10, 404: 100, 429: 130429, 500: 1, 503: 2}


@dataclass
class _App:
    """What Meta knows about the app serving one phone number."""

    access_token: str
    app_secret: str
    display_number: str = ""
    callback_url: str | None = None


@dataclass
class _State:
    """Messages, raw requests, faults, apps, delivery scripts and media of the fake Graph API."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[tuple[int, int]] = field(default_factory=list)
    media_faults: list[int] = field(default_factory=list)
    apps: dict[str, _App] = field(default_factory=dict)
    outcomes: dict[str, tuple[tuple[str, ...], int | None]] = field(default_factory=dict)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = _State()


def reset() -> None:
    """Forget everything (tests)."""
    with STATE.lock:
        for part in (STATE.messages, STATE.requests, STATE.faults, STATE.media_faults):
            part.clear()
        for table in (STATE.apps, STATE.outcomes, STATE.media):
            table.clear()


def inject_faults(*faults: int | tuple[int, int]) -> None:
    """Make the next sends fail, in order: an HTTP status, or (HTTP status, Graph error code)."""
    with STATE.lock:
        for fault in faults:
            status, code = fault if isinstance(fault, tuple) else (fault, 0)
            STATE.faults.append((status, code or _DEFAULT_CODES.get(status, 131000)))


def inject_media_faults(*statuses: int) -> None:
    """Make the next Retrieve Media URL requests fail with these HTTP statuses, in order."""
    with STATE.lock:
        STATE.media_faults.extend(statuses)


def register_app(phone_number_id: str, access_token: str, app_secret: str,
                 display_number: str = "", callback_url: str | None = None) -> None:
    """Check this number's token from now on and sign its webhooks with the app secret."""
    with STATE.lock:
        STATE.apps[phone_number_id] = _App(access_token, app_secret, display_number, callback_url)


def script_delivery(number: str, *statuses: str, error_code: int | None = None) -> None:
    """The statuses reported for messages to `number` (default: sent, delivered, read)."""
    with STATE.lock:
        STATE.outcomes[wa_digits(number)] = (statuses, error_code)


def add_media(content: bytes, mime_type: str) -> str:
    """Store an attachment as a citizen's upload; its media id."""
    media_id = str(secrets.randbelow(10**15) + 10**15)
    with STATE.lock:
        STATE.media[media_id] = (content, mime_type)
    return media_id


def sent_to(number: str) -> list[dict[str, Any]]:
    """Messages accepted for a recipient: id, request body, rendered text, options."""
    with STATE.lock:
        return [dict(m) for m in STATE.messages if m["to"] == wa_digits(number)]


def received_requests() -> list[dict[str, Any]]:
    """Every send request as it arrived: path ids, bearer token and JSON body."""
    with STATE.lock:
        return [dict(r) for r in STATE.requests]


def _error(status: int, code: int, message: str) -> JSONResponse:
    """An error in the Graph API's format."""
    return JSONResponse({"error": {
        "message": f"(#{code}) {message}", "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message},
        "fbtrace_id": secrets.token_urlsafe(12)}}, status_code=status)


def _token(authorization: str | None) -> str | None:
    """The bearer token of a request."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    return authorization[7:].strip() or None


def _authorized(phone_number_id: str, token: str | None) -> bool:
    """A token is needed; a registered number also needs its own (unknown ones are demos)."""
    with STATE.lock:
        app = STATE.apps.get(phone_number_id)
    return token is not None and (app is None or secrets.compare_digest(token, app.access_token))


def _wamid() -> str:
    """A message id in WhatsApp's style."""
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x11\x18\x12" + secrets.token_bytes(18)
                                       ).decode()


def _post_webhook(app: _App, phone_number_id: str, value: dict[str, Any]) -> None:
    """POST one signed notification to the app's callback (Meta retries; we give up)."""
    if app.callback_url is None:
        return
    body = json.dumps(envelope(phone_number_id, app.display_number, value)).encode()
    headers = {SIGNATURE_HEADER: signature(app.app_secret, body),
               "Content-Type": "application/json"}
    try:
        CALLBACKS.get().post(app.callback_url, content=body, headers=headers)
    except httpx.HTTPError:
        return


def _report(app: _App, phone_number_id: str, wamid: str, recipient: str,
            statuses: tuple[str, ...], error_code: int | None) -> None:
    """Report each status in turn, like a handset would."""
    for status in statuses:
        time.sleep(0.05)
        item: dict[str, Any] = {"id": wamid, "status": status, "recipient_id": recipient,
                                "timestamp": str(int(time.time()))}
        if status == "failed":
            code = error_code or 131026
            item["errors"] = [{"code": code, "title": "Message undeliverable",
                               "message": "Message undeliverable",
                               "error_data": {"details": "simulated delivery failure"}}]
        else:
            item["pricing"] = {"billable": True, "pricing_model": "PMP",
                               "category": "service", "type": "free_customer_service"}
        _post_webhook(app, phone_number_id, {"statuses": [item]})


@router.put("/apps/{phone_number_id}")
async def put_app(phone_number_id: str, request: Request) -> JSONResponse:
    """The App Dashboard, simulated: the token and app secret Meta issued for this number."""
    data = await request.json()
    if not isinstance(data, dict) or not data.get("access_token") or not data.get("app_secret"):
        return _error(400, 100, "access_token and app_secret are required")
    with STATE.lock:
        old = STATE.apps.get(phone_number_id)
    register_app(phone_number_id, str(data["access_token"]), str(data["app_secret"]),
                 wa_digits(str(data.get("display_phone_number", ""))),
                 old.callback_url if old else None)
    return JSONResponse({"success": True})


@router.get("/phones/{number}/inbox")
def inbox(number: str, after: int = 0) -> dict[str, Any]:
    """What a handset with this number has received, from position `after` on."""
    received = sent_to(number)
    return {"messages": [{"id": m["id"], "text": m["text"], "kind": m["kind"],
                          "options": m["options"]} for m in received[after:]],
            "next": len(received)}


@router.post("/phones/{number}/media")
async def upload(number: str, request: Request) -> dict[str, str]:
    """A phone attaches a file (WhatsApp uploads it to Meta before the webhook): its id."""
    kind = request.headers.get("content-type", "application/octet-stream")
    return {"id": add_media(await request.body(), kind)}


@router.get("/lookaside/{media_id}")
def download(media_id: str, authorization: Annotated[str | None, Header()] = None) -> Response:
    """A media file's bytes: like Meta's lookaside URL, only with the bearer token."""
    with STATE.lock:
        stored = STATE.media.get(media_id)
    if _token(authorization) is None or stored is None:
        return Response(status_code=404 if stored is None else 401)
    return Response(stored[0], media_type=stored[1])


@router.get("/{version}/{media_id}")
def media_url(version: str, media_id: str, request: Request,
              authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Retrieve Media URL: metadata and a short-lived download URL."""
    if _token(authorization) is None:
        return _error(401, 190, "Invalid OAuth access token")
    with STATE.lock:
        stored = STATE.media.get(media_id)
        fault = STATE.media_faults.pop(0) if STATE.media_faults and stored else None
    if fault is not None:
        return _error(fault, _DEFAULT_CODES.get(fault, 131000), "simulated fault")
    if stored is None:
        return _error(400, 100, f"Unsupported get request. Object with ID '{media_id}' "
                                "does not exist")
    url = str(request.base_url).rstrip("/") + f"{PREFIX}/lookaside/{media_id}?ext=1"
    return JSONResponse({"messaging_product": "whatsapp", "url": url, "id": media_id,
                         "mime_type": stored[1], "file_size": str(len(stored[0])),
                         "sha256": secrets.token_hex(32)})


@router.post("/{version}/{phone_number_id}")
async def configure(version: str, phone_number_id: str, request: Request,
                    authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Set the number's alternate callback URL; Meta first verifies it with a GET handshake."""
    if not _authorized(phone_number_id, _token(authorization)):
        return _error(401, 190, "Invalid OAuth access token")
    data = await request.json()
    config = data.get("webhook_configuration") if isinstance(data, dict) else None
    with STATE.lock:
        app = STATE.apps.get(phone_number_id)
    if app is None or not isinstance(config, dict) or not config.get("override_callback_uri"):
        return _error(400, 100, "webhook_configuration.override_callback_uri is required "
                                "(and the app must be registered: PUT /apps/{id})")
    url, challenge = str(config["override_callback_uri"]), str(secrets.randbelow(10**10))
    params = {"hub.mode": "subscribe", "hub.challenge": challenge,
              "hub.verify_token": str(config.get("verify_token", ""))}
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(url, params=params)
        ok = answer.status_code == 200 and answer.text == challenge
        failure = f"HTTP Status Code = {answer.status_code}"
    except httpx.HTTPError as exc:
        ok, failure = False, type(exc).__name__
    if not ok:
        return _error(400, 2200, f"Callback verification failed: {failure}")
    with STATE.lock:
        app.callback_url = url
    return JSONResponse({"success": True})


@router.post("/{version}/{phone_number_id}/messages")
async def create_message(version: str, phone_number_id: str, request: Request,
                         authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Accept a message like the Cloud API's messages endpoint, then report its statuses."""
    token = _token(authorization)
    if not _authorized(phone_number_id, token):
        return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    try:
        body = await request.json()
    except ValueError:
        return _error(400, 100, "Invalid parameter")
    with STATE.lock:
        STATE.requests.append({"version": version, "phone_number_id": phone_number_id,
                               "token": token, "json": body})
        fault = STATE.faults.pop(0) if STATE.faults else None
    if fault is not None:
        return _error(fault[0], fault[1], "simulated fault")
    invalid = problem(body)
    if invalid is not None:
        return _error(400, *invalid)
    wamid, recipient = _wamid(), wa_digits(str(body["to"]))
    text, kind, options = render(body)
    with STATE.lock:
        STATE.messages.append({"id": wamid, "phone_number_id": phone_number_id, "to": recipient,
                               "body": body, "text": text, "kind": kind, "options": options})
        app = STATE.apps.get(phone_number_id)
        statuses, error_code = STATE.outcomes.get(recipient, (("sent", "delivered", "read"), None))
    if app is not None and app.callback_url:
        threading.Thread(target=_report, daemon=True,
                         args=(app, phone_number_id, wamid, recipient, statuses,
                               error_code)).start()
    answer: dict[str, Any] = {"id": wamid}
    if body.get("type") == "template":
        answer["message_status"] = "accepted"
    return JSONResponse({"messaging_product": "whatsapp",
                         "contacts": [{"input": str(body["to"]), "wa_id": recipient}],
                         "messages": [answer]})


def demo_account(base_url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """A simulated WhatsApp Cloud API number for the demo city (credentials are made up)."""
    config = {"phone_number_id": str(secrets.randbelow(10**14) + 10**14),
              "access_token": "EAA" + secrets.token_urlsafe(32),
              "app_secret": secrets.token_hex(16), "verify_token": secrets.token_urlsafe(16),
              "address": DEMO_NUMBER, "graph_base": base_url.rstrip("/") + PREFIX,
              "api_version": API_VERSION}
    return config, ("phone_number_id", "access_token", "app_secret", "verify_token")
