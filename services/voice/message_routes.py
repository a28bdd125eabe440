"""`GET /voice-messages/{id}.wav?exp=…&sig=…`: a city's recorded message, for the provider.

The link is made when a call's message is spoken (`services.voice.messages.link`): signed and
expiring, so a recording is not public beyond the calls it was placed for. A bad or expired
link is 403 `bad_signature`, an unknown one 404 `not_found`, a store out of reach 503.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response

from services.media.store import ObjectMissing, StoreError
from services.voice.messages import VoiceMessage, audio, link_valid
from services.web.deps import CtxDep, DbDep
from services.web.errors import ApiError

router = APIRouter(tags=["voice"])
MessageId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
MAX_EXPIRY = 2**40


def _error(code: str, status: int) -> HTTPException:
    """An error carrying a stable code."""
    return HTTPException(status, detail={"code": code})


@router.get("/voice-messages/{message_id}.wav", response_class=Response, responses={
    200: {"description": "8 kHz mono WAV", "content": {"audio/wav": {}}},
    403: {"model": ApiError, "description": "`bad_signature`"},
    404: {"model": ApiError, "description": "`not_found`"},
    503: {"model": ApiError, "description": "`store_unavailable`"},
})
def voice_message(message_id: MessageId, ctx: CtxDep, db: DbDep,
                  exp: Annotated[int, Query(ge=0, le=MAX_EXPIRY)],
                  sig: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]) -> Response:
    """The recording behind a signed link, while the link lasts."""
    if not link_valid(ctx.crypto, message_id, exp, sig):
        raise _error("bad_signature", 403)
    row = db.get(VoiceMessage, message_id)
    if row is None:
        raise _error("not_found", 404)
    try:
        data = audio(ctx.media, ctx.crypto, row)
    except ObjectMissing:
        raise _error("not_found", 404) from None
    except StoreError:
        raise _error("store_unavailable", 503) from None
    return Response(data, media_type="audio/wav", headers={"Cache-Control": "private",
                                                           "X-Content-Type-Options": "nosniff"})
