"""Inbound limits on a live embedded gateway: a flooding sender gets no more paid replies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from services.inbox.models import InboxEvent
from services.messaging.models import Message
from tests.support.gateway import LiveGateway, SmsPhone, free_port, make_settings


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[LiveGateway]:
    """A gateway that lets a sender write 5 messages a minute."""
    port = free_port()
    live = LiveGateway(make_settings(tmp_path, port, inbound_per_sender_per_minute=5),
                       port).start()
    yield live
    live.stop()


def _settled(gateway: LiveGateway, total: int) -> None:
    """Wait until every recorded event has been handled one way or another."""
    deadline = time.monotonic() + 30
    while gateway.count(InboxEvent, InboxEvent.status == "pending") or (
            gateway.count(InboxEvent) < total):
        assert time.monotonic() < deadline, "events left pending"
        time.sleep(0.1)


def test_a_flooding_sender_gets_replies_only_up_to_the_limit(strict: LiveGateway) -> None:
    flooder, neighbour = SmsPhone(strict), SmsPhone(strict)
    for i in range(12):
        flooder.send(f"hello {i}")  # every one accepted: the provider must not retry
    neighbour.send("hello")
    _settled(strict, 13)
    time.sleep(1.0)  # replies delivered
    assert len(flooder.inbox()) == 5
    assert len(neighbour.inbox()) == 1  # another citizen is not held back
    with strict.ctx.sessions() as db:
        limited = db.scalars(select(InboxEvent).where(InboxEvent.status == "limited")).all()
    assert len(limited) == 7  # kept, with why, not lost
    assert {row.error_code for row in limited} == {"sender_rate_limited"}
    assert strict.count(Message, Message.direction == "in") == 6  # no turn ran for them
