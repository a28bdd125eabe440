"""DIGIT/UPYOG over HTTP: the `RequestInfo` envelope and the calls the connector makes.

Paths and shapes follow the platform's published contracts: PGR v2
(`/pgr-services/v2/request/_create|_search|_update|_count`), the file store
(`/filestore/v1/files`), billing-service `bill/v2/_fetchbill` (criteria in the query string,
answered with 201 and an info key spelled `ResposneInfo`), collection-services
`payments/_create|_search`, and the OTP login (`/user-otp/v1/_send`, `/user/oauth/token`).
Every call is JSON except the token (form) and the upload (multipart).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from services.connectors.errors import Refused
from services.connectors.http import PlatformClient, call

USER_CLIENT = "egov-user-client"
"""The OAuth client the platform's user service expects (no secret: a public client)."""


def info_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The answer's info block, under either spelling (`ResponseInfo`, `ResposneInfo`)."""
    found = body.get("ResponseInfo") or body.get("ResposneInfo")
    return found if isinstance(found, Mapping) else {}


def check_errors(body: Any) -> Any:
    """The body, unless it carries the platform's `Errors` list (refused, with its code)."""
    if isinstance(body, Mapping) and body.get("Errors"):
        first = body["Errors"][0] if isinstance(body["Errors"], list) else {}
        code = str(first.get("code") or "platform_refused") if isinstance(first, Mapping) else ""
        raise Refused("digit:" + code[:40] if code else "platform_refused")
    return body


class DigitClient(PlatformClient):
    """One tenant's DIGIT endpoints, over the process's pooled client for its base URL."""

    @property
    def state_tenant(self) -> str:
        """The state-level tenant users log in to (`pb` for `pb.amritsar`)."""
        return str(self.settings.config.get("state_tenant")
                   or self.settings.tenant_id.split(".", 1)[0])

    def request_info(self, token: str | None, user: Mapping[str, Any] | None,
                     action: str = "") -> dict[str, Any]:
        """The `RequestInfo` envelope every call carries."""
        info: dict[str, Any] = {"apiId": "Rainmaker", "ver": ".01", "action": action,
                                "ts": int(time.time() * 1000), "did": "1", "key": "",
                                "msgId": f"{int(time.time() * 1000)}|en_IN",
                                "correlationId": uuid.uuid4().hex}
        if token:
            info["authToken"] = token
        if user:
            info["userInfo"] = dict(user)
        return info

    def _post(self, path: str, body: Mapping[str, Any], *,
              params: Mapping[str, Any] | None = None) -> Any:
        """POST JSON and return the (error-checked) JSON answer; 200 and 201 are answers."""
        content = json.dumps(dict(body), default=_exact).encode()
        return check_errors(call(lambda: self.http.post(
            self.base + path, content=content, params=dict(params or {}),
            headers={"content-type": "application/json"})))

    # --- login -------------------------------------------------------------------------

    def send_otp(self, mobile: str) -> None:
        """Ask the platform to text a login OTP to a citizen's mobile (10 digits)."""
        self._post("/user-otp/v1/_send", {
            "RequestInfo": self.request_info(None, None),
            "otp": {"mobileNumber": mobile, "tenantId": self.state_tenant, "type": "login",
                    "userType": "CITIZEN"}})

    def token(self, username: str, password: str, *, user_type: str) -> dict[str, Any]:
        """The OAuth password grant (a citizen's OTP, or the system user's password)."""
        return dict(check_errors(call(lambda: self.http.post(
            self.base + "/user/oauth/token", auth=(USER_CLIENT, ""),
            data={"username": username, "password": password, "grant_type": "password",
                  "scope": "read", "tenantId": self.state_tenant, "userType": user_type}))))

    # --- grievances (PGR v2) -----------------------------------------------------------

    def pgr_create(self, auth: tuple[str, Mapping[str, Any]], service: Mapping[str, Any],
                   workflow: Mapping[str, Any]) -> dict[str, Any]:
        """File one service request; its wrapper (service and workflow) as created."""
        body = self._post("/pgr-services/v2/request/_create", {
            "RequestInfo": self.request_info(*auth, action="create"),
            "service": dict(service), "workflow": dict(workflow)})
        return _first_wrapper(body)

    def pgr_search(self, auth: tuple[str, Mapping[str, Any]],
                   criteria: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Service requests matching query-string criteria (tenantId, serviceRequestId as a
        comma list, mobileNumber, applicationStatus, serviceCode, locality, limit, offset)."""
        body = self._post("/pgr-services/v2/request/_search",
                          {"RequestInfo": self.request_info(*auth, action="search")},
                          params=criteria)
        return [dict(w) for w in body.get("ServiceWrappers") or [] if isinstance(w, Mapping)]

    def pgr_count(self, auth: tuple[str, Mapping[str, Any]], criteria: Mapping[str, Any]) -> int:
        """How many service requests match."""
        body = self._post("/pgr-services/v2/request/_count",
                          {"RequestInfo": self.request_info(*auth, action="count")},
                          params=criteria)
        return int(body.get("count") or 0)

    def pgr_update(self, auth: tuple[str, Mapping[str, Any]], service: Mapping[str, Any],
                   workflow: Mapping[str, Any]) -> dict[str, Any]:
        """Apply a workflow action to a service request (sent whole, as searched)."""
        body = self._post("/pgr-services/v2/request/_update", {
            "RequestInfo": self.request_info(*auth, action="update"),
            "service": dict(service), "workflow": dict(workflow)})
        return _first_wrapper(body)

    def upload(self, auth: tuple[str, Mapping[str, Any]], data: bytes, content_type: str,
               name: str) -> str:
        """Put a photo into the file store; its `fileStoreId`."""
        body = check_errors(call(lambda: self.http.post(
            self.base + "/filestore/v1/files", headers={"auth-token": auth[0]},
            data={"tenantId": self.state_tenant, "module": "PGR"},
            files={"file": (name, data, content_type)})))
        files = body.get("files") or []
        if not files or not files[0].get("fileStoreId"):
            raise Refused("platform_bad_answer")
        return str(files[0]["fileStoreId"])

    # --- bills and collections ---------------------------------------------------------

    def fetch_bills(self, auth: tuple[str, Mapping[str, Any]],
                    criteria: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Bills by query-string criteria (tenantId, businessService, consumerCode or
        mobileNumber); the platform answers 201 and may spell its info `ResposneInfo`."""
        body = self._post("/billing-service/bill/v2/_fetchbill",
                          {"RequestInfo": self.request_info(*auth)}, params=criteria)
        info_of(body)
        return [dict(b) for b in body.get("Bill") or [] if isinstance(b, Mapping)]

    def create_payment(self, auth: tuple[str, Mapping[str, Any]],
                       payment: Mapping[str, Any]) -> dict[str, Any]:
        """Record a payment against bills (collection-services); the payment as stored."""
        body = self._post("/collection-services/payments/_create", {
            "RequestInfo": self.request_info(*auth, action="create"), "Payment": dict(payment)})
        return _first(body, "Payments")

    def search_payments(self, auth: tuple[str, Mapping[str, Any]],
                        criteria: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Payments by query-string criteria (tenantId, transactionNumber, consumerCodes)."""
        body = self._post("/collection-services/payments/_search",
                          {"RequestInfo": self.request_info(*auth)}, params=criteria)
        return [dict(p) for p in body.get("Payments") or [] if isinstance(p, Mapping)]


def _exact(value: Any) -> str:
    """A Decimal the platform gave us (a coordinate, an amount), sent back as its exact text
    (the platform's JSON reader takes numbers written as strings)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(type(value).__name__)


def _first(body: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The first item of a list the answer must carry."""
    items: Sequence[Any] = body.get(key) or []
    if not items or not isinstance(items[0], Mapping):
        raise Refused("platform_bad_answer")
    return dict(items[0])


def _first_wrapper(body: Mapping[str, Any]) -> dict[str, Any]:
    """The first `ServiceWrappers` entry, with a `service` that has an id."""
    wrapper = _first(body, "ServiceWrappers")
    service = wrapper.get("service")
    if not isinstance(service, Mapping) or not service.get("serviceRequestId"):
        raise Refused("platform_bad_answer")
    return wrapper
