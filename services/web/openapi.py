"""The OpenAPI document as the app really answers: the error shape, webhook bodies and security.

FastAPI documents every 422 with its own default shape and knows nothing of what providers post
to the webhook routes, so the generated document is corrected here: one error schema
(`ApiError`) everywhere, the webhook routes with a body (form or JSON), the provider signature
schemes and the `{"error": code}` answers providers get.

`/docs` (Swagger UI) and `/redoc` (ReDoc) load their scripts from the gateway itself, from the
npm packages the install fetched (`services/web/vendor`), never from a CDN: a city's locked-down
network still sees them. Asset URLs carry the vendor version and are cached for a year.
"""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse

from services.fonts import VENDOR
from services.fonts import version as vendor_version
from services.web import openapi_rules
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
                                "(or as the password of HTTP Basic credentials); Exotel "
                                "IVR carries it in the path instead, `…/s/{secret}`, and "
                                "`?token=` is deprecated there"},
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
    openapi_rules.components(schema)
    seen: set[str] = set()
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            _operation(path, method, operation)
            openapi_rules.secure(path, method, operation)
            openapi_rules.open311(path, operation)
            openapi_rules.bodies(operation)
            if operation.get("operationId") in seen:
                operation["operationId"] = f"{operation['operationId']}_{method}"
            seen.add(operation.get("operationId", ""))
    app.openapi_schema = schema
    return schema


# The only files the docs pages load, by the name they are asked for under /docs/assets/<version>/.
DOCS_ASSETS = {
    "swagger-ui-bundle.js": ("swagger-ui-dist/swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": ("swagger-ui-dist/swagger-ui.css", "text/css"),
    "redoc.standalone.js": ("redoc/bundles/redoc.standalone.js", "text/javascript"),
}
ASSET_HEADERS = {"Cache-Control": "public, max-age=31536000, immutable",
                 "X-Content-Type-Options": "nosniff"}
ICON = "/static/icon.svg"
# The pages may load nothing from elsewhere (ReDoc's footer would fetch its logo from its CDN);
# FastAPI's page templates start the viewers with an inline script, ReDoc runs a blob worker.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'")


def _asset_url(name: str) -> str:
    """Where a docs page loads one of its files from (this gateway)."""
    return f"/docs/assets/{vendor_version()}/{name}"


def docs_asset(version: str, name: str) -> FileResponse:
    """One packaged docs file; 404 `unknown_asset` for another name or version, 503
    `docs_assets_missing` when the install's `npm ci` never ran."""
    if version != vendor_version() or name not in DOCS_ASSETS:
        raise HTTPException(404, detail={"code": "unknown_asset"})
    relative, media_type = DOCS_ASSETS[name]
    path = VENDOR / "node_modules" / relative
    if not path.is_file():
        raise HTTPException(503, detail={"code": "docs_assets_missing"})
    return FileResponse(path, media_type=f"{media_type}; charset=utf-8", headers=ASSET_HEADERS)


def install(app: FastAPI) -> None:
    """Serve the corrected document at /openapi.json, and /docs and /redoc from our own files
    (build the app with `docs_url=None, redoc_url=None` so FastAPI's CDN pages are not mounted)."""
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        """Swagger UI over /openapi.json."""
        page = get_swagger_ui_html(openapi_url="/openapi.json", title=title,
                                   swagger_js_url=_asset_url("swagger-ui-bundle.js"),
                                   swagger_css_url=_asset_url("swagger-ui.css"),
                                   swagger_favicon_url=ICON)
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        """ReDoc over /openapi.json, without web fonts from elsewhere."""
        page = get_redoc_html(openapi_url="/openapi.json", title=title,
                              redoc_js_url=_asset_url("redoc.standalone.js"),
                              redoc_favicon_url=ICON, with_google_fonts=False)
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page

    app.add_api_route("/docs/assets/{version}/{name}", docs_asset, methods=["GET"],
                      include_in_schema=False)
