"""The configuration API: roles, scopes and refusals, assignment to a staff member in scope,
member keys, and every change in the change log as the key that made it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.audit.models import ConfigChange
from services.staff.auth import Role
from tests.services.grievances.citizen import file_direct, new_key
from tests.services.grievances.helpers import AMRITSAR, LUDHIANA, add_city
from tests.support.gateway import LiveGateway


class Client:
    """HTTP with one staff key."""

    def __init__(self, gateway: LiveGateway, key: str | None) -> None:
        self.http = gateway.http
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """A request to /api/v1 (JSON body when given)."""
        return self.http.request(method, "/api/v1" + path, headers=self.headers,
                                 json=body)


@pytest.fixture
def admin(gateway: LiveGateway) -> Client:
    """An Amritsar admin's key (one of its own, from before staff members)."""
    with gateway.ctx.sessions() as db:
        add_city(db)
        db.commit()
    return Client(gateway, new_key(gateway, role=Role.ADMIN, name="Admin"))


def _code(response: httpx.Response) -> tuple[int, str]:
    """Status and error code."""
    return response.status_code, response.json()["detail"]["code"]


def _configure(admin: Client) -> dict[str, str]:
    """A department, two members, a rule: returns member ids."""
    assert admin.call("POST", f"/departments/{AMRITSAR}", {
        "code": "sanitation", "names": {"en": "Sanitation", "pa": "ਸਫ਼ਾਈ"}}).status_code == 201
    w01 = admin.call("POST", f"/staff/{AMRITSAR}", {
        "name": "JE Arora", "role": "officer", "department": "sanitation",
        "designation": "JE", "wards": ["W01"], "phone": "98123 00001"})
    assert w01.status_code == 201, w01.text
    assert w01.json()["phone"] == "+919812300001"
    viewer = admin.call("POST", f"/staff/{AMRITSAR}", {"name": "Clerk", "role": "viewer"})
    rules = admin.call("PUT", f"/routing/{AMRITSAR}", {"rules": [
        {"category": "garbage", "ward": "W01", "department": "sanitation"}]})
    assert rules.status_code == 200 and rules.json()["added"] == 1
    return {"w01": w01.json()["id"], "viewer": viewer.json()["id"]}


def test_admins_configure_and_everything_is_recorded(gateway: LiveGateway,
                                                     admin: Client) -> None:
    ids = _configure(admin)
    made = admin.call("POST", f"/categories/{AMRITSAR}", {
        "code": "encroachment", "names": {"en": "Encroachment", "hi": "अतिक्रमण"},
        "sla_hours": 120, "department": "sanitation", "photo_required": True})
    assert made.status_code == 201 and made.json()["photo_required"] is True
    assert admin.call("PATCH", f"/categories/{AMRITSAR}/encroachment",
                      {"sla_hours": 96}).json()["sla_hours"] == 96
    retired = admin.call("POST", f"/categories/{AMRITSAR}/encroachment/retire")
    assert retired.json()["active"] is False
    explained = admin.call("GET", f"/routing/{AMRITSAR}/explain?category=garbage&ward=W01")
    assert explained.json()["chosen"]["id"] == ids["w01"]
    assert explained.json()["rule"] == {"category": "garbage", "ward": "W01",
                                        "strategy": "least_loaded"}
    with gateway.ctx.sessions() as db:
        rows = list(db.scalars(select(ConfigChange).where(ConfigChange.tenant_id == AMRITSAR)
                               .order_by(ConfigChange.at, ConfigChange.id)))
    assert [(r.entity, r.action) for r in rows] == [
        ("department", "create"), ("staff", "create"), ("staff", "create"),
        ("routing_rule", "create"), ("category", "create"), ("category", "update"),
        ("category", "retire")]
    assert {r.actor for r in rows} == {"staff:" + admin.headers["Authorization"].split("_")[1]
                                       + ":Admin"}
    staff_row = rows[1].after or {}
    assert staff_row["phone"] is True and "98123" not in str(staff_row)  # never in clear


def test_roles_scopes_and_refusals(gateway: LiveGateway, admin: Client) -> None:
    _configure(admin)
    officer = Client(gateway, new_key(gateway))
    viewer = Client(gateway, new_key(gateway, role=Role.VIEWER))
    ludhiana = Client(gateway, new_key(gateway, scope=LUDHIANA, role=Role.ADMIN))
    state = Client(gateway, new_key(gateway, scope="pb", role=Role.ADMIN))
    body = {"code": "x", "names": {"en": "X"}, "sla_hours": 24}
    assert _code(Client(gateway, None).call("GET", f"/categories/{AMRITSAR}")) == (
        401, "unauthenticated")
    assert viewer.call("GET", f"/categories/{AMRITSAR}").status_code == 200
    assert viewer.call("GET", f"/departments/{AMRITSAR}").status_code == 200
    assert _code(officer.call("POST", f"/categories/{AMRITSAR}", body)) == (
        403, "forbidden_role")
    assert _code(viewer.call("GET", f"/staff/{AMRITSAR}")) == (403, "forbidden_role")
    assert _code(ludhiana.call("POST", f"/categories/{AMRITSAR}", body)) == (
        403, "forbidden_tenant")
    assert _code(ludhiana.call("GET", f"/routing/{AMRITSAR}")) == (403, "forbidden_tenant")
    assert _code(state.call("GET", "/categories/pb.nowhere")) == (404, "not_found")
    assert _code(admin.call("PATCH", f"/categories/{AMRITSAR}/nothing", {"sla_hours": 5})) == (
        404, "not_found")
    assert _code(admin.call("POST", f"/categories/{AMRITSAR}", {
        **body, "code": "garbage"})) == (409, "duplicate")
    bad = admin.call("POST", f"/categories/{AMRITSAR}", {**body, "sla_hours": -1})
    assert bad.status_code == 422 and bad.json()["detail"] == {
        "code": "invalid_config", "fields": [{"loc": ["body", "sla_hours"],
                                              "type": "invalid_sla"}]}
    rules = admin.call("PUT", f"/routing/{AMRITSAR}", {"rules": [
        {"category": "garbage", "ward": "W09", "department": "sanitation"},
        {"category": "garbage", "ward": "*", "department": "sanitation",
         "strategy": "fastest"}]})
    assert rules.status_code == 422 and rules.json()["detail"] == {
        "code": "invalid_rules", "fields": [
            {"loc": ["body", "rules", "row", "2", "strategy"], "type": "invalid_strategy"}]}
    unknown = admin.call("PUT", f"/routing/{AMRITSAR}", {"rules": [
        {"category": "garbage", "ward": "W09", "department": "sanitation"}]})
    assert unknown.json()["detail"]["fields"] == [
        {"loc": ["body", "rules", "row", "1", "ward"], "type": "unknown_ward"}]
    assert admin.call("GET", f"/routing/{AMRITSAR}").json()["rules"] == [
        {"category": "garbage", "ward": "W01", "department": "sanitation",
         "strategy": "least_loaded"}]  # the refused loads changed nothing
    amr_member = admin.call("GET", f"/staff/{AMRITSAR}").json()[0]["id"]
    assert _code(ludhiana.call("PATCH", f"/staff/{LUDHIANA}/{amr_member}",
                               {"name": "x"})) == (404, "not_found")


def test_assign_takes_a_staff_member_in_scope(gateway: LiveGateway, admin: Client) -> None:
    ids = _configure(admin)
    ldh = admin.http.post(f"/api/v1/staff/{LUDHIANA}", json={"name": "LDH", "role": "officer"},
                          headers=Client(gateway, new_key(gateway, scope=LUDHIANA,
                                                          role=Role.ADMIN)).headers).json()
    in_w02 = file_direct(gateway, locality="ranjit-avenue").id  # W02: no rule, unassigned
    in_w01 = file_direct(gateway, category="road", locality="hall-bazaar").id
    officer = Client(gateway, new_key(gateway))

    def assign(gid: str, staff_id: str) -> httpx.Response:
        return officer.call("POST", f"/grievances/{gid}/assign", {"assignee": staff_id})

    assert _code(assign(in_w02, "nobody")) == (422, "invalid_assignee")
    assert _code(assign(in_w02, ids["viewer"])) == (422, "invalid_assignee")
    assert _code(assign(in_w02, ldh["id"])) == (422, "assignee_out_of_scope")
    assert _code(assign(in_w02, ids["w01"])) == (422, "assignee_out_of_scope")  # ward W01 only
    done = assign(in_w01, ids["w01"])
    assert done.status_code == 200, done.text
    assert (done.json()["assignee_id"], done.json()["assignee"], done.json()["status"]) == (
        ids["w01"], "JE Arora", "assigned")
    assert officer.call("GET", f"/grievances/{in_w02}").json()["status"] == "open"


def test_member_keys_follow_the_member(gateway: LiveGateway, admin: Client) -> None:
    ids = _configure(admin)
    issued = admin.call("POST", f"/staff/{AMRITSAR}/{ids['w01']}/keys")
    assert issued.status_code == 201
    member = Client(gateway, issued.json()["key"])
    gid = file_direct(gateway, locality="hall-bazaar").id  # garbage in W01: routed to them
    assert member.call("GET", f"/grievances/{gid}").json()["assignee_id"] == ids["w01"]
    started = member.call("POST", f"/grievances/{gid}/start", {})
    assert started.status_code == 200
    assert started.json()["history"][-1]["actor"].endswith(":JE Arora")
    assert admin.call("PATCH", f"/staff/{AMRITSAR}/{ids['w01']}",
                      {"role": "viewer"}).json()["role"] == "viewer"
    assert _code(member.call("POST", f"/grievances/{gid}/resolve", {"note": "done"})) == (
        403, "forbidden_role")
    assert admin.call("PATCH", f"/staff/{AMRITSAR}/{ids['w01']}",
                      {"active": False}).status_code == 200
    assert _code(member.call("GET", f"/grievances/{gid}")) == (401, "unauthenticated")
    assert admin.call("GET", f"/grievances/{gid}").status_code == 200  # a key of its own
