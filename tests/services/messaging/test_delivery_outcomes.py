"""Every delivery attempt ends: sent, retried with backoff, or failed with a code."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from channels.contract import Capabilities, DeliveryStatus, OutboundMessage, SendResult
from channels.errors import (
    ConfigError,
    ConnectionFailed,
    ContactStopped,
    ProviderDown,
    RecipientInvalid,
    SendError,
)
from services.db.base import aware
from services.messaging.attempt import Outcome
from services.messaging.claims import Claim
from services.messaging.models import Message, OutboxItem
from services.messaging.prepare import Job
from tests.services.messaging.conftest import NUMBER, TEXT, Pinned, World
from tests.services.messaging.fake_channel.adapter import Adapter, Send


def raising(exc: BaseException) -> Send:
    """A provider script that raises `exc` on every send."""
    def send(message: OutboundMessage) -> SendResult:
        raise exc
    return send


# error -> (outcome, outbox status, message status, code, seconds until the next attempt)
# with the random source pinned at the top of the range (backoff after attempt 1: 2 s).
ERRORS: dict[str, tuple[SendError, Outcome, str, str, str, float | None]] = {
    "connection_failed": (ConnectionFailed(), Outcome.RETRY, "pending", "pending",
                          "connection_failed", 2.0),
    "provider_down_retry_after": (ProviderDown(retry_after=30), Outcome.RETRY, "pending",
                                  "pending", "provider_down", 30.0),
    "recipient_invalid": (RecipientInvalid(), Outcome.FAILED, "failed", "failed",
                          "recipient_invalid", None),
    "contact_stopped": (ContactStopped(), Outcome.FAILED, "failed", "failed",
                        "contact_stopped", None),
    "config_error": (ConfigError(), Outcome.FAILED, "failed", "failed", "config_error", None),
}


def test_accepted_message_is_sent_with_the_providers_id(world: World) -> None:
    outbox_id = world.queue()
    assert world.deliver(outbox_id) is Outcome.SENT
    item, message = world.row(outbox_id)
    assert (item.status, item.attempts, item.last_error) == ("sent", 1, None)
    assert (message.status, message.external_id) == ("sent", f"ext-{message.id}")
    (sent,) = Adapter.sent
    assert (sent.to, sent.text, sent.reference) == (NUMBER, TEXT, message.id)
    assert world.deliver(outbox_id) is Outcome.SKIPPED  # done: never sent twice
    assert len(Adapter.sent) == 1


def test_a_status_callback_that_came_first_is_not_moved_back(world: World,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    outbox_id = world.queue()

    def delivered_at_once(message: OutboundMessage) -> SendResult:
        with world.sessions() as db:
            db.get_one(Message, message.reference).status = "delivered"
            db.commit()
        return SendResult("ext-fast", DeliveryStatus.SENT)

    world.script(monkeypatch, delivered_at_once)
    assert world.deliver(outbox_id) is Outcome.SENT
    _, message = world.row(outbox_id)
    assert (message.status, message.external_id) == ("delivered", "ext-fast")


@pytest.mark.parametrize("name", list(ERRORS))
def test_send_errors_end_the_attempt(world: World, monkeypatch: pytest.MonkeyPatch,
                                     name: str) -> None:
    error, outcome, status, message_status, code, wait = ERRORS[name]
    world.script(monkeypatch, raising(error))
    outbox_id = world.queue()
    assert world.deliver(outbox_id, rng=Pinned(1.0)) is outcome
    item, message = world.row(outbox_id)
    assert (item.status, item.attempts, item.last_error) == (status, 1, code)
    assert message.status == message_status
    assert message.error_code == (code if status == "failed" else None)
    if wait is not None:
        assert aware(item.next_attempt_at) == world.clock() + timedelta(seconds=wait)


@pytest.mark.parametrize("attempt", range(1, 13))
def test_retry_backoff_is_jittered_within_its_range(world: World,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    attempt: int) -> None:
    """After attempt n the wait lies between 1 s and 2**n s (at most 10 minutes)."""
    world.script(monkeypatch, raising(ConnectionFailed()))
    config = replace(world.config, max_attempts=20)
    outbox_id = world.queue()
    with world.sessions() as db:
        db.get_one(OutboxItem, outbox_id).attempts = attempt - 1
        db.commit()
    waits = []
    for fraction in (0.0, 0.37, 1.0):
        with world.sessions() as db:
            item = db.get_one(OutboxItem, outbox_id)
            item.status, item.next_attempt_at, item.attempts = "pending", world.clock(), attempt - 1
            db.commit()
        assert world.deliver(outbox_id, rng=Pinned(fraction), config=config) is Outcome.RETRY
        item, _ = world.row(outbox_id)
        waits.append((aware(item.next_attempt_at) - world.clock()).total_seconds())
    top = min(600.0, 2.0 ** attempt)
    assert waits[0] == 1.0 and waits[2] == top
    assert 1.0 <= waits[1] <= top


def test_retries_stop_at_max_attempts(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.script(monkeypatch, raising(ConnectionFailed()))
    outbox_id = world.queue()
    outcomes = []
    for _ in range(world.config.max_attempts + 2):
        outcomes.append(world.deliver(outbox_id))
        world.clock.advance(600)
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED, Outcome.SKIPPED,
                        Outcome.SKIPPED]
    item, message = world.row(outbox_id)
    assert (item.status, item.attempts) == ("failed", 3)
    assert (message.status, message.error_code) == ("failed", "connection_failed")
    assert len(Adapter.sent) == 3


@pytest.mark.parametrize("exc", [RuntimeError(f"could not send {TEXT!r} to {NUMBER}"),
                                 KeyError(NUMBER), ValueError()])
def test_an_unexpected_exception_fails_the_row_once_and_logs_no_personal_data(
        world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        exc: Exception) -> None:
    world.script(monkeypatch, raising(exc))
    outbox_id = world.queue()
    with caplog.at_level(logging.DEBUG):
        assert world.deliver(outbox_id) is Outcome.FAILED
    item, message = world.row(outbox_id)
    assert (item.status, item.last_error) == ("failed", "internal_error")
    assert (message.status, message.error_code) == ("failed", "internal_error")
    world.clock.advance(3600)
    assert world.deliver(outbox_id) is Outcome.SKIPPED  # not claimed again: no loop
    assert len(Adapter.sent) == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert outbox_id in logged and "internal_error" in logged
    assert type(exc).__name__ in logged
    assert NUMBER not in logged and TEXT not in logged and NUMBER[3:] not in logged


def test_a_message_that_cannot_be_built_fails_internal_error(world: World,
                                                             caplog: pytest.LogCaptureFixture
                                                             ) -> None:
    outbox_id = world.queue()
    with world.sessions() as db:  # encrypted under another key: the body cannot be read
        db.get_one(Message, world.row(outbox_id)[1].id).body_enc = "gAAAAAnot-a-token"
        db.commit()
    assert world.deliver(outbox_id) is Outcome.FAILED
    assert world.row(outbox_id)[0].last_error == "internal_error"
    assert Adapter.sent == []
    assert outbox_id in caplog.text


def test_a_database_error_while_loading_still_ends_the_attempt(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A statement failing mid-load leaves the claim's transaction unusable: the row is
    claimed again (the rolled-back claim counted no attempt) and failed `internal_error`, not
    left due to be claimed again and again."""
    import services.messaging.delivery as delivery

    def broken_load(db: Session, _crypto: object, _config: object, claim: Claim,
                    _now: object) -> Job:
        db.add(OutboxItem(id=claim.outbox_id, message_id=claim.message_id))
        db.flush()  # a unique-key violation: the session must be rolled back
        raise AssertionError("unreachable")

    monkeypatch.setattr(delivery, "load_job", broken_load)
    outbox_id = world.queue()
    assert world.deliver(outbox_id) is Outcome.FAILED
    item, message = world.row(outbox_id)
    assert (item.status, item.last_error, item.attempts) == ("failed", "internal_error", 1)
    assert message.status == "failed"
    assert Adapter.sent == []
    assert world.deliver(outbox_id) is Outcome.SKIPPED


def test_template_refusal_fails_before_the_provider(world: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A DLT-style channel (templates always) with no registered template: template_missing."""
    monkeypatch.setattr(Adapter, "capabilities", Capabilities(templates=True))
    outbox_id = world.queue()
    assert world.deliver(outbox_id) is Outcome.FAILED
    item, message = world.row(outbox_id)
    assert (item.status, item.last_error) == ("failed", "template_missing")
    assert (message.status, message.error_code) == ("failed", "template_missing")
    assert Adapter.sent == []


@pytest.mark.parametrize(("hours_ago", "outcome"), [(23, Outcome.SENT), (25, Outcome.FAILED)])
def test_the_session_window_is_read_on_the_injected_clock(world: World,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          hours_ago: int,
                                                          outcome: Outcome) -> None:
    """WhatsApp-like: free text within 24 h of the citizen's last message, else a template."""
    monkeypatch.setattr(Adapter, "capabilities",
                        Capabilities(templates=True, session_window_hours=24))
    with world.sessions() as db:
        db.add(Message(tenant_id="pb.amritsar", account_id=world.account_id,
                       contact_id=world.contact_id, direction="in", external_id="in-1",
                       body_enc=world.crypto.encrypt("hi"), status="delivered",
                       created_at=world.clock() - timedelta(hours=hours_ago)))
        db.commit()
    outbox_id = world.queue()
    assert world.deliver(outbox_id) is outcome
    if outcome is Outcome.SENT:
        assert Adapter.sent[0].window_open
    else:
        assert world.row(outbox_id)[1].error_code == "template_missing"


def test_unknown_or_finished_rows_are_skipped(world: World) -> None:
    assert world.deliver("no-such-row") is Outcome.SKIPPED
    outbox_id = world.queue()
    world.clock.advance(-1)  # not yet due
    assert world.deliver(outbox_id) is Outcome.SKIPPED
    assert Adapter.sent == []
