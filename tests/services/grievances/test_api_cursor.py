"""Keyset paging of the staff list: cursors walk every row once, refuse forgeries, and totals
are estimated (and say so) only where counting would be slow — on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from services.grievances import cursor as cursors
from services.grievances.registry import Position
from services.security.crypto import Crypto
from tests.services.grievances.citizen import Staff, file_direct, new_key, new_member
from tests.services.grievances.helpers import Clock
from tests.support.gateway import LiveGateway

T0 = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)


def _walk(staff: Staff, between: Any = None, **params: Any) -> list[dict[str, Any]]:
    """Every item from the first page to the last by `next_cursor`, calling `between(n)`
    after page n; each page's `next_offset` is None once a cursor is used."""
    items: list[dict[str, Any]] = []
    page = staff.search(**params)
    for n in range(100):
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["items"])
        if n:
            assert body["next_offset"] is None
        if body["next_cursor"] is None:
            return items
        assert len(body["items"]) == body["limit"]
        if between:
            between(n)
        page = staff.search(**params, cursor=body["next_cursor"])
    raise AssertionError("the walk never ended")


def _order(item: dict[str, Any]) -> tuple[datetime, str]:
    """An item's place in the newest-first order."""
    return datetime.fromisoformat(item["created_at"]), item["id"]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The registry's clock, settable."""
    fake = Clock(T0)
    monkeypatch.setattr("services.grievances.builtin.utcnow", fake)
    return fake


def _file_groups(live: LiveGateway, clock: Clock, sizes: tuple[int, ...]) -> list[str]:
    """Groups of grievances filed at the same instant, an hour apart; their ids."""
    ids = []
    for size in sizes:
        ids += [file_direct(live).id for _ in range(size)]
        clock.advance(hours=1)
    return ids


def test_cursor_walks_every_row_once_in_order(live: LiveGateway, clock: Clock) -> None:
    """Identical filing times are split across pages by id; grievances filed during the walk
    never repeat or shift a row: newer ones are not in it, and one filed into a part of the
    order the walk has not reached yet turns up once, in its place."""
    existing = _file_groups(live, clock, (3, 4, 2))
    staff = Staff(live, new_key(live))
    newer: list[str] = []
    backdated: list[str] = []

    def file_meanwhile(page: int) -> None:
        newer.append(file_direct(live).id)  # before the walk's start: never reached
        if page == 1:
            clock.now, later = T0, clock.now
            backdated.append(file_direct(live).id)  # the oldest group's instant, highest id
            clock.now = later

    walked = _walk(staff, file_meanwhile, limit=2)
    ids = [item["id"] for item in walked]
    assert len(ids) == len(set(ids)) == len(existing) + 1
    assert [_order(item) for item in walked] == sorted(map(_order, walked), reverse=True)
    assert set(ids) == {*existing, *backdated}
    assert ids[-4:] == [backdated[0], *reversed(existing[:3])]  # the T0 group, by id
    everything = staff.search(limit=500).json()
    assert everything["total"] == len(existing) + len(newer) + len(backdated)
    assert (everything["next_cursor"], everything["total_is_estimate"]) == (None, False)


@pytest.mark.parametrize("params", [
    {"status": "open"}, {"category": "garbage", "ward": "W01"},
    {"locality": "ranjit-avenue"}, {"tenant": "pb.amritsar", "since": "2026-04-01T06:30:00Z"},
])
def test_filters_hold_across_cursor_pages(live: LiveGateway, clock: Clock,
                                          params: dict[str, str]) -> None:
    """A filtered walk by cursor lists exactly the filtered list, in the same order."""
    for category, locality in (("garbage", "hall-bazaar"), ("water", "ranjit-avenue"),
                               ("garbage", "hall-bazaar"), ("road", "chheharta")) * 2:
        file_direct(live, category=category, locality=locality)
        clock.advance(minutes=20)
    officer = Staff(live, new_key(live))
    listed = officer.ids(limit=500)
    je = new_member(live)
    for gid in listed[:3]:
        assert officer.act(gid, "assign", {"assignee": je}).status_code == 200
    whole = officer.search(**params, limit=500).json()
    assert whole["next_cursor"] is None and whole["total"] == len(whole["items"]) >= 2
    walked = _walk(officer, **params, limit=1)
    assert [item["id"] for item in walked] == [item["id"] for item in whole["items"]]


def _forged(live: LiveGateway) -> dict[str, str]:
    """Cursors the gateway did not issue, or issued and then altered."""
    real = cursors.encode(live.ctx.crypto, Position(T0, "PB-AMR-2026-000003"))
    body, mac = real.split(".")
    moved = cursors.encode(live.ctx.crypto, Position(T0, "PB-AMR-2026-000009")).split(".")[0]
    flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    other_key = cursors.encode(Crypto("another-secret-" + "x" * 40), Position(T0, "X-1"))
    unsigned = base64.urlsafe_b64encode(b"1:1775023200000000:PB-AMR-2026-000001").decode()
    return {"flipped mac": f"{body}.{flipped}", "moved position": f"{moved}.{mac}",
            "other key": other_key, "no mac": body, "unsigned": unsigned, "empty": "",
            "garbage": "not a cursor", "dots": "...", "bad base64": "@@@.abc",
            "non-ascii": "é.ü", "huge number": "MTo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5.00"}


def test_forged_cursors_are_422(live: LiveGateway) -> None:
    """Anything but a cursor this gateway issued is refused with a code, never a 500."""
    staff = Staff(live, new_key(live))
    for name, forged in _forged(live).items():
        response = staff.search(cursor=forged)
        assert response.status_code == 422, (name, response.text)
        assert response.json() == {"detail": {"code": "invalid_cursor"}}, name
    too_long = staff.search(cursor="a" * (cursors.MAX_LENGTH + 1))
    assert too_long.status_code == 422
    assert too_long.json()["detail"]["fields"] == [
        {"loc": ["query", "cursor"], "type": "string_too_long"}]


def test_cursor_and_offset_do_not_mix(live: LiveGateway, clock: Clock) -> None:
    """A cursor already says where the page starts: an offset beside it is refused."""
    _file_groups(live, clock, (3,))
    staff = Staff(live, new_key(live))
    first = staff.search(limit=1).json()
    assert first["next_offset"] == 1 and first["next_cursor"]
    response = staff.search(cursor=first["next_cursor"], offset=1)
    assert response.status_code == 422
    assert response.json() == {"detail": {"code": "cursor_with_offset"}}
    assert staff.search(cursor=first["next_cursor"], offset=0).status_code == 200


def test_totals_past_the_exact_limit_are_estimates_on_postgresql(
        live: LiveGateway, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the exact-count limit lowered to 3: 5 matches are PostgreSQL's estimate (flagged,
    never below what was counted) and exact on SQLite; a small filtered total stays exact."""
    monkeypatch.setattr("services.grievances.api.EXACT_TOTAL_UP_TO", 3)
    _file_groups(live, clock, (5,))
    postgres = live.ctx.db_engine.dialect.name == "postgresql"
    if postgres:
        with live.ctx.sessions() as db:
            db.execute(text("ANALYZE grievances"))
            db.commit()
    staff = Staff(live, new_key(live))
    everything = staff.search(limit=2).json()
    assert everything["total_is_estimate"] is postgres
    assert everything["total"] == 5 if not postgres else everything["total"] >= 4
    first = staff.ids(limit=1)[0]
    assert staff.act(first, "resolve", {"note": "done"}).status_code == 200
    resolved = staff.search(status="resolved").json()
    assert (resolved["total"], resolved["total_is_estimate"]) == (1, False)
    deep = staff.search(cursor=everything["next_cursor"], limit=2).json()
    assert deep["total_is_estimate"] is postgres and len(deep["items"]) == 2
