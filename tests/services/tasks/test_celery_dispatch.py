"""The API process publishes to the broker its settings name, on each piece of work's queue."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time

import pytest
import redis

from services.messaging.lanes import Lane
from services.settings import Settings
from services.tasks.celery_app import TURNS_PER_TASK, CeleryDispatcher, app
from services.tasks.local_replies import LocalReplies
from tests.support.services import redis_database

pytestmark = pytest.mark.integration


def _task_names(client: redis.Redis, queue: str) -> list[str]:
    """The task names waiting on a Celery queue (a Redis list)."""
    return [json.loads(raw)["headers"]["task"] for raw in client.lrange(queue, 0, -1)]


def test_turns_and_deliveries_go_to_their_queues_on_the_configured_broker() -> None:
    url = redis_database()
    settings = Settings(env="development", redis_url=url, secret_key=secrets.token_hex(32))
    dispatcher = CeleryDispatcher(settings)
    assert app.conf.broker_url == url  # not the environment's default (memory://)
    dispatcher.enqueue_turns(["pb.amritsar:abc"])
    dispatcher.enqueue(["o1"], Lane.REPLY)
    dispatcher.enqueue(["o2"], Lane.NOTICE)
    dispatcher.enqueue(["o3"], Lane.BULK)
    client = redis.Redis.from_url(url)
    assert _task_names(client, "turns") == ["nagarsetu.run_turns"]
    assert _task_names(client, "replies") == ["nagarsetu.deliver_outbox"] * 2
    assert _task_names(client, "bulk") == ["nagarsetu.deliver_outbox"]
    client.flushdb()


def test_conversations_handed_on_together_share_tasks_in_small_chunks() -> None:
    url = redis_database()
    settings = Settings(env="development", redis_url=url, secret_key=secrets.token_hex(32))
    dispatcher = CeleryDispatcher(settings)
    conversations = [f"pb.amritsar:c{i}" for i in range(2 * TURNS_PER_TASK + 1)]
    dispatcher.enqueue_turns(conversations)
    client = redis.Redis.from_url(url)
    raw = client.lrange("turns", 0, -1)
    assert [json.loads(r)["headers"]["task"] for r in raw] == ["nagarsetu.run_turns_batch"] * 3
    bodies = [json.loads(base64.b64decode(json.loads(r)["body"]))[0][0] for r in raw]
    assert sorted(c for body in bodies for c in body) == sorted(conversations)  # each once
    assert max(len(body) for body in bodies) == TURNS_PER_TASK
    client.flushdb()


def test_a_broker_that_is_down_costs_the_caller_no_wait_and_raises_nothing() -> None:
    settings = Settings(env="development", redis_url="redis://127.0.0.1:1/0",
                        secret_key=secrets.token_hex(32))
    dispatcher = CeleryDispatcher(settings)
    started = time.monotonic()
    dispatcher.enqueue_turns(["pb.amritsar:abc"])
    dispatcher.enqueue(["o1"])
    assert time.monotonic() - started < 3


def test_a_workers_replies_go_to_its_own_threads_and_the_rest_to_the_queues() -> None:
    """In a worker process the replies and notices it writes are delivered there; bulk sends
    and what is past the backlog still go through the broker."""
    url = redis_database()
    settings = Settings(env="development", redis_url=url, secret_key=secrets.token_hex(32))
    release = threading.Event()
    delivered: list[str] = []

    def deliver(outbox_id: str) -> None:
        release.wait(10)
        delivered.append(outbox_id)

    local = LocalReplies(deliver, threads=1, backlog=3)
    dispatcher = CeleryDispatcher(settings, local)
    dispatcher.enqueue(["r1", "r2"], Lane.REPLY)
    dispatcher.enqueue(["n1", "n2"], Lane.NOTICE)  # the backlog holds three: n2 is queued
    dispatcher.enqueue(["b1"], Lane.BULK)
    client = redis.Redis.from_url(url)
    assert _task_names(client, "replies") == ["nagarsetu.deliver_outbox"]  # n2
    assert _task_names(client, "bulk") == ["nagarsetu.deliver_outbox"]
    release.set()
    dispatcher.close()  # a warm shutdown sends what was taken
    assert delivered == ["r1", "r2", "n1"]
    dispatcher.enqueue(["r4"], Lane.REPLY)  # closed: through the broker
    assert len(_task_names(client, "replies")) == 2
    client.flushdb()


def test_a_local_delivery_that_crashes_frees_its_slot_and_is_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    def deliver(outbox_id: str) -> None:
        raise ValueError("+919812345678")  # its text is never logged

    local = LocalReplies(deliver, threads=1, backlog=1)
    assert local.offer("r1")
    local.close()
    assert "local delivery of outbox r1 crashed: ValueError" in caplog.text
    assert "+9198" not in caplog.text
    again = LocalReplies(deliver, threads=1, backlog=1)
    assert again.offer("r2")
    time.sleep(0.2)
    assert again.offer("r3")  # the crashed delivery gave its slot back
    again.close()
