"""The application context delivers through its global limiter and sweeps with lanes."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.contract import Capabilities, RateLimit
from services.accounts.service import create_account
from services.contacts.service import get_or_create
from services.context import build_context
from services.messaging.attempt import Outcome
from services.messaging.due import DueRow
from services.messaging.lanes import Lane
from services.messaging.models import OutboxItem
from services.messaging.outbox import queue_message
from services.ratelimit.keys import account_key
from tests.services.messaging.conftest import TENANT, FakeLimiter, World
from tests.services.messaging.fake_channel.adapter import Adapter
from tests.support.gateway import make_settings


def test_context_passes_its_limiter_and_returns_lanes(world: World, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Adapter, "capabilities", Capabilities(account_rate=RateLimit(1)))
    ctx = build_context(make_settings(tmp_path, 8000, database_url=str(world.engine.url)))
    limiter = FakeLimiter(waits={"account:": 0.8})
    ctx.limiter = limiter
    with ctx.sessions() as db:
        account = create_account(db, ctx.crypto, tenant_id=TENANT,
                                 channel_type=Adapter.channel_type, config={"address": "@bot"})
        contact = get_or_create(db, ctx.crypto, TENANT, "tel:+919876543210")
        db.flush()
        bulk = queue_message(db, ctx.crypto, account=account, contact=contact, text="camp",
                             lane=Lane.BULK)
        reply = queue_message(db, ctx.crypto, account=account, contact=contact, text="hi")
        db.commit()
    assert ctx.due() == [DueRow(reply, Lane.REPLY), DueRow(bulk, Lane.BULK)]
    assert ctx.deliver(reply) is Outcome.THROTTLED
    assert limiter.asked == [(account_key(account.id), RateLimit(1))]
    with ctx.sessions() as db:
        item = db.get_one(OutboxItem, reply)
        assert (item.status, item.attempts, item.last_error) == ("pending", 0, "rate_limited")
    assert Adapter.sent == []
    ctx.db_engine.dispose()
