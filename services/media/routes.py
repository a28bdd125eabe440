"""`GET /api/v1/media/{id}?exp=…&sig=…`: a stored photo or recording, by signed link.

No API key: the link itself is the credential, for its lifetime (a browser opens it from the
staff view). A bad signature answers 403 `bad_signature`, an expired link 403 `link_expired`,
a file not (or no longer) stored 404 `not_found`, a store that cannot be reached 503
`store_unavailable`. The file is served as the type its bytes show, never rendered as a page.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from services.media.copier import read
from services.media.kinds import ALLOWED
from services.media.links import LinkRefused, verify
from services.media.models import STORED, MediaObject
from services.media.store import ObjectMissing, StoreError
from services.web.deps import CtxDep, DbDep
from services.web.errors import ApiError

router = APIRouter(prefix="/api/v1/media", tags=["media"])
MediaId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
MAX_EXPIRY = 2**40


def _error(code: str, status: int) -> HTTPException:
    """An error carrying a stable code."""
    return HTTPException(status, detail={"code": code})


@router.get("/{media_id}", response_class=Response, responses={
    200: {"description": "The file", "content": {kind: {} for kind in sorted(ALLOWED)}},
    403: {"model": ApiError, "description": "`bad_signature` or `link_expired`"},
    404: {"model": ApiError, "description": "`not_found`"},
    422: {"model": ApiError, "description": "`invalid_request` (with `fields`)"},
    503: {"model": ApiError, "description": "`store_unavailable`"},
})
def media(media_id: MediaId, ctx: CtxDep, db: DbDep,
          exp: Annotated[int, Query(ge=0, le=MAX_EXPIRY, description="expiry, unix seconds")],
          sig: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]) -> Response:
    """The file behind a signed link from the staff grievance view, while the link lasts."""
    try:
        verify(ctx.crypto, media_id, exp, sig)
    except LinkRefused as exc:
        raise _error(exc.code, 403) from None
    row = db.get(MediaObject, media_id)
    if row is None or row.status != STORED or row.content_type is None:
        raise _error("not_found", 404)
    try:
        data = read(ctx, row)
    except ObjectMissing:
        raise _error("not_found", 404) from None
    except StoreError:
        raise _error("store_unavailable", 503) from None
    remaining = max(0, exp - int(time.time()))
    return Response(data, media_type=row.content_type, headers={
        "Cache-Control": f"private, max-age={remaining}",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Referrer-Policy": "no-referrer"})
