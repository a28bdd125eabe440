"""Every route is in the OpenAPI document with who may call it, and Open311 and the reports
with their formats and error shapes (the conventions of services/web/openapi_rules.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute

from tests.support.gateway import LiveGateway

PUBLIC = {
    "/webchat/session", "/audio/{language}/{clip}.wav", "/receipts/keys/{tenant_id}",
    "/open311/discovery.{fmt}", "/open311/v2/services.{fmt}",
    "/open311/v2/services/{service_code}.{fmt}", "/open311/v2/tokens/{token}.{fmt}",
    "/open-data/v1/{dataset}", "/healthz",
}
"""The only operations anyone may call without a key, a signature or a signed link."""
NOT_DOCUMENTED = {"/openapi.json", "/docs", "/redoc", "/docs/assets/{version}/{name}"}


@pytest.fixture
def document(gateway: LiveGateway) -> dict[str, Any]:
    """The served document."""
    result: dict[str, Any] = gateway.http.get("/openapi.json").json()
    return result


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of the whole document."""
    return [(path, method, op) for path, item in document["paths"].items()
            for method, op in item.items()]


def test_every_route_of_the_api_is_documented(gateway: LiveGateway,
                                              document: dict[str, Any]) -> None:
    served = {(route.path, method.lower()) for route in gateway.app.routes
              if isinstance(route, APIRoute) and route.include_in_schema
              for method in route.methods or () if method != "HEAD"}
    documented = {(path, method) for path, method, _ in operations(document)}
    assert served - documented == set()
    assert not {path for path, _ in documented} & NOT_DOCUMENTED


def test_every_operation_names_its_security(document: dict[str, Any]) -> None:
    schemes = set(document["components"]["securitySchemes"])
    public = set()
    for path, method, op in operations(document):
        assert "security" in op, (method, path)
        for requirement in op["security"]:
            assert set(requirement) <= schemes, (method, path, requirement)
        if op["security"] == [] or {} in op["security"]:
            public.add(path)
    # Open311 searches and reads answer the public view without a key
    assert public - PUBLIC == {"/open311/v2/requests.{fmt}",
                               "/open311/v2/requests/{service_request_id}.{fmt}"}
    staff = document["paths"]["/api/v1/reports/{dataset}"]["get"]
    assert staff["security"] == [{"HTTPBearer": []}]
    assert "nsk_" in document["components"]["securitySchemes"]["HTTPBearer"]["description"]
    assert document["paths"]["/webchat/{account_id}/messages"]["get"]["security"] == [
        {"WebchatToken": []}]
    assert document["paths"]["/api/v1/media/{media_id}"]["get"]["security"] == [
        {"SignedLink": []}]
    assert document["paths"]["/payments/qr/{attempt_id}.png"]["get"]["security"] == [
        {"SignedLink": []}]
    assert document["paths"]["/bbps/{biller_id}/bills/fetch"]["post"]["security"] == [
        {"BbpsJwt": []}, {"BbpsBasic": []}]


def test_open311_answers_json_and_xml_with_the_spec_errors(document: dict[str, Any]) -> None:
    errors = {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}}
    for path, _, op in operations(document):
        if not path.startswith("/open311/"):
            continue
        assert set(op["responses"]["200"]["content"]) == {"application/json", "text/xml"}
        assert "422" not in op["responses"], path
        for status, answer in op["responses"].items():
            if status in ("400", "403", "404"):
                schema = {k: v for k, v in answer["content"]["application/json"]["schema"]
                          .items() if k != "title"}
                assert schema == errors or errors in schema.get("anyOf", []), (path, status)
    post = document["paths"]["/open311/v2/requests.{fmt}"]["post"]
    form = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert {"api_key", "service_code", "lat", "long", "address_string",
            "attribute[locality]"} <= set(form["properties"])
    assert post["security"] == [{"Open311ApiKey": []}]
    fmt = next(p for p in post["parameters"] if p["name"] == "fmt")
    assert fmt["in"] == "path"


def test_reports_answer_json_or_csv(document: dict[str, Any]) -> None:
    for path in ("/api/v1/reports/{dataset}", "/open-data/v1/{dataset}"):
        op = document["paths"][path]["get"]
        assert set(op["responses"]["200"]["content"]) == {"application/json", "text/csv"}
        dataset = next(p for p in op["parameters"] if p["name"] == "dataset")
        assert dataset["schema"]["$ref"].endswith("/DatasetName")
    names = document["components"]["schemas"]["DatasetName"]["enum"]
    assert names == ["grievances", "bills", "collections", "notifications", "conversations"]


def test_every_answer_has_a_schema(document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        for status, answer in op["responses"].items():
            for media, spec in answer.get("content", {}).items():
                assert spec.get("schema") is not None, (method, path, status, media)
    pdf = document["paths"]["/receipts/pdf/{receipt_id}"]["get"]["responses"]["200"]
    assert pdf["content"]["application/pdf"]["schema"] == {"type": "string",
                                                            "format": "binary"}
    session = document["paths"]["/webchat/session"]["post"]["responses"]["200"]
    assert session["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SessionOut"}
