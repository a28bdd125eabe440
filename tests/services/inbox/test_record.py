"""The webhook's half of the inbox, on SQLite and PostgreSQL: record once, enqueue at once."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from channels.contract import EventKind, InboundEvent, Location
from services.accounts.models import ChannelAccount
from services.bootstrap import prepare
from services.context import AppContext, build_context
from services.db.base import utcnow
from services.inbox.models import InboxEvent
from services.inbox.record import (
    conversation_key,
    decode_event,
    encode_event,
    record_event,
    record_event_fast,
)
from services.settings import Settings
from services.tasks.dispatch import CollectingDispatcher
from tests.support.services import postgres_database

CITIZEN = "+919876543210"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    """A context on a migrated, seeded database of each kind, collecting what it enqueues."""
    def build(url: str) -> AppContext:
        settings = Settings(env="development", database_url=url, redis_url=None,
                            secret_key=secrets.token_hex(32), simulators=True, seed_demo=True)
        prepare(settings)
        context = build_context(settings)
        context.dispatcher = CollectingDispatcher()
        return context

    if request.param == "sqlite":
        context = build(f"sqlite:///{tmp_path / 'inbox.db'}")
        yield context
        context.close()
    else:
        with postgres_database() as url:
            context = build(url)
            yield context
            context.close()


def _account(ctx: AppContext) -> ChannelAccount:
    """The demo city's simulated Twilio SMS account."""
    with ctx.sessions() as db:
        account = db.scalars(select(ChannelAccount).where(
            ChannelAccount.channel_type == "twilio-sms")).one()
        db.expunge(account)
        return account


def test_an_event_is_recorded_once_however_often_it_arrives(ctx: AppContext) -> None:
    account = _account(ctx)
    event = InboundEvent("SM" + secrets.token_hex(16), CITIZEN, account.address, "hello")
    sessions = ctx.recording or ctx.sessions
    with sessions() as db:
        first = record_event(db, ctx.crypto, account, "sms", event)
        again = record_event(db, ctx.crypto, account, "sms", event)
        db.commit()
    assert first == conversation_key(ctx.crypto, account.tenant_id, "sms", event)
    assert again is None
    with ctx.sessions() as db:
        rows = db.scalars(select(InboxEvent)).all()
    assert [(r.external_id, r.status) for r in rows] == [(event.external_id, "pending")]
    assert CITIZEN not in rows[0].event_enc and "hello" not in rows[0].event_enc  # encrypted
    assert decode_event(ctx.crypto.decrypt_json(rows[0].event_enc)) == event


@pytest.mark.integration
def test_the_webhooks_driver_statement_writes_the_same_row_once(tmp_path: Path) -> None:
    """PostgreSQL's fast path (one driver statement, no ORM) fills every column the model
    would, and a repeat of the event is still a no-op."""
    with postgres_database() as url:
        settings = Settings(env="development", database_url=url, redis_url=None,
                            secret_key=secrets.token_hex(32), simulators=True, seed_demo=True)
        prepare(settings)
        ctx = build_context(settings)
        try:
            assert ctx.recording_engine is not None
            account = _account(ctx)
            event = InboundEvent("SM" + secrets.token_hex(16), CITIZEN, account.address, "hi")
            before = utcnow()
            with ctx.recording_engine.connect() as conn:
                first = record_event_fast(conn, ctx.crypto, account, "sms", event)
                again = record_event_fast(conn, ctx.crypto, account, "sms", event)
            assert first == conversation_key(ctx.crypto, account.tenant_id, "sms", event)
            assert again is None
            with ctx.sessions() as db:
                row = db.scalars(select(InboxEvent)).one()
            assert (row.tenant_id, row.account_id, row.medium, row.status, row.attempts) == (
                account.tenant_id, account.id, "sms", "pending", 0)
            assert len(row.id) == 32 and before <= row.created_at <= utcnow()
            assert decode_event(ctx.crypto.decrypt_json(row.event_enc)) == event
        finally:
            ctx.close()


def test_events_survive_the_round_trip_through_storage() -> None:
    event = InboundEvent("id1", CITIZEN, "+911", "नमस्ते", payload="cat.1",
                         media_urls=("https://x/1.jpg",), location=Location(31.63, 74.87),
                         kind=EventKind.MESSAGE, session=None)
    assert decode_event(encode_event(event)) == event


def test_conversations_are_per_tenant_and_sender_and_calls_are_their_own(
        ctx: AppContext) -> None:
    plain = InboundEvent("a", CITIZEN, "x")
    other = InboundEvent("b", "+919812345678", "x")
    call = InboundEvent("c", CITIZEN, "x", session="CA1")
    key = conversation_key(ctx.crypto, "pb.amritsar", "sms", plain)
    assert key == conversation_key(ctx.crypto, "pb.amritsar", "whatsapp", plain)  # tel: shared
    assert key != conversation_key(ctx.crypto, "pb.ludhiana", "sms", plain)
    assert key != conversation_key(ctx.crypto, "pb.amritsar", "sms", other)
    assert conversation_key(ctx.crypto, "pb.amritsar", "sms", call) == key + ":CA1"
    assert CITIZEN not in key and CITIZEN[3:] not in key
