"""The OpenAPI document as the app really answers: the error shape, webhook bodies and security.

FastAPI documents every 422 with its own default shape and knows nothing of what providers post
to the webhook routes, so the generated document is corrected here: one error schema
(`ApiError`) everywhere, the webhook routes with a body (form or JSON), the provider signature
schemes and the `{"error": code}` answers providers get.
"""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.web.errors import ApiError, WebhookError

REF = "#/components/schemas/{model}"
WEBHOOK_SCHEMES: dict[str, dict[str, Any]] = {
    "TwilioSignature": {"type": "apiKey", "in": "header", "name": "X-Twilio-Signature",
                        "description": "Twilio's HMAC-SHA1 of the public URL and form "
                                       "(SMS, WhatsApp and Voice)"},
    "MetaSignature": {"type": "apiKey", "in": "header", "name": "X-Hub-Signature-256",
                      "description": "WhatsApp Cloud: HMAC-SHA256 of the body with the app "
                                     "secret; GET is the hub.verify_token handshake"},
    "TelegramSecret": {"type": "apiKey", "in": "header",
                       "name": "X-Telegram-Bot-Api-Secret-Token",
                       "description": "the secret_token given to setWebhook"},
    "UrlToken": {"type": "apiKey", "in": "query", "name": "token",
                 "description": "Exotel and MSG91: the account's webhook secret in the URL "
                                "(or as the password of HTTP Basic credentials)"},
    "WebchatToken": {"type": "http", "scheme": "bearer",
                     "description": "web chat: the signed visitor token of /webchat/session"},
}
PAYMENT_SCHEMES: dict[str, dict[str, Any]] = {
    "RazorpaySignature": {"type": "apiKey", "in": "header", "name": "X-Razorpay-Signature",
                          "description": "Razorpay: HMAC-SHA256 of the raw body with the "
                                         "account's webhook secret (X-Razorpay-Event-Id "
                                         "names the event; a repeat is a no-op)"},
}
PAYMENT_BODY = {"required": True, "description": "the gateway's event (JSON)",
                "content": {"application/json": {"schema": {}}}}
PAYMENT_OK = {"description": "`{\"status\": \"accepted\"}`, or `\"duplicate\"` for a "
                             "replayed event; the work is done after the answer",
              "content": {"application/json": {"schema": {}}}}
WEBHOOK_BODY = {
    "required": False,
    "description": "the provider's own wire format",
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {"type": "object", "additionalProperties": {"type": "string"}}},
        "application/json": {"schema": {}},
    },
}
WEBHOOK_OK = {"description": "accepted: the provider's expected answer (TwiML, JSON or empty)",
              "content": {"*/*": {"schema": {}}}}


def _error(model: type[Any], description: str) -> dict[str, Any]:
    """A documented error response with a JSON body of the model."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}}


WEBHOOK_ERRORS = {
    "400": _error(WebhookError, "refused: `malformed_payload`, `json_too_deep`, "
                                "`invalid_event_id`, `text_too_long` and other bounds"),
    "403": _error(WebhookError, "`bad_signature`"),
    "404": _error(WebhookError, "`unknown_account` or `unknown_channel_type`"),
    "405": _error(WebhookError, "`method_not_allowed` on this channel"),
    "413": _error(WebhookError, "`payload_too_large`"),
}
WEBCHAT_ERRORS = {
    "403": _error(ApiError, "`bad_token`"),
    "404": _error(ApiError, "`unknown_account` or no web chat for the tenant"),
    "413": _error(ApiError, "`payload_too_large`"),
}


def _components(schema: dict[str, Any]) -> dict[str, Any]:
    """The document's schemas with the error models in them, FastAPI's own 422 models gone."""
    schemas: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ApiError, WebhookError):
        found = model.model_json_schema(ref_template=REF)
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return schemas


def _operation(path: str, method: str, operation: dict[str, Any]) -> None:
    """Correct one operation's documented answers (and, for webhooks, body and security)."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "422" in responses:
        responses["422"] = _error(ApiError, "`invalid_request` with the offending `fields`")
    if path.startswith("/webhooks/") and "{channel_type}" not in path:  # a payment gateway
        responses["200"] = PAYMENT_OK
        responses.update({k: v for k, v in WEBHOOK_ERRORS.items() if k != "405"})
        responses["400"] = _error(WebhookError, "`malformed` or `missing_event_id`")
        responses["403"] = _error(WebhookError, "`forged_signature`")
        responses["404"] = _error(WebhookError, "`unknown_account`")
        operation["security"] = [{name: []} for name in PAYMENT_SCHEMES]
        operation["requestBody"] = PAYMENT_BODY
    elif path.startswith("/webhooks/"):
        responses["200"] = WEBHOOK_OK
        responses.update(WEBHOOK_ERRORS)
        operation["security"] = [{name: []} for name in WEBHOOK_SCHEMES]
        if method == "post":
            operation["requestBody"] = WEBHOOK_BODY
    elif path.startswith("/webchat/"):
        responses.update(WEBCHAT_ERRORS)
    elif method in ("post", "put", "patch") and "413" not in responses:
        responses["413"] = _error(ApiError, "`payload_too_large`")
    if "400" not in responses:
        responses["400"] = _error(ApiError, "`invalid_characters`: a NUL in the request")
    else:
        responses["400"]["description"] += "; `invalid_characters`: a NUL in the request"


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, built once and kept on the app."""
    if app.openapi_schema:
        return app.openapi_schema
    with warnings.catch_warnings():  # a GET+POST route has one id; made unique below
        warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
    _components(schema)
    schema["components"].setdefault("securitySchemes", {}).update(
        {**WEBHOOK_SCHEMES, **PAYMENT_SCHEMES})
    seen: set[str] = set()
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            _operation(path, method, operation)
            if operation.get("operationId") in seen:
                operation["operationId"] = f"{operation['operationId']}_{method}"
            seen.add(operation.get("operationId", ""))
    app.openapi_schema = schema
    return schema


def install(app: FastAPI) -> None:
    """Serve the corrected document at /openapi.json (and so on /docs)."""
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
