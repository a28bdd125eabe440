"""The open-loop generator counts queueing and timeouts from each request's due time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from bench.load import TIMEOUT, Shot, percentile, run_step

SERVICE_SECONDS = 0.2


class _Slow(BaseHTTPRequestHandler):
    """Answers one request at a time, each after 200 ms."""

    def do_POST(self) -> None:
        """Read the body, wait, answer 200."""
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(SERVICE_SECONDS)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        """Quiet."""


@pytest.fixture
def slow_url() -> Iterator[str]:
    """A single-threaded server that takes 200 ms per request."""
    server = HTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _shots(n: int) -> list[Shot]:
    return [Shot(b"x=1", {"Content-Type": "application/x-www-form-urlencoded"}, f"s{i}")
            for i in range(n)]


def test_queueing_behind_a_slow_server_shows_in_latency(slow_url: str) -> None:
    """10 requests/s at a server doing 5/s: latency grows with the queue, not 200 ms flat."""
    step = run_step(slow_url, _shots(10), 10, generators=1, timeout=10, connections=1)
    assert step.ok == 10 and step.timeouts == 0
    # The last request is due at 0.9 s and done after all ten, at about 2.0 s: 1.1 s late
    # (a closed-loop driver would have said 200 ms).
    assert step.latency_ms(100) > 900
    assert step.latency_ms(0) < 400
    assert step.achieved < 6


def test_requests_unanswered_by_their_deadline_are_timeouts(slow_url: str) -> None:
    """A deadline of 0.5 s from the due time: only the first few make it."""
    step = run_step(slow_url, _shots(10), 20, generators=2, timeout=0.5, connections=2)
    assert step.timeouts > 0
    assert step.ok + step.timeouts + step.errors == 10
    assert all(s.done - s.due < 1.0 for s in step.samples if s.status == TIMEOUT)


def test_percentile_is_nearest_rank() -> None:
    """p50 of 1..10 is 5, p99 is 10, an empty list gives 0."""
    values = [float(v) for v in range(10, 0, -1)]
    assert percentile(values, 50) == 5
    assert percentile(values, 99) == 10
    assert percentile([], 99) == 0
