"""Development-only directory of simulated channel accounts, for the terminal chat."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from services.accounts.models import ChannelAccount
from services.accounts.service import webhook_path
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
