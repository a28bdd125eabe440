"""Throttles (the provider's and our global limiter's) reschedule without using an attempt."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from channels.contract import Capabilities, OutboundMessage, RateLimit, SendResult
from channels.errors import Throttled
from services.db.base import aware
from services.messaging.attempt import Outcome
from services.ratelimit.keys import account_key, recipient_key
from tests.services.messaging.conftest import NUMBER, Pinned, World, bucket_kind
from tests.services.messaging.fake_channel.adapter import Adapter, Send, accept

PER_ACCOUNT = RateLimit(30)
PER_RECIPIENT = RateLimit(1)


def throttled_times(count: int, retry_after: float | None) -> Send:
    """A provider that answers 429 (Retry-After) `count` times, then accepts."""
    calls = []

    def send(message: OutboundMessage) -> SendResult:
        calls.append(message)
        if len(calls) <= count:
            raise Throttled("429", retry_after=retry_after)
        return accept(message)
    return send


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake channel declares Telegram-like limits: 30/s per bot, 1/s per chat."""
    monkeypatch.setattr(Adapter, "capabilities",
                        Capabilities(account_rate=PER_ACCOUNT, recipient_rate=PER_RECIPIENT))


def test_twenty_provider_throttles_use_no_attempt(world: World,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    world.script(monkeypatch, throttled_times(20, retry_after=5))
    outbox_id = world.queue()
    for _ in range(20):
        assert world.deliver(outbox_id) is Outcome.THROTTLED
        item, message = world.row(outbox_id)
        assert (item.status, item.attempts, item.last_error) == ("pending", 0, "throttled")
        assert aware(item.next_attempt_at) == world.clock() + timedelta(seconds=5)
        assert message.status == "pending"
        assert world.deliver(outbox_id) is Outcome.SKIPPED  # not before Retry-After
        world.clock.advance(5)
    assert world.deliver(outbox_id) is Outcome.SENT
    item, _ = world.row(outbox_id)
    assert (item.status, item.attempts) == ("sent", 1)
    assert len(Adapter.sent) == 21


def test_a_throttle_without_retry_after_waits_a_backoff(world: World,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    world.script(monkeypatch, throttled_times(1, retry_after=None))
    outbox_id = world.queue()
    assert world.deliver(outbox_id, rng=Pinned(1.0)) is Outcome.THROTTLED
    item, _ = world.row(outbox_id)
    assert item.attempts == 0
    assert aware(item.next_attempt_at) == world.clock() + timedelta(seconds=2)


def test_a_throttle_that_never_lifts_fails_at_the_deadline(world: World,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    world.script(monkeypatch, throttled_times(10_000, retry_after=3600))
    config = replace(world.config, throttle_deadline_seconds=4 * 3600)
    outbox_id = world.queue()
    outcomes = []
    for _ in range(6):
        outcomes.append(world.deliver(outbox_id, config=config))
        world.clock.advance(3600)
    assert outcomes == [Outcome.THROTTLED] * 4 + [Outcome.FAILED, Outcome.SKIPPED]
    item, message = world.row(outbox_id)
    assert (item.status, message.status) == ("failed", "failed")
    assert message.error_code == "throttled_too_long"
    assert len(Adapter.sent) == 5


def test_limits_are_asked_per_recipient_then_per_account(world: World, limited: None) -> None:
    outbox_id = world.queue()
    assert world.deliver(outbox_id) is Outcome.SENT
    digest = world.crypto.lookup_hash(NUMBER)
    assert world.limiter.asked == [(recipient_key(world.account_id, digest), PER_RECIPIENT),
                                   (account_key(world.account_id), PER_ACCOUNT)]
    assert not any(NUMBER[1:] in key for key, _ in world.limiter.asked)


def test_no_declared_limits_ask_nothing(world: World) -> None:
    assert world.deliver(world.queue()) is Outcome.SENT
    assert world.limiter.asked == []


@pytest.mark.parametrize("refused", ["recipient:", "account:"])
def test_limiter_refusal_reschedules_without_an_attempt(world: World, limited: None,
                                                        refused: str) -> None:
    world.limiter.waits[refused] = 2.5
    outbox_id = world.queue()
    for _ in range(20):
        assert world.deliver(outbox_id) is Outcome.THROTTLED
        item, _ = world.row(outbox_id)
        assert (item.status, item.attempts, item.last_error) == ("pending", 0, "rate_limited")
        assert aware(item.next_attempt_at) == world.clock() + timedelta(seconds=2.5)
        world.clock.advance(2.5)
    assert Adapter.sent == []  # the provider was never called over the limit
    asked = [bucket_kind(key) for key, _ in world.limiter.asked]
    assert asked == (["recipient"] * 20 if refused == "recipient:"
                     else ["recipient", "account"] * 20)
    world.limiter.waits.clear()
    assert world.deliver(outbox_id) is Outcome.SENT
    assert world.row(outbox_id)[0].attempts == 1


def test_an_unavailable_limiter_holds_the_message_back(world: World, limited: None) -> None:
    world.limiter.broken = True
    outbox_id = world.queue()
    assert world.deliver(outbox_id, rng=Pinned(0.0)) is Outcome.THROTTLED
    item, _ = world.row(outbox_id)
    assert (item.status, item.attempts) == ("pending", 0)
    assert item.last_error == "rate_limiter_unavailable"
    assert aware(item.next_attempt_at) == world.clock() + timedelta(seconds=1)
    assert Adapter.sent == []
