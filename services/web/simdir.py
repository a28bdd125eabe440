"""Development-only directory of simulated channel accounts, and what a clip says, for the
terminal chat."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from i18n.languages import KNOWN
from services.accounts.models import ChannelAccount
from services.accounts.service import webhook_path
from services.audio.store import ClipStore, audio_root, valid_clip
from services.web.deps import CtxDep, DbDep

router = APIRouter(prefix="/sim", tags=["simulator"])


@router.get("/directory")
def directory(ctx: CtxDep, db: DbDep) -> dict[str, Any]:
    """Simulated accounts with their webhook URLs and credentials (never real ones)."""
    rows = db.scalars(select(ChannelAccount).where(ChannelAccount.simulated.is_(True),
                                                   ChannelAccount.active.is_(True)))
    accounts = []
    for account in rows:
        config = ctx.crypto.decrypt_json(account.config_enc)
        accounts.append({**{k: str(v) for k, v in config.items()},
                         "id": account.id, "tenant": account.tenant_id,
                         "channel_type": account.channel_type,
                         "webhook_url": ctx.settings.base_url + webhook_path(account)})
    return {"accounts": accounts}


@router.get("/audio/{language}/{clip}")
def clip_text(language: str, clip: str, ctx: CtxDep) -> dict[str, str]:
    """What a clip of `/audio/{language}/{clip}.wav` says, so a terminal caller can read it.

    404 `clip_not_found` for an unknown language, a malformed id or a clip whose words are not
    known (a recording made before its text was kept).
    """
    text = None
    if language in KNOWN and valid_clip(clip):
        text = ClipStore(audio_root(ctx.settings)).said(language, clip)
    if text is None:
        raise HTTPException(404, detail={"code": "clip_not_found"})
    return {"language": language, "clip": clip, "text": text}
