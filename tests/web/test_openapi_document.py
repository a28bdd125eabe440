"""The OpenAPI document names the error shape the app returns, webhook bodies and security."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.gateway import LiveGateway

API_ERROR = {"$ref": "#/components/schemas/ApiError"}
WEBHOOK_ERROR = {"$ref": "#/components/schemas/WebhookError"}


@pytest.fixture
def document(gateway: LiveGateway) -> dict[str, Any]:
    """The served document."""
    response = gateway.http.get("/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def schema_of(operation: dict[str, Any], status: str) -> Any:
    """The JSON schema documented for one response."""
    return operation["responses"][status]["content"]["application/json"]["schema"]


def test_every_422_is_the_api_error_shape(document: dict[str, Any]) -> None:
    documented = [op for item in document["paths"].values() for op in item.values()
                  if "422" in op["responses"]]
    assert len(documented) >= 7
    assert all(schema_of(op, "422") == API_ERROR for op in documented)
    assert "HTTPValidationError" not in json.dumps(document)
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["code"] and "fields" in detail["properties"]


def test_staff_api_declares_its_errors(document: dict[str, Any]) -> None:
    listing = document["paths"]["/api/v1/grievances"]["get"]
    resolve = document["paths"]["/api/v1/grievances/{public_id}/resolve"]["post"]
    for operation in (listing, resolve):
        for status in ("400", "401", "403", "404", "409", "413", "422"):
            assert schema_of(operation, status) == API_ERROR, status


def test_webhooks_have_a_body_security_and_provider_answers(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["TwilioSignature"] == {
        "type": "apiKey", "in": "header", "name": "X-Twilio-Signature",
        "description": schemes["TwilioSignature"]["description"]}
    assert {"MetaSignature", "TelegramSecret", "UrlToken", "WebchatToken"} <= set(schemes)
    paths = [p for p in document["paths"] if p.startswith("/webhooks/{channel_type}")]
    assert len(paths) == 7  # inbound, status, prompt; and with the secret in the path (Exotel)
    assert "/webhooks/{channel_type}/{account_id}/s/{secret}/prompt/{applet}" in paths
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for path in paths:
        post, get = document["paths"][path]["post"], document["paths"][path]["get"]
        assert set(post["requestBody"]["content"]) == {"application/x-www-form-urlencoded",
                                                       "application/json"}
        for operation in (post, get):
            assert {"TwilioSignature": []} in operation["security"]
            for status in ("400", "403", "404", "405", "413"):
                assert schema_of(operation, status) == WEBHOOK_ERROR, (path, status)


def test_payment_webhooks_are_json_signed_by_the_gateway(document: dict[str, Any]) -> None:
    post = document["paths"]["/webhooks/razorpay/{account_id}"]["post"]
    assert set(document["paths"]["/webhooks/razorpay/{account_id}"]) == {"post"}
    assert post["security"] == [{"RazorpaySignature": []}]
    assert set(post["requestBody"]["content"]) == {"application/json"}
    for status in ("400", "403", "404", "413"):
        assert schema_of(post, status) == WEBHOOK_ERROR, status


def test_unknown_routes_and_methods_answer_codes(gateway: LiveGateway) -> None:
    missing = gateway.http.get("/nowhere")
    assert missing.status_code == 404 and missing.json() == {"detail": {"code": "not_found"}}
    method = gateway.http.delete("/api/v1/grievances")
    assert method.status_code == 405
    assert method.json() == {"detail": {"code": "method_not_allowed"}}
    account = gateway.account("twilio-sms")
    put = gateway.http.put(account["webhook_url"])
    assert put.status_code == 405 and put.json() == {"detail": {"code": "method_not_allowed"}}


def test_malformed_json_gets_a_code(gateway: LiveGateway) -> None:
    response = gateway.http.post("/webchat/session", content=b'{"tenant": ',
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "invalid_request"
    assert response.json()["detail"]["fields"][0]["type"] == "json_invalid"
