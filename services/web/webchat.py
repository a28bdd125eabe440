"""The web chat page, its assets and fonts, and two helper endpoints: a visitor token and the
reply feed.

Refusals carry codes: 401 `token_expired` (the page opens a new session), 403 `bad_token`,
403 `account_disabled` (no history from a switched-off account), 401 `unknown_key` /
`undecryptable` when the account's credentials are under a key the ring lacks, 422 `bad_after`,
404 `unknown_font`, 503 `fonts_missing` (the install's `npm ci` never ran).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy import select

from channels.base import ChannelAdapter
from channels.errors import BadSignature
from i18n import LANGUAGES
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for
from services.contacts.models import Contact
from services.contacts.service import urn_for
from services.conversation.contact import contact_lines, public_contact
from services.db.base import aware
from services.fonts import FontsMissing, font_file
from services.fonts import version as fonts_version
from services.messaging.models import Message
from services.security.crypto import DecryptionError
from services.tenancy.models import Tenant
from services.web.chat_labels import render_page
from services.web.deps import CtxDep, DbDep
from services.web.webchat_models import MessagesOut, SessionOut

STATIC = Path(__file__).parent / "static"
PAGE_SIZE = 200
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Assets have no content hash in their names, so browsers revalidate (cheap: ETag + 304).
ASSET_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {
    **ASSET_HEADERS,
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; font-src 'self'; connect-src 'self'; "
                               "base-uri 'none'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
}
PRIVATE = {"Cache-Control": "no-store"}
# Font URLs carry the vendor package's version, so a font never changes under its URL.
FONT_HEADERS = {"Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff"}
FONT_NAME = re.compile(r"(?P<script>[A-Z][a-z]{3})-(?P<weight>400|700)\.ttf")
router = APIRouter(tags=["webchat"])
log = logging.getLogger(__name__)


def _account(db: DbDep, tenant: str | None) -> ChannelAccount:
    """The tenant's (or the first) active web chat account."""
    q = select(ChannelAccount).where(ChannelAccount.channel_type == "webchat",
                                     ChannelAccount.active.is_(True))
    if tenant:
        q = q.where(ChannelAccount.tenant_id == tenant)
    account = db.scalars(q.order_by(ChannelAccount.created_at)).first()
    if account is None:
        raise HTTPException(404, detail={"code": "no_webchat"})
    return account


def _adapter(ctx: CtxDep, account: ChannelAccount) -> ChannelAdapter:
    """The account's adapter; 401 with the key error's code when its config cannot be read."""
    try:
        return adapter_for(ctx.crypto, account)
    except DecryptionError as exc:
        log.error("web chat account %s: credentials unreadable (%s)", account.id, exc.code)
        raise HTTPException(401, detail={"code": exc.code}) from None


def _asset(name: str, if_none_match: str, headers: dict[str, str]) -> Response:
    """A file from `static/` with an explicit media type and an ETag; 304 when unchanged."""
    path = (STATIC / name).resolve()
    media_type = MEDIA_TYPES.get(path.suffix)
    if media_type is None or path.parent != STATIC.resolve() or not path.is_file():
        raise HTTPException(404)
    stat = path.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    headers = {**headers, "ETag": etag}
    if etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)


def _text_direction(language: str | None) -> str | None:
    """`rtl`/`ltr` for a language NagarSetu knows; None lets the page decide."""
    known = LANGUAGES.get(language or "")
    return None if known is None else ("rtl" if known.rtl else "ltr")


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    """The demo starts at the chat."""
    return RedirectResponse("/chat")


@router.get("/chat", include_in_schema=False)
def page(if_none_match: Annotated[str, Header()] = "") -> Response:
    """The chat page (plain HTML/JS, no CDN, nothing from other origins), labels inlined."""
    html, etag = render_page(STATIC / "chat.html")
    headers = {**PAGE_HEADERS, "ETag": etag}
    if etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(html, media_type=MEDIA_TYPES[".html"], headers=headers)


@router.get("/static/{name}", include_in_schema=False)
def static(name: str, if_none_match: Annotated[str, Header()] = "") -> Response:
    """Page assets."""
    return _asset(name, if_none_match, ASSET_HEADERS)


@router.get("/fonts/{version}/{name}", include_in_schema=False)
def font(version: str, name: str) -> Response:
    """A script's TTF (`Deva-400.ttf`), cached for a year; 404 for another version or name."""
    match = FONT_NAME.fullmatch(name)
    if match is None or version != fonts_version():
        raise HTTPException(404, detail={"code": "unknown_font"})
    try:
        path = font_file(match["script"], int(match["weight"]))
    except KeyError:
        raise HTTPException(404, detail={"code": "unknown_font"}) from None
    except FontsMissing:
        log.error("fonts not installed: run npm ci in services/web/vendor (./dev does it)")
        raise HTTPException(503, detail={"code": "fonts_missing"}) from None
    return FileResponse(path, media_type="font/ttf", headers=FONT_HEADERS)


class SessionIn(BaseModel):
    """Ask for a visitor token; send the old one back to keep the same conversation."""

    tenant: str | None = None
    token: str | None = None


@router.post("/webchat/session", response_model=SessionOut)
def open_session(body: SessionIn, ctx: CtxDep, db: DbDep, response: Response) -> dict[str, Any]:
    """A signed visitor token, the URL to post messages to and what the page shows (the
    city's names and public contact details, for its header)."""
    account = _account(db, body.tenant)
    tenant = db.get(Tenant, account.tenant_id)
    adapter = _adapter(ctx, account)
    address = ""
    if body.token:
        try:
            address = adapter.verify_client_token(body.token)
        except BadSignature:  # expired or forged: a new visitor
            address = ""
    token = adapter.issue_client_token(address)  # renewed on every open
    response.headers.update(PRIVATE)
    return {"token": token, "account": account.id, "tenant": account.tenant_id,
            "post_url": f"/webhooks/webchat/{account.id}",
            "tenant_names": dict(tenant.names or {}) if tenant else {},
            "contact": public_contact(db, tenant) if tenant else {},
            "contact_lines": contact_lines(db, tenant) if tenant else {},
            "photo_max_bytes": ctx.settings.media_max_bytes,
            "default_language": tenant.default_language if tenant else "en"}


def _item(ctx: CtxDep, adapter: ChannelAdapter, m: Message) -> dict[str, Any] | None:
    """One message as the page sees it; inbound ones carry the widget's id as `ref`.
    None for a message under a key the ring no longer has (left out, logged)."""
    inbound = m.direction == "in"
    try:
        text = ctx.crypto.decrypt(m.body_enc)
    except DecryptionError as exc:
        log.warning("web chat message %s left out of the feed: %s", m.id, exc.code)
        return None
    return {"id": m.id, "direction": m.direction, "text": text,
            "choices": [{"id": c[0], "label": c[1]} for c in m.extras.get("choices", [])],
            "ask": m.extras.get("ask", "none"), "status": m.status,
            "at": aware(m.created_at).isoformat(), "language": m.language,
            "ref": adapter.client_ref(m.external_id) if inbound and m.external_id else None,
            "payload": m.extras.get("payload") if inbound else None,
            "attachment": _attachment(m) if inbound else None,
            "image": None if inbound else m.extras.get("media_url")}


def _attachment(m: Message) -> str | None:
    """What an inbound message carried besides text: `photo`, `location` or nothing."""
    if m.extras.get("media"):
        return "photo"
    return "location" if "location_enc" in m.extras else None


@router.get("/webchat/{account_id}/messages", response_model=MessagesOut)
def messages(account_id: str, ctx: CtxDep, db: DbDep, response: Response,
             authorization: Annotated[str, Header()] = "",
             after: Annotated[datetime | None, Query()] = None) -> dict[str, Any]:
    """The visitor's latest messages, oldest first; with `after`, the next page from then on."""
    account = db.get(ChannelAccount, account_id)
    if account is None or account.channel_type != "webchat":
        raise HTTPException(404, detail={"code": "unknown_account"})
    if not account.active:
        raise HTTPException(403, detail={"code": "account_disabled"})
    since = _since(after)
    adapter = _adapter(ctx, account)
    try:
        address = adapter.verify_client_token(authorization.removeprefix("Bearer "))
    except BadSignature as exc:
        raise HTTPException(exc.http_status, detail={"code": exc.code}) from None
    response.headers.update(PRIVATE)
    digests = ctx.crypto.lookup_hashes(urn_for("webchat", address))
    contact = db.scalar(select(Contact).where(Contact.tenant_id == account.tenant_id,
                                              Contact.urn_hash.in_(digests)))
    if contact is None:
        return {"messages": [], "language": None, "dir": None}
    q = select(Message).where(Message.contact_id == contact.id, Message.account_id == account.id)
    if since is None:
        newest = q.order_by(Message.created_at.desc(), Message.id.desc()).limit(PAGE_SIZE)
        rows = list(db.scalars(newest))[::-1]
    else:
        rows = list(db.scalars(q.where(Message.created_at >= since)
                               .order_by(Message.created_at, Message.id).limit(PAGE_SIZE)))
    items = [item for item in (_item(ctx, adapter, m) for m in rows) if item is not None]
    return {"messages": items, "language": contact.language,
            "dir": _text_direction(contact.language)}


def _since(after: datetime | None) -> datetime | None:
    """`after` in UTC; 422 `bad_after` for an instant UTC cannot hold (year 1 at +14:00)."""
    if after is None:
        return None
    try:
        return aware(after).astimezone(UTC)
    except OverflowError:
        raise HTTPException(422, detail={"code": "bad_after"}) from None
