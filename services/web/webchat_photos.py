"""The web chat's photo upload: the page sends the bytes here, then a message naming them.

Refusals carry codes: 404 `unknown_account`, 403 `account_disabled`, 401/403 for the token
(`token_expired`, `bad_token`), 413 `media_too_large` (over NAGARSETU_MEDIA_MAX_BYTES),
415 `media_type_refused` (not JPEG, PNG or WebP by its bytes, whatever it is called),
503 `store_unavailable`.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Protocol, runtime_checkable

from fastapi import APIRouter, Header, HTTPException, Request, Response

from channels.errors import BadSignature
from services.accounts.models import ChannelAccount
from services.media.held import PHOTO_TYPES, hold_photo
from services.media.kinds import sniff
from services.media.store import StoreError
from services.web.deps import CtxDep, DbDep
from services.web.errors import ApiError
from services.web.webchat import PRIVATE, _adapter
from services.web.webchat_models import PhotoOut

router = APIRouter(tags=["webchat"])
log = logging.getLogger(__name__)
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ApiError, "description": "`token_expired`, `unknown_key`"},
    413: {"model": ApiError, "description": "`media_too_large`, `payload_too_large`"},
    415: {"model": ApiError, "description": "`media_type_refused`: not a JPEG, PNG or WebP"},
    503: {"model": ApiError, "description": "`store_unavailable`"},
}


@runtime_checkable
class _Visitors(Protocol):
    """The web chat adapter's keyed visitor tag (what its photo references are made from)."""

    def visitor_tag(self, address: str) -> str:
        """A short keyed tag of a visitor."""


@router.post("/webchat/photos/{account_id}", status_code=201, responses=REFUSALS,
             response_model=PhotoOut)
async def upload_photo(account_id: str, request: Request, ctx: CtxDep, db: DbDep,
                       response: Response,
                       authorization: Annotated[str, Header()] = "") -> dict[str, Any]:
    """Hold a photo for the visitor's next message (`{"photo": id}` goes in that message)."""
    account = db.get(ChannelAccount, account_id)
    if account is None or account.channel_type != "webchat":
        raise HTTPException(404, detail={"code": "unknown_account"})
    if not account.active:
        raise HTTPException(403, detail={"code": "account_disabled"})
    adapter = _adapter(ctx, account)
    try:
        address = adapter.verify_client_token(authorization.removeprefix("Bearer "))
    except BadSignature as exc:
        raise HTTPException(exc.http_status, detail={"code": exc.code}) from None
    data = await request.body()
    if len(data) > ctx.settings.media_max_bytes:
        raise HTTPException(413, detail={"code": "media_too_large"})
    if sniff(data) not in PHOTO_TYPES:
        raise HTTPException(415, detail={"code": "media_type_refused"})
    if not isinstance(adapter, _Visitors):  # every web chat adapter is one
        raise HTTPException(404, detail={"code": "unknown_account"})
    try:
        upload = hold_photo(ctx.media, ctx.crypto, tenant_id=account.tenant_id,
                            visitor_tag=adapter.visitor_tag(address), data=data)
    except StoreError as exc:
        log.error("web chat photo not held: %s", exc)
        raise HTTPException(503, detail={"code": "store_unavailable"}) from None
    response.headers.update(PRIVATE)
    return {"photo": upload}
