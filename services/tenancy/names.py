"""Codes and names of categories, localities and wards by id (and the ids behind a filter's
code), remembered a few seconds.

A staff list page of 50 grievances names up to 150 master rows; reading them as ORM objects
(three queries a page) cost the API process more CPU than the page's own query. They change
only by an import or an admin edit, so each row's code and names are kept for `SECONDS` (as a
verified staff key is): an edit shows in this process at once (`MasterDataCache.clear` forgets
them) and in the others within `SECONDS`. Retired rows are kept like any other: old
grievances still name them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tenancy.models import Category, Locality, Ward

SECONDS = 5.0
Model = type[Category] | type[Locality] | type[Ward]


@dataclass
class _Memory:
    """What is remembered of one database: rows by (table, id), ids by (table:scope, code)."""

    rows: dict[tuple[str, str], tuple[float, Named]] = field(default_factory=dict)
    codes: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Named:
    """A master row's code and its names per language."""

    code: str
    names: Mapping[str, str]


class MasterNames:
    """Per-process, thread-safe, time-bounded memory of master rows' codes and names."""

    def __init__(self, seconds: float = SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._memories: WeakKeyDictionary[object, _Memory] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def _memory(self, db: Session) -> _Memory:
        """What is remembered of the session's database (one memory per engine, gone with it:
        two databases in one process never share ids or codes)."""
        bind = db.get_bind()
        with self._lock:
            memory = self._memories.get(bind)
            if memory is None:
                memory = self._memories[bind] = _Memory()
            return memory

    def of(self, db: Session, model: Model, ids: Iterable[str]) -> dict[str, Named]:
        """Id -> code and names of these rows: remembered ones, the rest in one query."""
        rows = self._memory(db).rows
        now = self.clock()
        found: dict[str, Named] = {}
        missing = []
        with self._lock:
            for row_id in set(ids):
                hit = rows.get((model.__tablename__, row_id))
                if hit is not None and hit[0] > now:
                    found[row_id] = hit[1]
                else:
                    missing.append(row_id)
        if missing:
            read = {str(i): Named(str(c), dict(n)) for i, c, n in db.execute(
                select(model.id, model.code, model.names).where(model.id.in_(missing)))}
            with self._lock:
                for row_id, named in read.items():
                    rows[(model.__tablename__, row_id)] = (now + self.seconds, named)
            found.update(read)
        return found

    def ids(self, db: Session, model: Model, code: str, scope: str,
            read: Callable[[], list[str]]) -> list[str]:
        """The ids behind a code within a scope (a filter's ward, category or locality),
        remembered like the names; `read` asks the database."""
        codes = self._memory(db).codes
        key = (f"{model.__tablename__}:{scope}", code)
        now = self.clock()
        with self._lock:
            hit = codes.get(key)
        if hit is not None and hit[0] > now:
            return list(hit[1])
        found = read()
        with self._lock:
            codes[key] = (now + self.seconds, tuple(found))
        return found

    def forget(self) -> None:
        """Drop everything (after an edit of master data in this process)."""
        with self._lock:
            self._memories.clear()


NAMES = MasterNames()
"""The process's memory (the staff list reads through it)."""
