"""The web chat page and its two helper endpoints: a visitor token and the reply feed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy import select

from channels.errors import BadSignature
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for
from services.contacts.models import Contact
from services.contacts.service import urn_for
from services.db.base import aware
from services.messaging.models import Message
from services.web.deps import CtxDep, DbDep

STATIC = Path(__file__).parent / "static"
router = APIRouter(tags=["webchat"])


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


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    """The demo starts at the chat."""
    return RedirectResponse("/chat")


@router.get("/chat", include_in_schema=False)
def page() -> FileResponse:
    """The chat page (plain HTML/JS, no CDN)."""
    return FileResponse(STATIC / "chat.html", media_type="text/html")


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """Page assets."""
    path = (STATIC / name).resolve()
    if path.parent != STATIC.resolve() or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path)


class SessionIn(BaseModel):
    """Ask for a visitor token; send the old one back to keep the same conversation."""

    tenant: str | None = None
    token: str | None = None


@router.post("/webchat/session")
def open_session(body: SessionIn, ctx: CtxDep, db: DbDep) -> dict[str, str]:
    """A signed visitor token and the URL to post messages to."""
    account = _account(db, body.tenant)
    adapter = adapter_for(ctx.crypto, account)
    token = body.token
    if token:
        try:
            adapter.verify_client_token(token)
        except BadSignature:
            token = None
    token = token or adapter.issue_client_token("")
    return {"token": token, "account": account.id, "tenant": account.tenant_id,
            "post_url": f"/webhooks/webchat/{account.id}"}


@router.get("/webchat/{account_id}/messages")
def messages(account_id: str, ctx: CtxDep, db: DbDep,
             authorization: Annotated[str, Header()] = "",
             after: Annotated[datetime | None, Query()] = None) -> dict[str, Any]:
    """The conversation for this visitor, oldest first, from `after` on."""
    account = db.get(ChannelAccount, account_id)
    if account is None or account.channel_type != "webchat":
        raise HTTPException(404, detail={"code": "unknown_account"})
    try:
        address = adapter_for(ctx.crypto, account).verify_client_token(
            authorization.removeprefix("Bearer "))
    except BadSignature:
        raise HTTPException(403, detail={"code": "bad_token"}) from None
    digest = ctx.crypto.lookup_hash(urn_for("webchat", address))
    contact = db.scalar(select(Contact).where(Contact.tenant_id == account.tenant_id,
                                              Contact.urn_hash == digest))
    if contact is None:
        return {"messages": [], "language": None}
    q = select(Message).where(Message.contact_id == contact.id, Message.account_id == account.id)
    if after is not None:
        q = q.where(Message.created_at >= after)
    rows = db.scalars(q.order_by(Message.created_at, Message.id).limit(200))
    items = [{"id": m.id, "direction": m.direction, "text": ctx.crypto.decrypt(m.body_enc),
              "choices": [{"id": c[0], "label": c[1]} for c in m.extras.get("choices", [])],
              "ask": m.extras.get("ask", "none"), "status": m.status,
              "at": aware(m.created_at).isoformat()} for m in rows]
    return {"messages": items, "language": contact.language}
