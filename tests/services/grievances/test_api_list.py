"""Staff API listing and reading: filters, paging, history, and what is never exposed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.staff.auth import Role
from tests.services.grievances.citizen import Staff, file_by_sms, file_direct, new_key, new_member
from tests.services.grievances.helpers import Clock
from tests.support.gateway import LiveGateway, SmsPhone

T0 = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def viewer(gateway: LiveGateway) -> Staff:
    """A read-only Amritsar key."""
    return Staff(gateway, new_key(gateway, role=Role.VIEWER))


@pytest.fixture
def filed(gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Four Amritsar grievances, a day apart, oldest first; the newest is resolved."""
    clock = Clock(T0)
    monkeypatch.setattr("services.grievances.builtin.utcnow", clock)
    ids = []
    for category, locality in (("garbage", "hall-bazaar"), ("water", "ranjit-avenue"),
                               ("garbage", "chheharta"), ("road", "hall-bazaar")):
        ids.append(file_direct(gateway, category=category, locality=locality).id)
        clock.advance(days=1)
    officer = Staff(gateway, new_key(gateway))
    assert officer.act(ids[3], "resolve", {"note": "filled"}).status_code == 200
    return ids


@pytest.mark.parametrize(("params", "expected"), [
    ({}, [3, 2, 1, 0]),
    ({"status": "open"}, [2, 1, 0]),
    ({"status": "resolved"}, [3]),
    ({"status": "in_progress"}, []),
    ({"category": "garbage"}, [2, 0]),
    ({"ward": "W01"}, [3, 0]),
    ({"ward": "W02"}, [1]),
    ({"locality": "chheharta"}, [2]),
    ({"since": (T0 + timedelta(days=2)).isoformat()}, [3, 2]),
    ({"until": (T0 + timedelta(days=1)).isoformat()}, [0]),
    ({"since": "2026-02-02T00:00:00+05:30", "until": "2026-02-03T11:30:00+05:30"}, [1]),
    ({"category": "garbage", "ward": "W04", "status": "open"}, [2]),
    ({"tenant": "pb.amritsar", "locality": "hall-bazaar"}, [3, 0]),
])
def test_list_filters(viewer: Staff, filed: list[str], params: dict[str, str],
                      expected: list[int]) -> None:
    """Every filter over HTTP; newest first."""
    assert viewer.ids(**params) == [filed[i] for i in expected]


def test_list_pages_with_total_and_next_offset(viewer: Staff, filed: list[str]) -> None:
    """Pages carry the total and where the next page starts (None on the last)."""
    first = viewer.search(limit=3).json()
    assert [i["id"] for i in first["items"]] == [filed[3], filed[2], filed[1]]
    assert (first["total"], first["limit"], first["offset"], first["next_offset"]) == (
        4, 3, 0, 3)
    last = viewer.search(limit=3, offset=first["next_offset"]).json()
    assert [i["id"] for i in last["items"]] == [filed[0]]
    assert (last["total"], last["next_offset"]) == (4, None)
    filtered = viewer.search(status="open", limit=2).json()
    assert (filtered["total"], filtered["next_offset"]) == (3, 2)
    beyond = viewer.search(offset=10).json()
    assert (beyond["items"], beyond["total"], beyond["next_offset"]) == ([], 4, None)


@pytest.mark.parametrize("params", [
    {"status": "closed"}, {"status": "OPEN"}, {"status": ""}, {"limit": 0}, {"limit": 501},
    {"offset": -1}, {"since": "yesterday"},
])
def test_invalid_list_parameters_are_422(viewer: Staff, params: dict[str, object]) -> None:
    """Unknown statuses and out-of-range paging are rejected, not ignored."""
    response = viewer.search(**params)
    assert response.status_code == 422
    if "status" in params:
        assert response.json()["detail"]["code"] == "invalid_status"
    else:
        detail = response.json()["detail"]
        assert detail["code"] == "invalid_request"
        assert [field["loc"][-1] for field in detail["fields"]] == list(params)


def test_list_items_are_light(viewer: Staff, filed: list[str]) -> None:
    """List items carry no history; an overdue flag follows the due date."""
    items = viewer.search().json()["items"]
    assert all(item["history"] is None for item in items)
    by_id = {item["id"]: item for item in items}
    assert by_id[filed[0]]["overdue"] is True  # filed in February with a 48-hour SLA
    assert by_id[filed[3]]["overdue"] is False  # resolved


def test_get_one_with_full_history(gateway: LiveGateway) -> None:
    """Reading one grievance returns its whole history in order with notes and actors."""
    gid = file_direct(gateway, category="streetlight", locality="majitha-road").id
    key = new_key(gateway, name="Harpreet")
    officer = Staff(gateway, key)
    lineman = new_member(gateway, "lineman.7")
    steps = [("assign", {"assignee": lineman, "note": "Pole 14"}), ("start", None),
             ("resolve", {"note": "Bulb replaced"}), ("reopen", {"note": "Off again"}),
             ("start", {"note": "Checking wiring"}), ("reject", {"note": "Private light"})]
    for action, body in steps:
        assert officer.act(gid, action, body).status_code == 200, action
    body = officer.get(gid.lower()).json()
    assert (body["id"], body["category"], body["locality"], body["ward"]) == (
        gid, "streetlight", "majitha-road", "W03")
    assert (body["status"], body["assignee"]) == ("rejected", "lineman.7")
    history = body["history"]
    assert [h["action"] for h in history] == ["file"] + [a for a, _ in steps]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "open"), ("open", "assigned"), ("assigned", "in_progress"),
        ("in_progress", "resolved"), ("resolved", "reopened"), ("reopened", "in_progress"),
        ("in_progress", "rejected")]
    assert [h["note"] for h in history[1:]] == [(b or {}).get("note") for _, b in steps]
    times = [datetime.fromisoformat(h["at"]) for h in history]
    assert times == sorted(times) and len(set(times)) == len(times)
    key_id = key.split("_")[1]
    assert all(key_id in h["actor"] for h in history[1:])
    assert key.split("_", 2)[2] not in str(body)  # the secret never appears


def test_unknown_grievance_is_404(viewer: Staff) -> None:
    """An id that does not exist is 404 with a code."""
    response = viewer.get("PB-AMR-2026-999999")
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "not_found"


def test_citizen_address_is_never_exposed(gateway: LiveGateway, phone: SmsPhone) -> None:
    """Staff see the complaint, not the citizen's phone number or contact ids."""
    gid = file_by_sms(gateway, phone)
    viewer = Staff(gateway, new_key(gateway, role=Role.VIEWER))
    one, listed = viewer.get(gid), viewer.search()
    assert one.json()["channel"] == "sms"
    digits = phone.number.lstrip("+")
    for response in (one, listed):
        assert digits not in response.text and digits[-10:] not in response.text
        assert "contact" not in response.text and "urn" not in response.text
