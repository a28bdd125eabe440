"""Staff search: each filter, newest first, paging, and tenant scoping (state covers its cities)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.orm import Session

from services.grievances.builtin import BuiltinRegistry
from services.grievances.registry import Filters, Position, Total
from services.security.crypto import Crypto
from tests.services.grievances.helpers import (
    AMRITSAR,
    LUDHIANA,
    Clock,
    add_city,
    file,
    member,
)

T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
IST = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
def filed(db: Session, crypto: Crypto, registry: BuiltinRegistry,
          monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Five grievances an hour apart (Ludhiana's in the middle); names → public ids."""
    clock = Clock(T0)
    monkeypatch.setattr("services.grievances.builtin.utcnow", clock)
    ids = {"a1": file(db, crypto, category="garbage", locality="hall-bazaar").id}  # W01
    clock.advance(hours=1)
    ids["a2"] = file(db, crypto, category="water", locality="ranjit-avenue").id  # W02
    clock.advance(hours=1)
    ids["l1"] = file(db, crypto, LUDHIANA, category="garbage", locality="model-town").id
    clock.advance(hours=1)
    ids["a3"] = file(db, crypto, category="garbage", locality="chheharta").id  # W04
    registry.transition(scope=AMRITSAR, public_id=ids["a3"], action="assign", actor="t",
                        assignee=member(db, "x"))
    clock.advance(hours=1)
    ids["a4"] = file(db, crypto, category="road", locality="hall-bazaar").id  # W01
    registry.transition(scope=AMRITSAR, public_id=ids["a4"], action="resolve", actor="t",
                        note="patched")
    db.commit()
    return ids


def _ids(registry: BuiltinRegistry, scope: str = AMRITSAR, **filters: Any) -> list[str]:
    """Public ids found, in the order returned."""
    return [v.id for v in registry.search(scope=scope, filters=Filters(**filters))]


def test_everything_in_a_city_newest_first(registry: BuiltinRegistry,
                                           filed: dict[str, str]) -> None:
    """No filter: the city's grievances, newest first, none of the other city's."""
    assert _ids(registry) == [filed[k] for k in ("a4", "a3", "a2", "a1")]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"status": "open"}, ["a2", "a1"]),
    ({"status": "assigned"}, ["a3"]),
    ({"status": "resolved"}, ["a4"]),
    ({"status": "rejected"}, []),
    ({"category": "garbage"}, ["a3", "a1"]),
    ({"category": "road"}, ["a4"]),
    ({"category": "no-such"}, []),
    ({"ward": "W01"}, ["a4", "a1"]),
    ({"ward": "W04"}, ["a3"]),
    ({"locality": "hall-bazaar"}, ["a4", "a1"]),
    ({"locality": "model-town"}, []),
    ({"since": T0 + timedelta(hours=1)}, ["a4", "a3", "a2"]),
    ({"until": T0 + timedelta(hours=1)}, ["a1"]),
    ({"since": T0 + timedelta(minutes=30), "until": T0 + timedelta(hours=3, minutes=30)},
     ["a3", "a2"]),
    ({"category": "garbage", "ward": "W01"}, ["a1"]),
    ({"status": "open", "locality": "ranjit-avenue", "category": "water"}, ["a2"]),
])
def test_filters(registry: BuiltinRegistry, filed: dict[str, str],
                 filters: dict[str, Any], expected: list[str]) -> None:
    """Each filter, alone and combined, narrows the result."""
    assert _ids(registry, **filters) == [filed[k] for k in expected]


def test_time_filters_honour_the_offset(registry: BuiltinRegistry,
                                        filed: dict[str, str]) -> None:
    """`since` given in IST means the same instant as in UTC (not 5½ hours off)."""
    since = (T0 + timedelta(hours=2, minutes=30)).astimezone(IST)
    assert _ids(registry, since=since) == [filed["a4"], filed["a3"]]
    naive_utc = (T0 + timedelta(hours=2, minutes=30)).replace(tzinfo=None)
    assert _ids(registry, since=naive_utc) == [filed["a4"], filed["a3"]]


def test_state_scope_covers_its_cities(registry: BuiltinRegistry,
                                       filed: dict[str, str]) -> None:
    """`pb` sees Amritsar and Ludhiana; each city sees only itself."""
    assert _ids(registry, "pb") == [filed[k] for k in ("a4", "a3", "l1", "a2", "a1")]
    assert _ids(registry, LUDHIANA) == [filed["l1"]]
    assert _ids(registry, "pb", category="garbage") == [filed[k] for k in ("a3", "l1", "a1")]
    assert _ids(registry, "pb.amrit") == []
    assert _ids(registry, "hr") == []


def test_scope_is_a_prefix_of_whole_segments(registry: BuiltinRegistry, db: Session,
                                             crypto: Crypto, filed: dict[str, str]) -> None:
    """Wildcard characters in a scope match literally (`p_` is not a pattern for `pb`)."""
    add_city(db, "pb.amritsar_cantt", "PB-AMC")
    assert _ids(registry, "p_") == []
    assert _ids(registry, "p%") == []
    assert _ids(registry, AMRITSAR) == [filed[k] for k in ("a4", "a3", "a2", "a1")]


def test_paging_and_count(registry: BuiltinRegistry, filed: dict[str, str]) -> None:
    """limit/offset page through the newest-first order; count ignores them."""
    pages = [_ids(registry, "pb", limit=2, offset=o) for o in (0, 2, 4)]
    assert pages == [[filed["a4"], filed["a3"]], [filed["l1"], filed["a2"]], [filed["a1"]]]
    assert registry.count(scope="pb", filters=Filters(limit=2, offset=4)) == Total(5)
    assert registry.count(scope=AMRITSAR, filters=Filters(category="garbage")) == Total(2)
    assert registry.count(scope=AMRITSAR, filters=Filters(ward="W01", status="open")) == Total(1)


def test_search_results_carry_no_history(registry: BuiltinRegistry,
                                         filed: dict[str, str]) -> None:
    """Lists are light: history comes with `get` only."""
    views = registry.search(scope=AMRITSAR, filters=Filters())
    assert all(v.history == () for v in views)
    assert len(registry.get(scope=AMRITSAR, public_id=filed["a4"]).history) == 2


def test_after_a_position_walks_a_state_in_order(registry: BuiltinRegistry,
                                                 filed: dict[str, str]) -> None:
    """`after` resumes strictly after a grievance, across cities, filters kept."""
    for scope, filters in (("pb", {}), ("pb", {"category": "garbage"}), (AMRITSAR, {})):
        whole = registry.search(scope=scope, filters=Filters(**filters))
        walked, after = [], None
        while True:
            page = registry.search(scope=scope, filters=Filters(**filters, limit=2, after=after))
            walked += [v.id for v in page]
            if len(page) < 2:
                break
            after = Position(page[-1].created_at, page[-1].id)
        assert walked == [v.id for v in whole], (scope, filters)
    assert _ids(registry, "pb", after=Position(T0 + timedelta(hours=2), filed["l1"])) == [
        filed["a2"], filed["a1"]]
