"""The sweeper's pick: replies before notices before bulk, each row with its lane."""

from __future__ import annotations

from datetime import timedelta

from services.messaging.due import DueRow, due
from services.messaging.lanes import Lane
from services.messaging.models import OutboxItem
from tests.services.messaging.conftest import World


def _set(world: World, outbox_id: str, **values: object) -> None:
    """Change a stored outbox row."""
    with world.sessions() as db:
        item = db.get_one(OutboxItem, outbox_id)
        for name, value in values.items():
            setattr(item, name, value)
        db.commit()


def _queue_at(world: World, lane: Lane, seconds_ago: float) -> str:
    """A row in `lane` due since `seconds_ago`."""
    outbox_id = world.queue(lane=lane)
    _set(world, outbox_id, next_attempt_at=world.clock() - timedelta(seconds=seconds_ago))
    return outbox_id


def test_due_orders_by_lane_priority_then_due_time(world: World) -> None:
    campaign = [_queue_at(world, Lane.BULK, 600 - n) for n in range(5)]  # oldest of all
    notice = _queue_at(world, Lane.NOTICE, 30)
    late_reply = _queue_at(world, Lane.REPLY, 5)
    early_reply = _queue_at(world, Lane.REPLY, 10)
    picked = due(world.sessions, 120, now=world.clock)
    assert picked == [DueRow(early_reply, Lane.REPLY), DueRow(late_reply, Lane.REPLY),
                      DueRow(notice, Lane.NOTICE)] + [DueRow(c, Lane.BULK) for c in campaign]
    assert [lane.queue for _, lane in picked[:3]] == ["replies"] * 3
    assert {lane.queue for _, lane in picked[3:]} == {"bulk"}


def test_a_campaign_backlog_cannot_crowd_out_replies(world: World) -> None:
    for n in range(6):
        _queue_at(world, Lane.BULK, 900 + n)
    reply = _queue_at(world, Lane.REPLY, 1)
    notice = _queue_at(world, Lane.NOTICE, 1)
    picked = due(world.sessions, 120, limit=3, now=world.clock)
    assert [row.id for row in picked[:2]] == [reply, notice]
    assert len(picked) == 3 and picked[2].lane is Lane.BULK


def test_only_due_rows_and_stale_claims_are_picked(world: World) -> None:
    waiting = _queue_at(world, Lane.REPLY, -60)  # due in a minute
    in_flight = _queue_at(world, Lane.REPLY, 10)
    _set(world, in_flight, status="sending", claimed_at=world.clock() - timedelta(seconds=60))
    crashed = _queue_at(world, Lane.NOTICE, 600)
    _set(world, crashed, status="sending", claimed_at=world.clock() - timedelta(seconds=121))
    done = _queue_at(world, Lane.REPLY, 600)
    _set(world, done, status="sent")
    failed = _queue_at(world, Lane.REPLY, 600)
    _set(world, failed, status="failed")
    assert due(world.sessions, 120, now=world.clock) == [DueRow(crashed, Lane.NOTICE)]
    world.clock.advance(61)
    assert {row.id for row in due(world.sessions, 120, now=world.clock)} == {
        waiting, in_flight, crashed}


def test_rows_outside_the_known_lanes_are_still_picked_last(world: World) -> None:
    odd = _queue_at(world, Lane.REPLY, 700)
    _set(world, odd, lane="urgent", priority=7)
    reply = _queue_at(world, Lane.REPLY, 1)
    assert due(world.sessions, 120, now=world.clock) == [DueRow(reply, Lane.REPLY),
                                                         DueRow(odd, Lane.BULK)]
