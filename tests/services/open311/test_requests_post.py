"""POST requests through spec-exact forms, and what a staff key and the public then read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.grievances.models import Grievance
from services.tenancy.models import Tenant
from tests.services.open311.conftest import AMRITSAR, INSIDE, Keys
from tests.support.gateway import LiveGateway


def post(live: LiveGateway, fields: dict[str, str], fmt: str = "json") -> httpx.Response:
    """A form POST of requests.<fmt>."""
    return live.http.post(f"/open311/v2/requests.{fmt}",
                          data={"jurisdiction_id": AMRITSAR, **fields})


def read(live: LiveGateway, request_id: str, **params: str) -> httpx.Response:
    """GET one request as JSON."""
    return live.http.get(f"/open311/v2/requests/{request_id}.json",
                         params={"jurisdiction_id": AMRITSAR, **params})


def error_of(response: httpx.Response) -> tuple[int, Any]:
    """Status and the spec's error list."""
    return response.status_code, response.json()


def test_a_point_is_placed_in_its_ward_and_staff_read_it_in_full(live: LiveGateway,
                                                                 keys: Keys) -> None:
    response = post(live, {"api_key": keys.officer, "service_code": "garbage",
                           "lat": str(INSIDE[0]), "long": str(INSIDE[1]),
                           "description": "कूड़ा तीन दिन से पड़ा है", "first_name": "Asha",
                           "phone": "+919812345678", "email": "asha@example.org"})
    assert response.status_code == 200, response.text
    created = response.json()[0]
    rid = created["service_request_id"]
    assert rid.startswith("PB-AMR-")

    full = read(live, rid, api_key=keys.officer).json()[0]
    assert full["description"] == "कूड़ा तीन दिन से पड़ा है"
    assert (full["lat"], full["long"]) == INSIDE
    assert full["address_id"] == "hall-bazaar"
    public = read(live, rid).json()[0]
    assert public["description"] is None and public["lat"] is None
    assert public["status"] == "open" and public["service_code"] == "garbage"

    staff = live.http.get(f"/api/v1/grievances/{rid}",
                          headers={"Authorization": f"Bearer {keys.officer}"}).json()
    assert staff["channel"] == "open311"
    with live.ctx.sessions() as db:  # the personal fields were not kept anywhere
        row = db.scalar(select(Grievance).where(Grievance.public_id == rid))
        assert row is not None and row.contact_id is None
        assert "Asha" not in str(live.ctx.crypto.decrypt_json(row.evidence_enc or ""))

    token = live.http.get(f"/open311/v2/tokens/{created['token']}.json",
                          params={"jurisdiction_id": AMRITSAR})
    assert token.json() == [{"service_request_id": rid, "token": created["token"]}]
    forged = created["token"][:-1] + ("0" if created["token"][-1] != "0" else "1")
    assert live.http.get(f"/open311/v2/tokens/{forged}.json",
                         params={"jurisdiction_id": AMRITSAR}).status_code == 404


def test_an_address_naming_a_locality_places_the_request(live: LiveGateway,
                                                         keys: Keys) -> None:
    response = post(live, {"api_key": keys.officer, "service_code": "water",
                           "address_string": "behind the school, ranjit avenue",
                           "attribute[landmark]": "Blue gate"}, fmt="xml")
    assert response.status_code == 400  # no description
    assert "<description>description_required</description>" in response.text
    response = post(live, {"api_key": keys.officer, "service_code": "water",
                           "address_string": "behind the school, ranjit avenue",
                           "attribute[landmark]": "Blue gate", "description": "Leak"},
                    fmt="xml")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    rid = response.text.split("<service_request_id>")[1].split("<")[0]
    full = read(live, rid, api_key=keys.viewer).json()[0]
    assert full["address_id"] == "ranjit-avenue"
    assert full["address"].startswith("Blue gate, behind the school")


@pytest.mark.parametrize(("fields", "status", "code"), [
    ({}, 403, "invalid_api_key"),
    ({"api_key": "nsk_000000000000_nope"}, 403, "invalid_api_key"),
    ({"api_key": "viewer"}, 403, "forbidden_role"),
    ({"api_key": "other_city"}, 403, "forbidden_tenant"),
    ({"api_key": "officer", "service_code": ""}, 400, "service_code_required"),
    ({"api_key": "officer", "service_code": "potholes-on-mars"}, 404, "unknown_service_code"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x"}, 400,
     "location_required"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x", "lat": "91",
      "long": "74"}, 400, "invalid_lat_long"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x", "lat": "31.6"},
     400, "invalid_lat_long"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x", "lat": "12.9",
      "long": "77.6"}, 400, "location_not_placed"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x",
      "attribute[colour]": "red", "address_string": "hall bazaar"}, 400, "unknown_attribute"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x",
      "attribute[locality]": "atlantis"}, 400, "invalid_attribute"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x\x00",
      "attribute[locality]": "hall-bazaar"}, 400, "invalid_characters"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x" * 4001,
      "attribute[locality]": "hall-bazaar"}, 400, "description_too_long"),
    ({"api_key": "officer", "service_code": "garbage", "description": "x",
      "attribute[locality]": "hall-bazaar", "media_url": "file:///etc/passwd"}, 400,
     "invalid_media_url"),
])
def test_a_refused_form_answers_the_spec_error(live: LiveGateway, keys: Keys,
                                               fields: dict[str, str], status: int,
                                               code: str) -> None:
    if "api_key" in fields and hasattr(keys, fields["api_key"]):
        fields = {**fields, "api_key": getattr(keys, fields["api_key"])}
    before = live.count(Grievance)
    assert error_of(post(live, fields)) == (status, [{"code": status, "description": code}])
    assert live.count(Grievance) == before


def test_a_json_body_is_not_a_form(live: LiveGateway, keys: Keys) -> None:
    response = live.http.post("/open311/v2/requests.json", json={
        "api_key": keys.officer, "jurisdiction_id": AMRITSAR, "service_code": "garbage"})
    assert error_of(response) == (400, [{"code": 400, "description": "form_required"}])


def test_a_city_showing_nothing_lists_nothing_in_public(live: LiveGateway, keys: Keys) -> None:
    rid = post(live, {"api_key": keys.officer, "service_code": "garbage", "description": "y",
                      "attribute[locality]": "hall-bazaar"}).json()[0]["service_request_id"]
    with live.ctx.sessions() as db:
        db.get_one(Tenant, AMRITSAR).public_status = "none"
        db.commit()
    try:
        search = {"jurisdiction_id": AMRITSAR}
        assert live.http.get("/open311/v2/requests.json", params=search).json() == []
        assert read(live, rid).status_code == 404
        assert read(live, rid, api_key=keys.viewer).json()[0]["service_request_id"] == rid
        assert read(live, rid, api_key=keys.other_city).status_code == 403
    finally:
        with live.ctx.sessions() as db:
            db.get_one(Tenant, AMRITSAR).public_status = "status"
            db.commit()


@pytest.mark.parametrize(("params", "code"), [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
     "date_range_too_long"),
    ({"start_date": "yesterday"}, "invalid_start_date"),
    ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
     "end_before_start"),
    ({"status": "pending"}, "invalid_status"),
    ({"page_size": "0"}, "invalid_page_size"),
    ({"jurisdiction_id": ""}, "jurisdiction_required"),
])
def test_a_refused_search_answers_the_spec_error(live: LiveGateway, params: dict[str, str],
                                                 code: str) -> None:
    response = live.http.get("/open311/v2/requests.json",
                             params={"jurisdiction_id": AMRITSAR, **params})
    assert error_of(response) == (400, [{"code": 400, "description": code}])


def test_the_discovery_document_names_the_endpoint(live: LiveGateway) -> None:
    doc = live.http.get("/open311/discovery.json").json()
    endpoint = doc["endpoints"][0]
    assert endpoint["url"] == f"{live.base_url}/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    xml = live.http.get("/open311/discovery.xml").text
    assert "<formats><format>text/xml</format><format>application/json</format></formats>" in xml


def test_a_state_search_shows_in_public_only_cities_that_show_status(live: LiveGateway,
                                                                    keys: Keys) -> None:
    amritsar = post(live, {"api_key": keys.officer, "service_code": "garbage",
                           "description": "z", "attribute[locality]": "hall-bazaar"})
    ludhiana = live.http.post("/open311/v2/requests.json", data={
        "api_key": keys.other_city, "jurisdiction_id": "pb.ludhiana", "service_code": "water",
        "description": "no water", "attribute[locality]": "model-town"})
    assert ludhiana.status_code == 200, ludhiana.text
    ids = {r["service_request_id"] for r in live.http.get(
        "/open311/v2/requests.json", params={"jurisdiction_id": "pb"}).json()}
    assert amritsar.json()[0]["service_request_id"] in ids  # Amritsar shows status
    assert ludhiana.json()[0]["service_request_id"] not in ids  # Ludhiana shows nothing


def test_staff_read_a_standard_note_in_words(live: LiveGateway, keys: Keys) -> None:
    rid = post(live, {"api_key": keys.officer, "service_code": "garbage", "description": "d",
                      "attribute[locality]": "hall-bazaar"}).json()[0]["service_request_id"]
    resolved = live.http.post(f"/api/v1/grievances/{rid}/resolve",
                              json={"note_key": "note.duplicate"},
                              headers={"Authorization": f"Bearer {keys.officer}"})
    assert resolved.status_code == 200, resolved.text
    full = read(live, rid, api_key=keys.officer).json()[0]
    assert full["status"] == "closed"
    assert full["status_notes"] == ("This was reported already; it is handled with the "
                                    "earlier complaint.")
    assert read(live, rid).json()[0]["status_notes"] is None


def test_pages_merge_the_status_streams_in_order(live: LiveGateway, keys: Keys,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from services.open311 import requests as open311_requests

    monkeypatch.setattr(open311_requests, "CHUNK", 2)  # several chunks per stream
    for n in range(5):
        post(live, {"api_key": keys.officer, "service_code": "water", "description": f"p{n}",
                    "attribute[locality]": "ranjit-avenue"})
    search = {"jurisdiction_id": AMRITSAR, "service_code": "water,garbage",
              "status": "open,closed"}
    everything = live.http.get("/open311/v2/requests.json", params=search).json()
    ids = [r["service_request_id"] for r in everything]
    times = [(r["requested_datetime"], r["service_request_id"]) for r in everything]
    assert times == sorted(times, reverse=True) and len(ids) == len(set(ids)) >= 7
    paged = []
    for page in (1, 2, 3):
        paged += [r["service_request_id"] for r in live.http.get(
            "/open311/v2/requests.json",
            params={**search, "page_size": "3", "page": str(page)}).json()]
    assert paged == ids[:9]


def test_an_api_key_in_the_query_never_reaches_the_access_log() -> None:
    from services.web.access_log import redact

    line = ('127.0.0.1:5000 - "GET /open311/v2/requests.json?jurisdiction_id=pb.amritsar'
            '&api_key=nsk_0123456789ab_SECRET HTTP/1.1" 200')
    assert redact(line) == '127.0.0.1:5000 - "GET /open311/v2/requests.json HTTP/1.1" 200'
