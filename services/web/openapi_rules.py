"""How every operation of the OpenAPI document says who may call it, and Open311's errors.

The conventions (docs/open311.md, "OpenAPI conventions"):

- A staff route depends on `StaffDep` (services/web/deps.py) and is documented with the
  `HTTPBearer` scheme (a staff or app key `nsk_…`) by FastAPI itself.
- A route with its own proof says so by its path class here: webhooks (the provider signature
  schemes, in services/web/openapi.py), the web chat after its session (`WebchatToken`),
  signed links (`SignedLink`: media, receipt PDFs and verification, UPI QR pictures, voice
  messages played to a provider), the BBPS biller API (`BbpsJwt` or `BbpsBasic`, as the
  biller is set up), Open311 (`Open311ApiKey`, optional for reading).
- Anything else is public and documented as such (`security: []`); tests/web/
  test_openapi_document.py lists the public paths, so a new route that forgets its scheme
  fails there instead of looking public by accident.
"""

from __future__ import annotations

from typing import Any

SCHEMES: dict[str, dict[str, Any]] = {
    "Open311ApiKey": {"type": "apiKey", "in": "query", "name": "api_key",
                      "description": "Open311: a staff or app API key (`nsk_…`); the form "
                                     "field `api_key` of POST requests, a query parameter "
                                     "when reading (optional: without it, public views)"},
    "BbpsJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "BBPS: the aggregator's HS256 JWT for this biller "
                               "(docs/bbps.md); or Basic, as the biller is set up"},
    "BbpsBasic": {"type": "http", "scheme": "basic",
                  "description": "BBPS: the biller's Basic credentials (docs/bbps.md)"},
    "SignedLink": {"type": "apiKey", "in": "query", "name": "sig",
                   "description": "an HMAC-signed link the gateway issued (`exp` and `sig` "
                                  "in the query), valid until `exp`"},
}
BEARER = "staff or app API key `nsk_<id>_<secret>` (docs/staff-api.md)"
SIGNED = ("/api/v1/media/", "/receipts/pdf/", "/receipts/verify/", "/payments/qr/",
          "/voice-messages/")
OPEN311_ERRORS = "#/components/schemas/ErrorItem"


def secure(path: str, method: str, operation: dict[str, Any]) -> None:
    """Give an operation its security requirement (public: an empty list)."""
    if "security" in operation:
        return
    if path.startswith("/webchat/") and path != "/webchat/session":
        operation["security"] = [{"WebchatToken": []}]
    elif path.startswith(SIGNED):
        operation["security"] = [{"SignedLink": []}]
    elif path.startswith("/bbps/"):  # the biller's own scheme, and its IP allow-list
        operation["security"] = [{"BbpsJwt": []}, {"BbpsBasic": []}]
    elif path.startswith("/open311/v2/requests"):
        operation["security"] = [{}, {"Open311ApiKey": []}]
    else:
        operation["security"] = []


def open311(path: str, operation: dict[str, Any]) -> None:
    """Open311 routes answer errors as the spec says (never FastAPI's 422); a NUL in the URL
    is refused before the route, in the API's own shape."""
    if not path.startswith("/open311/"):
        return
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)
    own = {"type": "array", "items": {"$ref": OPEN311_ERRORS}}
    bad = responses.setdefault("400", {"description": "Open311 errors"})
    content = bad.setdefault("content", {})
    content["application/json"] = {"schema": {"anyOf": [
        own, {"$ref": "#/components/schemas/ApiError"}]}}
    content.setdefault("text/xml", {"schema": {"type": "string"}})


def bodies(operation: dict[str, Any]) -> None:
    """Answers other than JSON documented without a schema (files, pages) get one: text for
    `text/*`, bytes for the rest (images, audio, PDF)."""
    for answer in operation.get("responses", {}).values():
        for media, spec in answer.get("content", {}).items():
            if spec.get("schema") is None and "json" not in media:
                spec["schema"] = ({"type": "string"} if media.startswith("text/")
                                  else {"type": "string", "format": "binary"})


def components(schema: dict[str, Any]) -> None:
    """Add the schemes and describe the staff bearer key."""
    schemes = schema["components"].setdefault("securitySchemes", {})
    schemes.update(SCHEMES)
    if "HTTPBearer" in schemes:
        schemes["HTTPBearer"]["description"] = BEARER
