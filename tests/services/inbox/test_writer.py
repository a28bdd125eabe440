"""Group commit of webhook events on PostgreSQL: batched statements, one answer per request."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import DBAPIError

from services.bootstrap import prepare
from services.context import AppContext, build_context
from services.inbox.models import InboxEvent
from services.inbox.writer import InboxWriter
from services.settings import Settings
from tests.support.services import postgres_database

pytestmark = pytest.mark.integration


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with postgres_database() as url:
        settings = Settings(env="development", database_url=url, redis_url=None,
                            secret_key=secrets.token_hex(32), simulators=True, seed_demo=True)
        prepare(settings)
        context = build_context(settings)
        yield context
        context.close()


def _account_id(ctx: AppContext) -> str:
    from services.accounts.models import ChannelAccount
    with ctx.sessions() as db:
        return db.scalars(select(ChannelAccount.id).where(
            ChannelAccount.channel_type == "twilio-sms")).one()


def _row(account_id: str, external_id: str, conversation: str) -> dict[str, Any]:
    return {"tenant_id": "pb.amritsar", "account_id": account_id, "external_id": external_id,
            "conversation": conversation, "medium": "sms", "event_enc": "sealed"}


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement))
    return seen


def test_requests_queued_meanwhile_share_one_statement_and_learn_what_was_new(
        ctx: AppContext) -> None:
    assert ctx.recording_engine is not None
    account = _account_id(ctx)
    statements = _statements(ctx.recording_engine)
    published: list[list[str]] = []
    hold = threading.Event()

    def publish(conversations: Sequence[str]) -> None:
        published.append(list(conversations))
        hold.wait(10)  # the first batch's publish holds the writer while the rest queue up

    writer = InboxWriter(ctx.recording_engine, publish)
    try:
        first = writer.submit([_row(account, "SM-first", "conv-a")])
        assert first.result(10) == ["conv-a"]
        # Meanwhile 20 requests arrive: 10 citizens, each event delivered twice, and one
        # event already recorded (a provider's retry).
        later: list[Future[list[str]]] = []
        for i in range(10):
            later.append(writer.submit([_row(account, f"SM-{i}", f"conv-{i}")]))
            later.append(writer.submit([_row(account, f"SM-{i}", f"conv-{i}")]))
        retry = writer.submit([_row(account, "SM-first", "conv-a")])
        hold.set()
        answers = [f.result(10) for f in later]
        assert retry.result(10) == []
    finally:
        writer.stop()
    # Each event is new exactly once: the first of its two deliveries says so.
    assert answers[0::2] == [[f"conv-{i}"] for i in range(10)]
    assert answers[1::2] == [[] for _ in range(10)]
    inserts = [s for s in statements if s.startswith("INSERT INTO inbox")]
    assert len(inserts) == 2  # the first request alone, then everything that queued meanwhile
    assert published == [["conv-a"], [f"conv-{i}" for i in range(10)]]
    with ctx.sessions() as db:
        assert db.scalar(select(func.count()).select_from(InboxEvent)) == 11
        assert set(db.scalars(select(InboxEvent.status))) == {"pending"}


def test_a_database_error_is_each_requests_own_and_nothing_is_published() -> None:
    dead = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none",
                         connect_args={"connect_timeout": 2})
    published: list[Sequence[str]] = []
    writer = InboxWriter(dead, published.append)
    try:
        futures = [writer.submit([_row("acc", f"SM-{i}", "c")]) for i in range(3)]
        for future in futures:
            with pytest.raises(DBAPIError):
                future.result(30)
        assert published == []
    finally:
        writer.stop()
        dead.dispose()


def test_a_failing_publish_loses_no_event(ctx: AppContext) -> None:
    assert ctx.recording_engine is not None
    account = _account_id(ctx)

    def broker_down(_: Sequence[str]) -> None:
        raise ConnectionError("broker down")

    writer = InboxWriter(ctx.recording_engine, broker_down)
    try:
        assert writer.submit([_row(account, "SM-x", "conv-x")]).result(10) == ["conv-x"]
        assert writer.submit([_row(account, "SM-y", "conv-y")]).result(10) == ["conv-y"]
    finally:
        writer.stop()
    with ctx.sessions() as db:  # committed and pending: the inbox sweeper hands them on
        assert sorted(db.scalars(select(InboxEvent.external_id))) == ["SM-x", "SM-y"]
