"""Staff API authentication and authorisation: keys, roles and tenant scopes over HTTP."""

from __future__ import annotations

import pytest

from services.staff.auth import Role, revoke
from tests.services.grievances.citizen import BASE, Staff, file_direct, new_key, new_member
from tests.services.grievances.helpers import AMRITSAR, LUDHIANA, add_city
from tests.support.gateway import LiveGateway


@pytest.fixture
def two_cities(gateway: LiveGateway) -> dict[str, str]:
    """Ludhiana added next to Amritsar, one grievance in each; city → public id."""
    with gateway.ctx.sessions() as db:
        add_city(db)
        db.commit()
    return {AMRITSAR: file_direct(gateway).id,
            LUDHIANA: file_direct(gateway, LUDHIANA, locality="model-town").id}


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer garbage"},
    {"Authorization": "Bearer nsk_"},
    {"Authorization": "Bearer nsk_abc_def"},
    {"Authorization": "Basic bnNrOnNlY3JldA=="},
    {"Authorization": "nsk_abc_def"},
])
def test_missing_or_garbage_key_is_401(gateway: LiveGateway, headers: dict[str, str]) -> None:
    """Without a valid key nothing is listed, read or changed."""
    gid = file_direct(gateway).id
    for response in (gateway.http.get(BASE, headers=headers),
                     gateway.http.get(f"{BASE}/{gid}", headers=headers),
                     gateway.http.post(f"{BASE}/{gid}/resolve", json={"note": "x"},
                                       headers=headers)):
        assert response.status_code == 401
        assert response.json()["detail"]["code"] == "unauthenticated"
        assert response.headers["www-authenticate"] == "Bearer"


def test_wrong_secret_for_a_real_key_is_401(gateway: LiveGateway) -> None:
    """A known key id with a forged secret does not authenticate."""
    key = new_key(gateway)
    forged = key[: key.rindex("_") + 1] + "A" * 43
    assert Staff(gateway, key).search().status_code == 200
    assert Staff(gateway, forged).search().status_code == 401
    assert Staff(gateway, key + "x").search().status_code == 401


def test_revoked_key_is_401(gateway: LiveGateway) -> None:
    """Revocation takes effect on the next request."""
    key = new_key(gateway)
    staff = Staff(gateway, key)
    assert staff.search().status_code == 200
    with gateway.ctx.sessions() as db:
        assert revoke(db, key.split("_")[1])
        db.commit()
    response = staff.search()
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "unauthenticated"


def test_viewer_reads_but_cannot_act(gateway: LiveGateway) -> None:
    """Viewers list and read; every action is 403 and changes nothing."""
    gid = file_direct(gateway).id
    viewer = Staff(gateway, new_key(gateway, role=Role.VIEWER))
    assert viewer.ids() == [gid]
    assert viewer.get(gid).status_code == 200
    for action, body in (("assign", {"assignee": "me"}), ("start", None),
                         ("resolve", {"note": "done"}), ("reject", {"note": "no"}),
                         ("reopen", {"note": "again"})):
        response = viewer.act(gid, action, body)
        assert response.status_code == 403, action
        assert response.json()["detail"]["code"] == "forbidden_role"
    assert viewer.get(gid).json()["status"] == "open"


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
def test_officers_and_admins_can_act(gateway: LiveGateway, role: Role) -> None:
    """Acting roles may move a grievance."""
    gid = file_direct(gateway).id
    response = Staff(gateway, new_key(gateway, role=role)).act(gid, "resolve", {"note": "ok"})
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"


def test_other_city_officer_sees_nothing_of_amritsar(gateway: LiveGateway,
                                                     two_cities: dict[str, str]) -> None:
    """A Ludhiana key: 404 for an Amritsar grievance, 403 for listing Amritsar."""
    ldh = Staff(gateway, new_key(gateway, scope=LUDHIANA))
    amr_id = two_cities[AMRITSAR]
    for response in (ldh.get(amr_id), ldh.act(amr_id, "resolve", {"note": "done"}),
                     ldh.act(amr_id, "assign", {"assignee": "me"})):
        assert response.status_code == 404
        assert response.json()["detail"]["code"] == "not_found"
    for tenant in (AMRITSAR, "pb"):
        response = ldh.search(tenant=tenant)
        assert response.status_code == 403
        assert response.json()["detail"]["code"] == "forbidden_tenant"
    assert ldh.ids() == [two_cities[LUDHIANA]]
    assert ldh.ids(tenant=LUDHIANA) == [two_cities[LUDHIANA]]
    amr = Staff(gateway, new_key(gateway))
    assert amr.get(amr_id).json()["status"] == "open"


def test_state_key_sees_both_cities(gateway: LiveGateway, two_cities: dict[str, str]) -> None:
    """A `pb` key lists and reads both cities, and may narrow to one."""
    state = Staff(gateway, new_key(gateway, scope="pb", role=Role.VIEWER))
    assert set(state.ids()) == set(two_cities.values())
    assert state.ids(tenant=LUDHIANA) == [two_cities[LUDHIANA]]
    assert state.ids(tenant=AMRITSAR) == [two_cities[AMRITSAR]]
    for gid in two_cities.values():
        assert state.get(gid).status_code == 200
    assert state.search(tenant="hr").status_code == 403


def test_state_officer_acts_in_any_city(gateway: LiveGateway,
                                        two_cities: dict[str, str]) -> None:
    """A state-scoped officer can act on a city's grievance."""
    state = Staff(gateway, new_key(gateway, scope="pb"))
    inspector = new_member(gateway, "ldh.inspector", LUDHIANA)
    response = state.act(two_cities[LUDHIANA], "assign", {"assignee": inspector})
    assert response.status_code == 200
    assert response.json()["assignee"] == "ldh.inspector"
