"""Claims: crashed workers' rows are taken over and still end; a lost claim writes nothing."""

from __future__ import annotations

import pytest

from channels.contract import DeliveryStatus, OutboundMessage, SendResult
from channels.errors import ConnectionFailed, RecipientInvalid, SendError
from services.db.base import aware
from services.messaging.attempt import Outcome
from services.messaging.claims import Claim, take
from tests.services.messaging.conftest import World
from tests.services.messaging.fake_channel.adapter import Adapter


class WorkerDied(BaseException):
    """Raised by the fake provider to stand for a worker killed during the provider call."""


def dies(message: OutboundMessage) -> SendResult:
    """The worker process dies while the provider call is in flight."""
    raise WorkerDied


def test_a_crashed_claim_is_taken_over_only_after_the_window(world: World,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    world.script(monkeypatch, dies)
    outbox_id = world.queue()
    with pytest.raises(WorkerDied):
        world.deliver(outbox_id)
    assert world.row(outbox_id)[0].status == "sending"
    world.clock.advance(world.config.inflight_seconds - 1)
    assert world.deliver(outbox_id) is Outcome.SKIPPED  # still within the in-flight window
    world.clock.advance(2)
    world.script(monkeypatch, lambda m: SendResult("ext-2", DeliveryStatus.SENT))
    assert world.deliver(outbox_id) is Outcome.SENT
    item, message = world.row(outbox_id)
    assert (item.status, item.attempts, message.external_id) == ("sent", 2, "ext-2")


def test_a_row_whose_worker_always_dies_ends_failed(world: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    world.script(monkeypatch, dies)
    outbox_id = world.queue()
    for _ in range(world.config.max_attempts):
        with pytest.raises(WorkerDied):
            world.deliver(outbox_id)
        world.clock.advance(world.config.inflight_seconds + 1)
    assert world.deliver(outbox_id) is Outcome.FAILED
    item, message = world.row(outbox_id)
    assert (item.status, item.attempts) == ("failed", world.config.max_attempts + 1)
    assert (message.status, message.error_code) == ("failed", "attempts_exhausted")
    assert len(Adapter.sent) == world.config.max_attempts
    world.clock.advance(world.config.inflight_seconds + 1)
    assert world.deliver(outbox_id) is Outcome.SKIPPED


# What the slow worker's provider call finally says, while a takeover already recorded `sent`.
LATE: dict[str, SendResult | SendError] = {
    "late_success": SendResult("ext-slow", DeliveryStatus.SENT),
    "late_retryable": ConnectionFailed(),
    "late_permanent": RecipientInvalid(),
}


@pytest.mark.parametrize("name", list(LATE))
def test_a_worker_that_lost_its_claim_does_not_overwrite(world: World,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         name: str) -> None:
    outbox_id = world.queue()
    inner: list[Outcome] = []

    def slow(message: OutboundMessage) -> SendResult:
        if len(Adapter.sent) == 1:  # the first worker hangs past the window: another takes over
            world.clock.advance(world.config.inflight_seconds + 1)
            inner.append(world.deliver(outbox_id))
            late = LATE[name]
            if isinstance(late, SendError):
                raise late
            return late
        return SendResult("ext-takeover", DeliveryStatus.SENT)

    world.script(monkeypatch, slow)
    assert world.deliver(outbox_id) is Outcome.SKIPPED
    assert inner == [Outcome.SENT]
    item, message = world.row(outbox_id)
    assert (item.status, item.last_error, item.attempts) == ("sent", None, 2)
    assert (message.status, message.external_id, message.error_code) == (
        "sent", "ext-takeover", None)


def test_no_database_connection_is_held_during_the_provider_call(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[int] = []

    def watch(message: OutboundMessage) -> SendResult:
        held.append(world.engine.pool.checkedout())  # type: ignore[attr-defined]
        return SendResult("ext-1", DeliveryStatus.SENT)

    world.script(monkeypatch, watch)
    assert world.deliver(world.queue()) is Outcome.SENT
    assert held == [0]


@pytest.mark.parametrize("name", list(LATE))
def test_a_late_result_leaves_a_takeover_in_flight_alone(world: World,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         name: str) -> None:
    """The new holder is still in its provider call when the slow worker's answer comes."""
    outbox_id = world.queue()
    taken: list[Claim | None] = []

    def slow(message: OutboundMessage) -> SendResult:
        world.clock.advance(world.config.inflight_seconds + 1)
        with world.sessions() as db:  # another worker claims the row and starts sending
            taken.append(take(db, outbox_id, world.clock(), world.config.inflight_seconds))
        late = LATE[name]
        if isinstance(late, SendError):
            raise late
        return late

    world.script(monkeypatch, slow)
    assert world.deliver(outbox_id) is Outcome.SKIPPED
    (claim,) = taken
    assert claim is not None
    item, message = world.row(outbox_id)
    assert (item.status, item.attempts, item.last_error) == ("sending", 2, None)
    assert item.claimed_at is not None and aware(item.claimed_at) == aware(claim.claimed_at)
    assert (message.status, message.external_id, message.error_code) == ("pending", None, None)
