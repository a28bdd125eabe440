"""The staff list names its categories, localities and wards from a short per-process memory:
a page reads no master row again within a few seconds, an edit shows once they pass (at once
after the process's own admin edit), and two databases never share what is remembered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import create_engine, event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services.grievances.builtin import BuiltinRegistry
from services.grievances.registry import Filters
from services.security.crypto import Crypto
from services.tenancy import names
from services.tenancy.models import Category, Ward
from services.tenancy.names import MasterNames
from services.tenancy.service import MasterDataCache
from tests.services.grievances.helpers import AMRITSAR, file, refs


class Clock:
    """A clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def _statements(db: Session) -> Iterator[list[str]]:
    """The SQL the session's engine runs while the caller looks."""
    seen: list[str] = []
    engine = db.get_bind()
    assert isinstance(engine, Engine)

    def note(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_names_are_read_once_then_remembered_until_they_lapse(db: Session) -> None:
    clock = Clock()
    memory = MasterNames(seconds=5.0, clock=clock)
    r = refs(db, AMRITSAR, "garbage", "hall-bazaar")
    first = memory.of(db, Category, [r.category_id])[r.category_id]
    assert first.code == "garbage"
    db.execute(update(Category).where(Category.id == r.category_id)
               .values(names={"en": "Solid waste"}))
    with _statements(db) as seen:
        assert memory.of(db, Category, [r.category_id])[r.category_id] == first
        assert seen == []  # remembered: no query
    clock.now += 5.1
    assert memory.of(db, Category, [r.category_id])[r.category_id].names == {
        "en": "Solid waste"}


def test_a_filters_ids_are_remembered_per_scope_until_forgotten(db: Session) -> None:
    memory = MasterNames(seconds=5.0, clock=Clock())
    calls: list[str] = []

    def read() -> list[str]:
        calls.append("read")
        return ["w1"]

    assert memory.ids(db, Ward, "W01", AMRITSAR, read) == ["w1"]
    assert memory.ids(db, Ward, "W01", AMRITSAR, read) == ["w1"]
    assert memory.ids(db, Ward, "W01", "pb", read) == ["w1"] and calls == ["read", "read"]
    memory.forget()
    memory.ids(db, Ward, "W01", AMRITSAR, read)
    assert len(calls) == 3


def test_the_list_shows_an_admin_edit_at_once_and_reads_no_master_row_twice(
        db: Session, crypto: Crypto) -> None:
    names.NAMES.forget()
    filed = file(db, crypto)
    db.commit()
    filters = Filters(limit=10, ward=None)
    (view,) = [v for v in BuiltinRegistry(db, crypto).search(scope=AMRITSAR, filters=filters)
               if v.id == filed.id]
    assert view.category == "garbage"
    with _statements(db) as seen:
        BuiltinRegistry(db, crypto).search(scope=AMRITSAR, filters=replace(filters, limit=5))
        assert len(seen) == 1  # the page's own query: names remembered, the city has no cities
    r = refs(db, AMRITSAR, "garbage", "hall-bazaar")
    db.execute(update(Category).where(Category.id == r.category_id)
               .values(names={"en": "Solid waste"}))
    db.commit()
    MasterDataCache().clear()  # what the categories API does after an edit
    (again,) = [v for v in BuiltinRegistry(db, crypto).search(scope=AMRITSAR, filters=filters)
                if v.id == filed.id]
    assert again.category_names == {"en": "Solid waste"}


def test_two_databases_in_one_process_share_nothing() -> None:
    """Tests, and a process serving two databases, never see the other's ids."""
    memory = MasterNames(seconds=5.0, clock=Clock())
    one, two = Session(bind=create_engine("sqlite://")), Session(bind=create_engine("sqlite://"))
    assert memory.ids(one, Ward, "W01", AMRITSAR, lambda: ["from-one"]) == ["from-one"]
    assert memory.ids(two, Ward, "W01", AMRITSAR, lambda: ["from-two"]) == ["from-two"]
    assert memory.ids(one, Ward, "W01", AMRITSAR, lambda: ["again"]) == ["from-one"]
