"""Group commit for the webhook on PostgreSQL: one writer thread, one statement per batch.

Each inbound webhook used to take a thread-pool thread, a pooled connection and a commit of
its own, so under load the API process spent more CPU on per-request database overhead than on
the request, and every commit waited for its own disk flush. Here the request hands its rows
to one writer thread and awaits the answer; the thread takes whatever has queued meanwhile
(nothing is delayed on purpose: a batch is what arrived while the last one was written) and
writes it as one multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING id` in autocommit — one
round trip and one flush for the batch. Each request learns which of its events were new
(a repeated or concurrent delivery is still a no-op), and only then is the provider answered:
an acknowledged event is committed. The batch's new conversations are then handed to the
dispatcher together, after the answers, so the answer never waits for the broker; a lost
publish is found by the inbox sweeper, as before.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from services.inbox.record import insert_params, new_row, postgres_insert

log = logging.getLogger(__name__)

MAX_ROWS = 500
"""Rows per statement at most (PostgreSQL allows 65,535 parameters: 10 per row)."""


@dataclass
class _Request:
    rows: list[dict[str, Any]]
    done: Future[list[str]] = field(default_factory=Future)


class InboxWriter:
    """The webhook's rows from every request of the process, written in batches."""

    def __init__(self, engine: Engine, publish: Callable[[Sequence[str]], None]) -> None:
        """`engine` in autocommit; `publish` hands new conversations on (the dispatcher)."""
        self.engine = engine
        self.publish = publish
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, rows: Sequence[dict[str, Any]]) -> Future[list[str]]:
        """Queue rows (each: tenant_id, account_id, external_id, conversation, medium,
        event_enc); the future gives the conversations of those that were new, once they are
        committed, or the database's error."""
        self._ensure_started()
        request = _Request([new_row(row) for row in rows])
        self._queue.put(request)
        return request.done

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="inbox-writer",
                                                daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Finish what is queued, then end the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            rows = len(first.rows)
            while rows < MAX_ROWS:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
                rows += len(more.rows)
            self._write(batch)

    def _write(self, batch: list[_Request]) -> None:
        """One statement for the batch; answer each request; then publish."""
        seen: set[tuple[str, str]] = set()
        rows: list[dict[str, Any]] = []
        for request in batch:  # the same event twice in one batch: the first one counts
            for row in request.rows:
                key = (row["account_id"], row["external_id"])
                if key not in seen:
                    seen.add(key)
                    rows.append(row)
        try:
            new: set[str] = set()
            with self.engine.connect() as conn:
                for start in range(0, len(rows), MAX_ROWS):
                    chunk = rows[start:start + MAX_ROWS]
                    new.update(conn.exec_driver_sql(postgres_insert(len(chunk)),
                                                    insert_params(chunk)).scalars())
        except Exception as exc:  # noqa: BLE001  each request answers with the error itself
            for request in batch:
                request.done.set_exception(exc)
            return
        conversations: list[str] = []
        for request in batch:
            mine = list(dict.fromkeys(r["conversation"] for r in request.rows if r["id"] in new))
            request.done.set_result(mine)
            conversations += mine
        try:
            self.publish(list(dict.fromkeys(conversations)))
        except Exception as exc:  # noqa: BLE001  committed: the sweeper publishes them later
            log.warning("handing on %d conversations failed (%s); left to the sweeper",
                        len(conversations), type(exc).__name__)
