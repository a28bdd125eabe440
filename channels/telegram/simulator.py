"""A local stand-in for the Telegram Bot API: the methods we call, files, an inbox per chat.

Used by the embedded demo and the tests; never mounted in production. Answers use Telegram's
envelope (`{"ok": true, "result": …}`, or `ok: false` with `error_code`, `description` and,
for 429, `parameters.retry_after`), so PTB raises what it would raise against Telegram.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from channels.telegram.payloads import MAX_CALLBACK_DATA, MAX_TEXT
from channels.telegram.phone import TerminalPhone as TerminalPhone

router = APIRouter(prefix="/sim/telegram", tags=["simulator"])

TOKEN = re.compile(r"([0-9]+):[A-Za-z0-9_-]{20,}")
CHAT = re.compile(r"-?[0-9]+")
DEMO_BOT = "NagarSetuDemoBot"
_PHRASES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user",
            404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway"}


@dataclass(frozen=True)
class Fault:
    """An injected failure for the next call: an error answer, after an optional delay."""

    status: int = 500
    description: str = ""
    retry_after: int = 3
    delay: float = 0.0


@dataclass
class _State:
    """What the fake Bot API has seen and holds."""

    inbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = _State()


def reset() -> None:
    """Forget messages, requests, faults, files, blocked chats and revoked tokens (tests)."""
    with STATE.lock:
        for part in (STATE.inbox, STATE.requests, STATE.faults, STATE.files, STATE.blocked,
                     STATE.revoked):
            part.clear()


def inject_faults(*faults: int | Fault) -> None:
    """Make the next calls fail, in order: an HTTP status or a Fault."""
    with STATE.lock:
        STATE.faults.extend(f if isinstance(f, Fault) else Fault(f) for f in faults)


def block_chat(chat_id: str) -> None:
    """The user of this chat blocked the bot: sends answer 403."""
    with STATE.lock:
        STATE.blocked.add(chat_id)


def revoke_token(token: str) -> None:
    """BotFather revoked this token: calls answer 401."""
    with STATE.lock:
        STATE.revoked.add(token)


def add_file(file_id: str, content: bytes, path: str = "photos/file_0.jpg") -> None:
    """A file a user sent, available to getFile and for download."""
    with STATE.lock:
        STATE.files[file_id] = (path, content)


def sent_to(chat_id: str) -> list[dict[str, Any]]:
    """Messages the bot sent to a chat (Telegram Message objects as JSON)."""
    with STATE.lock:
        return list(STATE.inbox.get(chat_id, []))


def received_requests() -> list[dict[str, Any]]:
    """Every Bot API call as it arrived: method, token and parameters (JSON fields decoded)."""
    with STATE.lock:
        return [dict(r) for r in STATE.requests]


def _error(status: int, description: str = "", retry_after: int | None = None) -> JSONResponse:
    """An error answer in the Bot API's envelope."""
    body: dict[str, Any] = {"ok": False, "error_code": status,
                            "description": description or _PHRASES.get(status, "Error")}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
        body["description"] = f"Too Many Requests: retry after {retry_after}"
    return JSONResponse(body, status_code=status)


def _ok(result: Any) -> JSONResponse:
    """A successful answer."""
    return JSONResponse({"ok": True, "result": result})


async def _params(request: Request) -> dict[str, Any]:
    """Parameters from the query, a JSON body or a form (objects arrive JSON-encoded)."""
    params: dict[str, Any] = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/json"):
        params.update(await request.json())
    else:
        params.update({k: v for k, v in (await request.form()).items() if isinstance(v, str)})
    for key in ("reply_markup", "allowed_updates"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


MAX_CAPTION = 1024


def _bad_markup(markup: Any) -> bool:
    """An inline keyboard button without callback data, or with more than 64 bytes of it."""
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return any(not b.get("callback_data") or len(b["callback_data"].encode()) > MAX_CALLBACK_DATA
               for row in rows for b in row)


def _send_message(bot_id: int, params: dict[str, Any]) -> JSONResponse:
    """Deliver a text to a chat's inbox, validating as Telegram does."""
    chat, text = str(params.get("chat_id", "")), str(params.get("text", ""))
    if not CHAT.fullmatch(chat):
        return _error(400, "Bad Request: chat not found")
    if not text.strip():
        return _error(400, "Bad Request: message text is empty")
    if len(text.encode("utf-16-le")) > 2 * MAX_TEXT:
        return _error(400, "Bad Request: message is too long")
    markup = params.get("reply_markup")
    if _bad_markup(markup):
        return _error(400, "Bad Request: BUTTON_DATA_INVALID")
    with STATE.lock:
        if chat in STATE.blocked:
            return _error(403)
        inbox = STATE.inbox.setdefault(chat, [])
        message: dict[str, Any] = {
            "message_id": len(inbox) + 1,
            "from": {"id": bot_id, "is_bot": True, "first_name": "NagarSetu",
                     "username": DEMO_BOT},
            "chat": {"id": int(chat), "first_name": "Citizen", "type": "private"},
            "date": int(time.time()), "text": text}
        if isinstance(markup, dict):  # the phone shows any keyboard; Telegram echoes inline ones
            message["reply_markup"] = markup
        inbox.append(message)
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        message = {k: v for k, v in message.items() if k != "reply_markup"}
    return _ok(message)


def _send_photo(bot_id: int, params: dict[str, Any]) -> JSONResponse:
    """Deliver a photo by URL to a chat's inbox (its `photo` is the URL, as the phone would
    fetch it); Telegram refuses one without a photo, and captions over 1024 characters."""
    chat, photo = str(params.get("chat_id", "")), str(params.get("photo", ""))
    if not CHAT.fullmatch(chat):
        return _error(400, "Bad Request: chat not found")
    if not photo.startswith(("http://", "https://")):
        return _error(400, "Bad Request: wrong remote file identifier specified")
    if len(str(params.get("caption", ""))) > MAX_CAPTION:
        return _error(400, "Bad Request: message caption is too long")
    with STATE.lock:
        inbox = STATE.inbox.setdefault(chat, [])
        message: dict[str, Any] = {
            "message_id": len(inbox) + 1,
            "from": {"id": bot_id, "is_bot": True, "first_name": "NagarSetu",
                     "username": DEMO_BOT},
            "chat": {"id": int(chat), "first_name": "Citizen", "type": "private"},
            "date": int(time.time()), "photo_url": photo,
            "photo": [{"file_id": "sim-photo", "file_unique_id": "simphoto", "width": 330,
                       "height": 330}]}
        inbox.append(message)
    return _ok({k: v for k, v in message.items() if k != "photo_url"})


def _method(method: str, bot_id: int, params: dict[str, Any]) -> JSONResponse:
    """The Bot API methods the adapter (and a setup check) calls."""
    if method == "sendMessage":
        return _send_message(bot_id, params)
    if method == "sendPhoto":
        return _send_photo(bot_id, params)
    if method == "answerCallbackQuery":
        if not params.get("callback_query_id"):
            return _error(400, "Bad Request: query is too old and response timeout expired")
        return _ok(True)
    if method == "getFile":
        with STATE.lock:
            found = STATE.files.get(str(params.get("file_id", "")))
        if found is None:
            return _error(400, "Bad Request: invalid file_id")
        return _ok({"file_id": params["file_id"], "file_unique_id": "u" + params["file_id"][-8:],
                    "file_size": len(found[1]), "file_path": found[0]})
    if method == "getMe":
        return _ok({"id": bot_id, "is_bot": True, "first_name": "NagarSetu",
                    "username": DEMO_BOT, "can_join_groups": False})
    return _error(404)


@router.api_route("/bot{token}/{method}", methods=["GET", "POST"])
async def bot_api(token: str, method: str, request: Request) -> JSONResponse:
    """One Bot API call, after the token check and any injected fault."""
    shape = TOKEN.fullmatch(token)
    if shape is None:
        return _error(404)
    params = await _params(request)
    with STATE.lock:
        STATE.requests.append({"method": method, "token": token, "params": params})
        revoked = token in STATE.revoked
        fault = STATE.faults.pop(0) if STATE.faults else None
    if revoked:
        return _error(401)
    if fault is not None:
        await asyncio.sleep(fault.delay)
        retry_after = fault.retry_after if fault.status == 429 else None
        return _error(fault.status, fault.description, retry_after)
    return _method(method, int(shape.group(1)), params)


@router.post("/files")
async def upload(request: Request, name: str = "file.jpg") -> dict[str, str]:
    """A user's app uploads a file before sending it: its file_id (for getFile)."""
    file_id = "AgAC" + secrets.token_urlsafe(18)
    folder = "photos" if name.lower().endswith((".jpg", ".jpeg", ".png", ".webp")) else "documents"
    safe = re.sub(r"[^A-Za-z0-9._-]", "", name)[-64:] or "file"
    add_file(file_id, await request.body(), f"{folder}/{file_id[-8:]}_{safe}")
    return {"file_id": file_id}


@router.get("/file/bot{token}/{path:path}")
def download(token: str, path: str) -> Response:
    """A file's bytes, by the path getFile gave."""
    with STATE.lock:
        found = next((content for p, content in STATE.files.values() if p == path), None)
    if TOKEN.fullmatch(token) is None or found is None:
        return _error(404)
    return Response(found, media_type="application/octet-stream")


@router.get("/chats/{chat_id}/inbox")
def inbox(chat_id: str, after: int = 0) -> dict[str, Any]:
    """What the bot sent to a chat, from position `after` on (the terminal phone reads it)."""
    received = sent_to(chat_id)
    return {"messages": received[after:], "next": len(received)}


def demo_account(base_url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """A simulated bot for the demo city (its token and webhook secret are made up)."""
    config = {"bot_token": f"{7_000_000_000 + secrets.randbelow(10**9)}:"
                           f"{secrets.token_urlsafe(26)}",
              "secret_token": secrets.token_urlsafe(32), "address": DEMO_BOT,
              "api_base": base_url.rstrip("/") + "/sim/telegram/bot"}
    return config, ("bot_token", "secret_token")
