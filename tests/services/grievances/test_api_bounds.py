"""Staff API inputs at the edges get a 4xx with a code, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.staff.auth import MAX_NAME, InvalidName, Principal, Role, create_key
from services.staff.models import StaffKey
from tests.services.grievances.citizen import Staff, file_direct, new_key, new_member
from tests.support.gateway import LiveGateway


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
    ({"since": "0001-01-01T00:00:00"}, "since"),
    ({"until": "9999-12-31T23:59:59-14:00"}, "until"),
    ({"until": "9999-12-31T23:59:59.999999"}, "until"),
    ({"since": "1999-12-31T23:59:59Z"}, "since"),
])
def test_times_outside_the_range_are_refused(live: LiveGateway, params: dict[str, str],
                                             field: str) -> None:
    response = Staff(live, new_key(live)).search(**params)
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": {"code": "out_of_range", "fields": [
        {"loc": ["query", field], "type": "datetime_out_of_range"}]}}


def test_huge_offsets_and_nul_characters_are_refused(live: LiveGateway) -> None:
    staff = Staff(live, new_key(live))
    response = staff.search(offset=9223372036854775808)
    assert response.status_code == 422
    assert response.json()["detail"]["fields"] == [
        {"loc": ["query", "offset"], "type": "less_than_equal"}]
    assert staff.search(offset=10_000).status_code == 200
    capped = staff.search(offset=10_001)
    assert capped.status_code == 422
    assert capped.json()["detail"]["fields"] == [
        {"loc": ["query", "offset"], "type": "less_than_equal"}]
    for params in ({"category": "a\x00b"}, {"tenant": "pb\x00"}):
        nul = staff.search(**params)
        assert nul.status_code == 400 and nul.json() == {"detail": {"code": "invalid_characters"}}
    assert staff.get("PB-AMR-2026-%00").status_code == 400
    filed = file_direct(live)
    note = staff.act(filed.id, "assign", {"assignee": "JE\x00", "note": "n"})
    assert note.status_code == 400 and note.json()["detail"]["code"] == "invalid_characters"
    control = staff.act(filed.id, "assign", {"assignee": "JE\x07"})
    assert control.status_code == 422 and control.json()["detail"]["code"] == "invalid_request"


def test_key_names_are_bounded_to_what_the_history_holds(live: LiveGateway) -> None:
    with live.ctx.sessions() as db:
        with pytest.raises(InvalidName):
            create_key(db, scope="pb.amritsar", role=Role.OFFICER, name="x" * (MAX_NAME + 1))
        with pytest.raises(InvalidName):
            create_key(db, scope="pb.amritsar", role=Role.OFFICER, name="JE\nWard")
        longest = create_key(db, scope="pb.amritsar", role=Role.OFFICER, name="न" * MAX_NAME)
        db.commit()
    filed = file_direct(live)
    je = new_member(live, "JE Ward 3")
    acted = Staff(live, longest).act(filed.id, "assign", {"assignee": je})
    assert acted.status_code == 200, acted.text
    assert acted.json()["history"][-1]["actor"].endswith("न" * MAX_NAME)


def test_keys_named_before_the_bound_still_act(live: LiveGateway) -> None:
    """A key stored with a 100-character name acts; its history shows the name cut to fit."""
    key = new_key(live)
    key_id = key.split("_")[1]
    with live.ctx.sessions() as db:
        row = db.scalars(select(StaffKey).where(StaffKey.id == key_id)).one()
        row.name = "n" * 100
        db.commit()
    filed = file_direct(live)
    acted = Staff(live, key).act(filed.id, "assign", {"assignee": new_member(live, "JE")})
    assert acted.status_code == 200, acted.text
    actor = acted.json()["history"][-1]["actor"]
    assert actor == Principal(key_id, "pb.amritsar", Role.OFFICER, "n" * 100).actor
    assert len(actor) == 100
