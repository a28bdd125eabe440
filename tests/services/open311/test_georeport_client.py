"""A maintained third-party Open311 client (`georeport`) against a running gateway, in JSON
and in XML: it lists the services, reads a definition, searches requests and reads one back.
The requests are made by spec-exact form POSTs (httpx)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import requests
from georeport import GeoReport  # type: ignore[import-untyped]

from services.grievances.builtin import BuiltinRegistry
from tests.services.open311.conftest import AMRITSAR, INSIDE, Keys
from tests.support.gateway import LiveGateway

FORMATS = ["json", "xml"]


def client(live: LiveGateway, fmt: str, jurisdiction: str = AMRITSAR) -> GeoReport:
    """The third-party client pointed at our endpoint."""
    return GeoReport(f"{live.base_url}/open311/v2", jurisdiction=jurisdiction,
                     output_format=fmt)


def post(live: LiveGateway, key: str, **fields: str) -> httpx.Response:
    """POST requests.json as the spec says: a form with the api_key in it."""
    form = {"api_key": key, "jurisdiction_id": AMRITSAR, **fields}
    return live.http.post("/open311/v2/requests.json", data=form)


def listed(items: Any) -> list[dict[str, Any]]:
    """xmltodict gives a single element as a dict, several as a list."""
    return items if isinstance(items, list) else [items]


@pytest.fixture(scope="module")
def filed(live: LiveGateway, keys: Keys) -> list[str]:
    """Three requests: garbage placed by a point, water by address, garbage resolved."""
    made = []
    for fields in ({"service_code": "garbage", "lat": str(INSIDE[0]), "long": str(INSIDE[1]),
                    "description": "Bin overflowing since Monday"},
                   {"service_code": "water", "address_string": "12, Hall Bazaar main road",
                    "description": "No water supply"},
                   {"service_code": "garbage", "attribute[locality]": "hall-bazaar",
                    "description": "Garbage dumped on the road"}):
        response = post(live, keys.officer, **fields)
        assert response.status_code == 200, response.text
        made.append(response.json()[0]["service_request_id"])
    with live.ctx.sessions() as db:
        BuiltinRegistry(db, live.ctx.crypto).transition(
            scope=AMRITSAR, public_id=made[2], action="resolve", actor="test",
            note="Cleared by the sanitation team")
        db.commit()
    return made


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_lists_the_city_services(live: LiveGateway, fmt: str) -> None:
    services = listed(client(live, fmt).get_service_list())
    by_code = {s["service_code"]: s for s in services}
    assert {"garbage", "water"} <= set(by_code)
    assert by_code["garbage"]["service_name"] == "Garbage not collected"
    assert str(by_code["garbage"]["metadata"]).lower() == "true"
    assert by_code["garbage"]["type"] == "realtime"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_reads_a_service_definition(live: LiveGateway, fmt: str) -> None:
    definition = client(live, fmt).get_service_definition("garbage")
    assert definition["service_code"] == "garbage"
    attributes = definition["attributes"]
    if fmt == "xml":  # <attributes><attribute>…</attribute></attributes>
        attributes = listed(attributes["attribute"])
    by_code = {a["code"]: a for a in attributes}
    assert by_code["locality"]["datatype"] == "singlevaluelist"
    assert by_code["landmark"]["datatype"] == "string"
    values = by_code["locality"]["values"]
    values = listed(values["value"]) if fmt == "xml" else values
    assert {"key": "hall-bazaar", "name": "Hall Bazaar"} in [dict(v) for v in values]
    assert by_code["locality"]["description"] == "Where is it? Please choose the area."


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_searches_and_reads_back(live: LiveGateway, filed: list[str],
                                            fmt: str) -> None:
    geo = client(live, fmt)
    everything = listed(geo.get_service_requests())
    assert {r["service_request_id"] for r in everything} >= set(filed)
    garbage = listed(geo.get_service_requests(service_code="garbage"))
    assert {r["service_request_id"] for r in garbage} >= {filed[0], filed[2]}
    assert filed[1] not in {r["service_request_id"] for r in garbage}
    closed = listed(geo.get_service_requests(status="closed"))
    assert [r["service_request_id"] for r in closed] == [filed[2]]
    two = listed(geo.get_service_requests(service_request_id=f"{filed[0]},{filed[1]}"))
    assert [r["service_request_id"] for r in two] == filed[:2]

    one = geo.get_service_request(filed[0])
    assert one["service_request_id"] == filed[0]
    assert one["service_code"] == "garbage" and one["status"] == "open"
    assert one["address"].startswith("Hall Bazaar")  # placed by the point
    assert one["requested_datetime"] and one["expected_datetime"]
    # in public: nothing the citizen wrote, no point
    assert not one["description"] and not one["lat"] and not one["long"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_jurisdiction_is_an_error_in_the_spec_format(live: LiveGateway,
                                                                fmt: str) -> None:
    with pytest.raises(requests.HTTPError) as caught:
        client(live, fmt, jurisdiction="pb.nowhere").get_service_list()
    response = caught.value.response
    assert response is not None
    assert response.status_code == 404
    if fmt == "json":
        assert response.json() == [{"code": 404, "description": "unknown_jurisdiction"}]
    else:
        assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
        assert "<errors><error><code>404</code><description>unknown_jurisdiction" \
               "</description></error></errors>" in response.text
