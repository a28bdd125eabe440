"""The staff API for tenants and places: who may do what, and bad input answered with codes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.audit.models import ConfigChange
from services.places.formats import MAX_BYTES
from services.staff.auth import Role, create_key
from services.tenancy.models import Locality, Tenant
from tests.services.places.conftest import SAMPLES
from tests.support.gateway import LiveGateway

CITY = "pb.ludhiana"
LUDHIANA = {"id": CITY, "code": "PB-LDH", "names": {"en": "Ludhiana", "pa": "ਲੁਧਿਆਣਾ"},
            "phone": "+91 161 240 1234", "website": "https://mcludhiana.example.in",
            "address": {"en": "Zone A Office, Mata Rani Chowk"}}


def key(gateway: LiveGateway, scope: str = "pb", role: Role = Role.ADMIN) -> dict[str, str]:
    """Authorization headers of a new staff key."""
    with gateway.ctx.sessions() as db:
        token = create_key(db, scope=scope, role=role, name=f"{role.value} of {scope}")
        db.commit()
    return {"Authorization": f"Bearer {token}"}


def upload(gateway: LiveGateway, headers: dict[str, str], data: bytes, fmt: str,
           tenant: str = CITY, **params: Any) -> httpx.Response:
    """POST a places file to the import endpoint."""
    media = {"csv": "text/csv", "geojson": "application/geo+json"}.get(fmt, "application/json")
    return gateway.http.post(f"/api/v1/places/{tenant}/import", content=data,
                             params={"format": fmt, **params},
                             headers={**headers, "Content-Type": media})


@pytest.fixture
def admin(gateway: LiveGateway) -> dict[str, str]:
    """A state admin's headers, with Ludhiana added through the API."""
    headers = key(gateway)
    response = gateway.http.post("/api/v1/tenants", json=LUDHIANA, headers=headers)
    assert response.status_code == 201, response.text
    return headers


def test_without_a_key_everything_is_401(gateway: LiveGateway) -> None:
    for method, url in (("GET", "/api/v1/tenants"), ("GET", "/api/v1/tenants/pb"),
                        ("POST", "/api/v1/tenants"), ("PATCH", "/api/v1/tenants/pb"),
                        ("GET", "/api/v1/places/pb.amritsar"),
                        ("POST", "/api/v1/places/pb.amritsar/import?format=csv")):
        response = gateway.http.request(method, url, json={},
                                        headers={"Authorization": "Bearer nsk_x_y"})
        assert response.status_code == 401, (method, url)
        assert response.json()["detail"]["code"] == "unauthenticated"


def test_a_state_admin_adds_and_edits_a_city(gateway: LiveGateway,
                                             admin: dict[str, str]) -> None:
    shown = gateway.http.get(f"/api/v1/tenants/{CITY}", headers=admin).json()
    assert shown["parent"] == "pb" and shown["phone"] == "+911612401234"
    assert shown["languages_inherited"] and "pa" in shown["languages"]
    edited = gateway.http.patch(f"/api/v1/tenants/{CITY}", headers=admin, json={
        "languages": ["pa", "hi", "en"], "default_language": "pa", "email": "help@ldh.in"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["languages"] == ["pa", "hi", "en"]
    assert edited.json()["default_language"] == "pa" and edited.json()["email"] == "help@ldh.in"
    listed = gateway.http.get("/api/v1/tenants", headers=admin).json()
    assert [t["id"] for t in listed] == ["pb", "pb.amritsar", CITY]
    with gateway.ctx.sessions() as db:
        changes = db.scalars(select(ConfigChange).where(ConfigChange.key == CITY)
                             .order_by(ConfigChange.at)).all()
        assert [c.action for c in changes] == ["create", "update"]
        assert all(c.actor.startswith("staff:") for c in changes)
        assert changes[1].after == {"languages": ["pa", "hi", "en"], "default_language": "pa",
                                    "email": "help@ldh.in"}


def test_roles_and_scopes_are_enforced(gateway: LiveGateway, admin: dict[str, str]) -> None:
    officer = key(gateway, "pb", Role.OFFICER)
    city_admin = key(gateway, "pb.amritsar")
    other = {**LUDHIANA, "id": "pb.jalandhar", "code": "PB-JAL"}
    for headers, code in ((officer, "forbidden_role"), (city_admin, "forbidden_tenant")):
        assert gateway.http.post("/api/v1/tenants", json=other,
                                 headers=headers).json()["detail"]["code"] == code
        response = gateway.http.patch(f"/api/v1/tenants/{CITY}", json={"phone": ""},
                                      headers=headers)
        assert response.status_code == 403 and response.json()["detail"]["code"] == code
        response = upload(gateway, headers, (SAMPLES / "wards.geojson").read_bytes(), "geojson")
        assert response.status_code == 403 and response.json()["detail"]["code"] == code
    assert gateway.http.get(f"/api/v1/tenants/{CITY}", headers=city_admin).status_code == 404
    assert gateway.http.get(f"/api/v1/places/{CITY}", headers=city_admin).status_code == 403
    assert gateway.http.get(f"/api/v1/places/{CITY}", headers=officer).status_code == 200
    with gateway.ctx.sessions() as db:
        assert db.get(Tenant, "pb.jalandhar") is None
        assert db.get_one(Tenant, CITY).phone == "+911612401234"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({**LUDHIANA, "id": "pb"}, 409, "tenant_exists"),
    ({**LUDHIANA, "id": "pb.jalandhar"}, 409, "code_taken"),
    ({**LUDHIANA, "id": "pb.jalandhar", "code": "PB JAL"}, 422, "invalid_code"),
    ({**LUDHIANA, "id": "pb.Jalandhar", "code": "PB-JAL"}, 422, "invalid_tenant_id"),
    ({**LUDHIANA, "id": "hr.gurugram", "code": "HR-GGN"}, 403, "forbidden_tenant"),
    ({**LUDHIANA, "id": "pb.jalandhar", "code": "PB-JAL", "phone": "12"}, 422, "invalid_phone"),
    ({**LUDHIANA, "id": "pb.jalandhar", "code": "PB-JAL", "email": "no-at"}, 422,
     "invalid_email"),
    ({**LUDHIANA, "id": "pb.jalandhar", "code": "PB-JAL", "website": "javascript:alert(1)"},
     422, "invalid_website"),
    ({**LUDHIANA, "id": "pb.jalandhar", "code": "PB-JAL", "languages": ["en", "xx"]}, 422,
     "unknown_language"),
    ({**LUDHIANA, "id": "pb.jalandhar", "code": "PB-JAL", "names": {}}, 422, "names_required"),
    ({**LUDHIANA, "id": "pb.jalandhar", "code": "PB-JAL", "names": {"English": "x"}}, 422,
     "invalid_names"),
    ({**LUDHIANA, "id": "pb.jalandhar", "code": "PB-JAL", "colour": "blue"}, 422,
     "invalid_request"),
])
def test_bad_tenants_are_refused_with_a_code(gateway: LiveGateway, admin: dict[str, str],
                                             body: dict[str, Any], status: int,
                                             code: str) -> None:
    response = gateway.http.post("/api/v1/tenants", json=body, headers=admin)
    assert response.status_code == status, response.text
    assert response.json()["detail"]["code"] == code
    with gateway.ctx.sessions() as db:
        assert db.get(Tenant, "pb.jalandhar") is None


def test_places_are_imported_and_exported_over_the_api(gateway: LiveGateway,
                                                       admin: dict[str, str]) -> None:
    wards = (SAMPLES / "wards.geojson").read_bytes()
    dry = upload(gateway, admin, wards, "geojson", dry_run="true")
    assert dry.status_code == 200 and dry.json()["dry_run"] and len(dry.json()["added"]) == 6
    assert len(upload(gateway, admin, wards, "geojson").json()["added"]) == 6
    done = upload(gateway, admin, (SAMPLES / "localities.csv").read_bytes(), "csv")
    assert done.status_code == 200 and len(done.json()["added"]) == 19
    exported = gateway.http.get(f"/api/v1/places/{CITY}", params={"format": "csv"},
                                headers=admin)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith(
        "text/csv")
    assert exported.text.splitlines()[0].startswith("kind,code,ward,name:en,")
    again = upload(gateway, admin, exported.content, "csv")
    assert again.json()["unchanged"] == 25
    with gateway.ctx.sessions() as db:
        actors = {c.actor for c in db.scalars(select(ConfigChange).where(
            ConfigChange.entity == "locality"))}
        assert len(actors) == 1 and actors.pop().startswith("staff:")


@pytest.mark.parametrize(("data", "fmt", "code"), [
    (b'{"type": "FeatureCollection", "features": [', "geojson", "invalid_json"),
    (b'{"type": "FeatureCollection", "features": {}}', "geojson", "invalid_geojson"),
    (json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "code": "W1", "name:en": "Ward 1"}, "geometry": {"type": "Polygon", "coordinates": [
            [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}]}).encode(), "geojson",
     "invalid_geometry"),
    (b"code,ward,name:en\nnew-colony,W99,New Colony\n", "csv", "unknown_ward"),
    (b"", "csv", "invalid_csv"),
    (b'{"TenantBoundary": []}', "digit", "invalid_digit"),
])
def test_bad_files_are_422_with_a_code(gateway: LiveGateway, admin: dict[str, str],
                                       data: bytes, fmt: str, code: str) -> None:
    upload(gateway, admin, (SAMPLES / "wards.geojson").read_bytes(), "geojson")
    response = upload(gateway, admin, data, fmt)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["code"] == code
    if code == "unknown_ward":
        assert response.json()["detail"]["place"] == "new-colony"
    with gateway.ctx.sessions() as db:
        assert not db.scalars(select(Locality).where(Locality.tenant_id == CITY)).all()


def test_an_unknown_format_or_city_is_refused(gateway: LiveGateway,
                                              admin: dict[str, str]) -> None:
    response = upload(gateway, admin, b"code\nx\n", "kml")
    assert response.status_code == 422 and response.json()["detail"]["code"] == "invalid_request"
    response = upload(gateway, admin, b"code,name:en\nW1,Ward 1\n", "csv", tenant="pb.nowhere")
    assert response.status_code == 404 and response.json()["detail"]["code"] == "not_found"
    response = upload(gateway, admin, b"code,name:en\nW1,Ward 1\n", "csv", tenant="pb")
    assert response.status_code == 422 and response.json()["detail"]["code"] == "not_a_city"


def test_a_huge_file_is_413_before_it_is_read(gateway: LiveGateway,
                                              admin: dict[str, str]) -> None:
    response = upload(gateway, admin, b"code,name:en\n" + b"x" * MAX_BYTES, "csv")
    assert response.status_code == 413
    assert response.json()["detail"] == {"code": "payload_too_large", "limit": MAX_BYTES}
