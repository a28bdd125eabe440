"""A fake DIGIT/UPYOG built from the platform's published contracts, for tests and the demo.

It speaks PGR v2 (`_create`, `_search`, `_update`, `_count` and the workflow APPLY, ASSIGN,
REASSIGN, REJECT, RESOLVE, REOPEN, RATE), the file store, billing-service `_fetchbill` (201,
`ResposneInfo`), collection-services `payments/_create|_search`, and the user service's OTP
login. Tokens are checked on every call; a citizen sees only their own requests.

Knobs and inspection live under `/_fake/` (never in the real platform): `down` (every call
answers 503), `fail_creates` (the next n creates answer 503 before acting), `lose_answers`
(the next n creates and payments are stored, then answered 504 as a timed-out gateway would),
`otp/{mobile}` (the code "texted"), `act` (a change made by the platform's own staff).
Run it alone with `python -m services.connectors.fakes.digit --port 8311`; the system user is
`CONNECTOR` / `connector-pass` unless FAKE_DIGIT_PASSWORD says otherwise.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.connectors.fakes.outage import install_outage
from services.connectors.fakes.serve import run

SYSTEM_USER = "CONNECTOR"
MOVES: dict[str, tuple[set[str | None], str]] = {
    "APPLY": ({None}, "PENDINGFORASSIGNMENT"),
    "ASSIGN": ({"PENDINGFORASSIGNMENT", "PENDINGFORREASSIGNMENT"}, "PENDINGATLME"),
    "REASSIGN": ({"PENDINGATLME"}, "PENDINGFORREASSIGNMENT"),
    "REJECT": ({"PENDINGFORASSIGNMENT", "PENDINGFORREASSIGNMENT"}, "REJECTED"),
    "RESOLVE": ({"PENDINGATLME"}, "RESOLVED"),
    "REOPEN": ({"RESOLVED", "REJECTED"}, "PENDINGFORASSIGNMENT"),
    "RATE": ({"RESOLVED", "REJECTED"}, "CLOSED"),
}
"""The PGR workflow: action -> (statuses it starts from, where it leads)."""
CITIZEN_ACTIONS = frozenset({"APPLY", "REOPEN", "RATE"})


def now_ms() -> int:
    """The platform's clock, epoch milliseconds."""
    return int(time.time() * 1000)


def errors(status: int, code: str, message: str) -> JSONResponse:
    """The platform's error shape."""
    return JSONResponse({"ResponseInfo": None, "Errors": [
        {"code": code, "message": message, "description": message, "params": None}]},
        status_code=status)


class FakeDigit:
    """The platform's state (one process, many tenants)."""

    def __init__(self, password: str = "connector-pass") -> None:  # noqa: S107  (a fake's)
        self.password = password
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Empty: no requests, files, payments, codes or logins; demo bills; no knobs."""
        self.services: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.payments: list[dict[str, Any]] = []
        self.otps: dict[str, str] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.counter = 0
        self.receipts = 0
        self.knobs: dict[str, Any] = {"down": False, "fail_creates": 0, "lose_answers": 0}
        self.calls: dict[str, int] = {}
        self.bills: list[dict[str, Any]] = [
            self.bill("pb.amritsar", "PT", "PT-107-000123", "1500.00", [("PT_TAX", "1600.00"),
                                                                       ("PT_REBATE", "-100.00")],
                      "9812345678", "Gurpreet Kaur"),
            self.bill("pb.amritsar", "WS", "WS-107-000045", "420.50", [("WS_CHARGE", "420.50")],
                      "9812345678", "Gurpreet Kaur")]

    @staticmethod
    def bill(tenant: str, business: str, consumer: str, total: str,
             heads: list[tuple[str, str]], mobile: str, name: str) -> dict[str, Any]:
        """A bill as `_fetchbill` returns it (amounts are rupees)."""
        start = now_ms() - 90 * 86400000
        return {"id": uuid.uuid4().hex, "tenantId": tenant, "businessService": business,
                "consumerCode": consumer,
                "billNumber": f"{business}-BILL-{secrets.randbelow(10**6):06d}",
                "totalAmount": Decimal(total), "status": "ACTIVE", "mobileNumber": mobile,
                "payerName": name, "billDate": start,
                "billDetails": [{"id": uuid.uuid4().hex, "fromPeriod": start,
                                 "toPeriod": start + 365 * 86400000,
                                 "expiryDate": now_ms() + 30 * 86400000,
                                 "amount": Decimal(total),
                                 "billAccountDetails": [{"taxHeadCode": h, "amount": Decimal(a)}
                                                        for h, a in heads]}]}

    def count(self, name: str) -> None:
        """Count one call of an endpoint (tests read `/_fake/state`)."""
        self.calls[name] = self.calls.get(name, 0) + 1

    def user_of(self, body: Mapping[str, Any]) -> dict[str, Any] | None:
        """The user of the call's `RequestInfo.authToken`, None when missing or unknown."""
        info = body.get("RequestInfo") or {}
        token = info.get("authToken") if isinstance(info, Mapping) else None
        return self.tokens.get(str(token)) if token else None


def info(spelled: str = "ResponseInfo") -> dict[str, Any]:
    """The response info block."""
    return {spelled: {"apiId": "Rainmaker", "ver": ".01", "ts": now_ms(), "resMsgId": "uief87324",
                      "msgId": "", "status": "successful"}}


def jsonable(value: Any) -> Any:
    """Decimals as JSON numbers (exact text), everything else as is."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral() else int(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def make_app(fake: FakeDigit | None = None) -> FastAPI:
    """The fake's HTTP API."""
    state = fake or FakeDigit(os.environ.get("FAKE_DIGIT_PASSWORD", "connector-pass"))
    app = FastAPI(title="Fake DIGIT", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.fake = state

    install_outage(app, lambda: state.knobs, "service unavailable")

    # --- login ---------------------------------------------------------------------------

    @app.post("/user-otp/v1/_send")
    async def send_otp(request: Request) -> Any:
        body = await request.json()
        otp = body.get("otp") or {}
        mobile = str(otp.get("mobileNumber") or "")
        if len(mobile) != 10 or not mobile.isdigit() or otp.get("type") != "login":
            return errors(400, "OTP_INVALID_REQUEST", "mobile number or type invalid")
        with state.lock:
            state.otps[mobile] = f"{secrets.randbelow(10**6):06d}"
            state.count("otp_send")
        return {"ResponseInfo": None, "isSuccessful": True}

    @app.post("/user/oauth/token")
    async def token(request: Request) -> Any:
        if not request.headers.get("authorization", "").startswith("Basic "):
            return errors(401, "INVALID_CLIENT", "client authentication required")
        form = await request.form()
        username, password = str(form.get("username") or ""), str(form.get("password") or "")
        kind = str(form.get("userType") or "").upper()
        with state.lock:
            state.count("token")
            if kind == "CITIZEN":
                if not password or state.otps.get(username) != password:
                    return JSONResponse({"error": "invalid_grant",
                                         "error_description": "Account locked or OTP wrong"},
                                        status_code=400)
                del state.otps[username]
                user = state.users.setdefault(username, {
                    "uuid": uuid.uuid4().hex, "userName": username, "mobileNumber": username,
                    "type": "CITIZEN", "tenantId": str(form.get("tenantId") or ""),
                    "roles": [{"code": "CITIZEN", "name": "Citizen"}]})
            elif username == SYSTEM_USER and password == state.password:
                user = {"uuid": "system-connector", "userName": SYSTEM_USER, "type": "EMPLOYEE",
                        "tenantId": str(form.get("tenantId") or ""),
                        "roles": [{"code": "CSR"}, {"code": "GRO"}, {"code": "EMPLOYEE"}]}
            else:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            access = uuid.uuid4().hex
            state.tokens[access] = user
        return {"access_token": access, "token_type": "bearer", "refresh_token": uuid.uuid4().hex,
                "expires_in": 604800, "scope": "read", "UserRequest": user}

    # --- file store -----------------------------------------------------------------------

    @app.post("/filestore/v1/files")
    async def upload(request: Request) -> Any:
        if request.headers.get("auth-token") not in state.tokens:
            return errors(401, "InvalidAccessTokenException", "invalid token")
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return errors(400, "EG_FILESTORE_INPUT_ERROR", "file missing")
        store_id = uuid.uuid4().hex
        with state.lock:
            state.files[store_id] = await upload.read()
        return JSONResponse({"files": [{"fileStoreId": store_id,
                                        "tenantId": str(form.get("tenantId") or "")}]},
                            status_code=201)

    # --- PGR v2 ---------------------------------------------------------------------------

    def visible(user: Mapping[str, Any], service: Mapping[str, Any]) -> bool:
        """A citizen sees their own requests; staff see all."""
        return user.get("type") != "CITIZEN" or \
            service["citizen"].get("mobileNumber") == user.get("mobileNumber")

    @app.post("/pgr-services/v2/request/_create")
    async def create(request: Request) -> Any:
        body = await request.json()
        user = state.user_of(body)
        if user is None:
            return errors(401, "InvalidAccessTokenException", "invalid token")
        service, workflow = body.get("service") or {}, body.get("workflow") or {}
        locality = ((service.get("address") or {}).get("locality") or {}).get("code")
        if not service.get("tenantId") or not service.get("serviceCode") or not locality:
            return errors(400, "INVALID_REQUEST", "tenantId, serviceCode, locality required")
        if workflow.get("action") != "APPLY":
            return errors(400, "INVALID_ACTION", "a request starts with APPLY")
        for document in workflow.get("verificationDocuments") or []:
            if document.get("fileStoreId") not in state.files:
                return errors(400, "INVALID_FILESTORE_ID", "no such file")
        citizen = (dict(service.get("citizen") or {}) if user.get("type") != "CITIZEN"
                   else {"mobileNumber": user["mobileNumber"], "uuid": user["uuid"]})
        if not citizen.get("mobileNumber"):
            return errors(400, "INVALID_CITIZEN", "citizen mobile required when staff file")
        with state.lock:
            state.count("create")
            if state.knobs["fail_creates"] > 0:
                state.knobs["fail_creates"] -= 1
                return JSONResponse({"message": "upstream timed out"}, status_code=503)
            state.counter += 1
            stamp = now_ms()
            service_id = f"PB-PGR-{time.strftime('%Y-%m-%d')}-{state.counter:06d}"
            stored = {**service, "id": uuid.uuid4().hex, "serviceRequestId": service_id,
                      "applicationStatus": "PENDINGFORASSIGNMENT", "citizen": citizen,
                      "accountId": user["uuid"], "rating": None,
                      "auditDetails": {"createdBy": user["uuid"], "createdTime": stamp,
                                       "lastModifiedBy": user["uuid"], "lastModifiedTime": stamp}}
            wrapper = {"service": stored, "workflow": {
                "action": "APPLY", "assignes": None, "comments": None,
                "verificationDocuments": workflow.get("verificationDocuments") or []}}
            state.services[service_id] = wrapper
            if state.knobs["lose_answers"] > 0:
                state.knobs["lose_answers"] -= 1
                return JSONResponse({"message": "gateway timeout"}, status_code=504)
        return JSONResponse({**info(), "ServiceWrappers": [wrapper]})

    def matches(service: Mapping[str, Any], params: Mapping[str, str]) -> bool:
        """Whether a request fits `_search` criteria."""
        tenant = params.get("tenantId", "")
        if service["tenantId"] != tenant and not service["tenantId"].startswith(tenant + "."):
            return False
        ids = [i for i in params.get("serviceRequestId", "").split(",") if i]
        checks = [
            not ids or service["serviceRequestId"] in ids,
            "mobileNumber" not in params
            or service["citizen"].get("mobileNumber") == params["mobileNumber"],
            "applicationStatus" not in params
            or service["applicationStatus"] in params["applicationStatus"].split(","),
            "serviceCode" not in params or service["serviceCode"] == params["serviceCode"],
            "locality" not in params
            or service["address"]["locality"]["code"] == params["locality"]]
        return all(checks)

    def found(request: Request, user: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Wrappers matching the query string, newest first."""
        params = dict(request.query_params)
        hits = [w for w in state.services.values()
                if matches(w["service"], params) and visible(user, w["service"])]
        hits.sort(key=lambda w: w["service"]["auditDetails"]["createdTime"], reverse=True)
        return hits

    @app.post("/pgr-services/v2/request/_search")
    async def search(request: Request) -> Any:
        user = state.user_of(await request.json())
        if user is None:
            return errors(401, "InvalidAccessTokenException", "invalid token")
        if not request.query_params.get("tenantId"):
            return errors(400, "INVALID_SEARCH", "tenantId is mandatory")
        state.count("search")
        offset = int(request.query_params.get("offset") or 0)
        limit = int(request.query_params.get("limit") or 100)
        return {**info(), "ServiceWrappers": found(request, user)[offset:offset + limit]}

    @app.post("/pgr-services/v2/request/_count")
    async def count(request: Request) -> Any:
        user = state.user_of(await request.json())
        if user is None:
            return errors(401, "InvalidAccessTokenException", "invalid token")
        return {**info(), "count": len(found(request, user))}

    def move(wrapper: dict[str, Any], workflow: Mapping[str, Any], user_id: str) -> str | None:
        """Apply a workflow action; an error code when PGR would refuse it."""
        action = str(workflow.get("action") or "")
        service = wrapper["service"]
        if action not in MOVES or action == "APPLY":
            return "INVALID_ACTION"
        starts, target = MOVES[action]
        if service["applicationStatus"] not in starts:
            return "INVALID_ACTION"
        if action == "RATE":
            if service.get("rating") not in (1, 2, 3, 4, 5):
                return "INVALID_RATING"
            target = ("CLOSEDAFTERRESOLUTION" if service["applicationStatus"] == "RESOLVED"
                      else "CLOSEDAFTERREJECTION")
        service["applicationStatus"] = target
        service["auditDetails"]["lastModifiedTime"] = max(
            now_ms(), service["auditDetails"]["lastModifiedTime"] + 1)
        service["auditDetails"]["lastModifiedBy"] = user_id
        wrapper["workflow"] = {"action": action, "assignes": workflow.get("assignes"),
                               "comments": workflow.get("comments"),
                               "verificationDocuments": workflow.get("verificationDocuments")}
        return None

    @app.post("/pgr-services/v2/request/_update")
    async def update(request: Request) -> Any:
        body = await request.json()
        user = state.user_of(body)
        if user is None:
            return errors(401, "InvalidAccessTokenException", "invalid token")
        service, workflow = body.get("service") or {}, body.get("workflow") or {}
        with state.lock:
            wrapper = state.services.get(str(service.get("serviceRequestId")))
            if wrapper is None or not visible(user, wrapper["service"]):
                return errors(400, "INVALID_UPDATE", "no such request")
            action = str(workflow.get("action") or "")
            citizen = user.get("type") == "CITIZEN"
            if citizen != (action in CITIZEN_ACTIONS):
                return errors(403, "UNAUTHORIZED_ACTION", "role may not take this action")
            if action == "RATE":
                wrapper["service"]["rating"] = service.get("rating")
            refused = move(wrapper, workflow, user["uuid"])
            if refused:
                return errors(400, refused, "action not allowed in this status")
            state.count("update")
        return {**info(), "ServiceWrappers": [wrapper]}

    # --- billing and collections ---------------------------------------------------------

    @app.post("/billing-service/bill/v2/_fetchbill")
    async def fetch_bill(request: Request) -> Any:
        user = state.user_of(await request.json())
        if user is None:
            return errors(401, "InvalidAccessTokenException", "invalid token")
        params = request.query_params
        if not params.get("tenantId") or not params.get("businessService") or not (
                params.get("consumerCode") or params.get("mobileNumber")):
            return errors(400, "EG_BS_FETCHBILL_ERROR",
                          "tenantId, businessService and consumerCode or mobileNumber required")
        state.count("fetchbill")
        codes = set((params.get("consumerCode") or "").split(",")) - {""}
        hits = [b for b in state.bills if b["tenantId"] == params["tenantId"]
                and b["businessService"] == params["businessService"]
                and (not codes or b["consumerCode"] in codes)
                and (not params.get("mobileNumber")
                     or b["mobileNumber"] == params["mobileNumber"])]
        return JSONResponse(jsonable({**info("ResposneInfo"), "Bill": hits}), status_code=201)

    @app.post("/collection-services/payments/_create")
    async def pay(request: Request) -> Any:
        body = await request.json()
        user = state.user_of(body)
        if user is None or user.get("type") == "CITIZEN":
            return errors(401, "InvalidAccessTokenException", "staff token required")
        payment = body.get("Payment") or {}
        details = payment.get("paymentDetails") or []
        with state.lock:
            if any(p["transactionNumber"] == payment.get("transactionNumber")
                   for p in state.payments):
                return errors(400, "DUPLICATE_TRANSACTION", "transaction number already used")
            bills = {b["id"]: b for b in state.bills}
            for detail in details:
                bill = bills.get(str(detail.get("billId")))
                if bill is None or bill["status"] != "ACTIVE":
                    return errors(400, "INVALID_BILL_ID", "bill not payable")
                if Decimal(str(detail.get("totalAmountPaid"))) != bill["totalAmount"]:
                    return errors(400, "INVALID_AMOUNT", "amount does not match the bill")
            state.count("payment")
            for detail in details:
                bills[str(detail["billId"])]["status"] = "PAID"
                state.receipts += 1
                detail["receiptNumber"] = f"PB/{detail.get('businessService')}/{state.receipts:06d}"
            stored = {**payment, "id": uuid.uuid4().hex, "paymentStatus": "NEW",
                      "paymentDetails": details}
            state.payments.append(stored)
            if state.knobs["lose_answers"] > 0:
                state.knobs["lose_answers"] -= 1
                return JSONResponse({"message": "gateway timeout"}, status_code=504)
        return {**info(), "Payments": [stored]}

    @app.post("/collection-services/payments/_search")
    async def payments(request: Request) -> Any:
        user = state.user_of(await request.json())
        if user is None:
            return errors(401, "InvalidAccessTokenException", "invalid token")
        number = request.query_params.get("transactionNumber")
        return {**info(), "Payments": [p for p in state.payments
                                       if not number or p["transactionNumber"] == number]}

    # --- the fake's own knobs ------------------------------------------------------------

    @app.post("/_fake/reset")
    async def reset() -> dict[str, str]:
        state.reset()
        return {"status": "ok"}

    @app.post("/_fake/knobs")
    async def knobs(request: Request) -> dict[str, Any]:
        state.knobs.update(await request.json())
        return dict(state.knobs)

    @app.get("/_fake/otp/{mobile}")
    async def otp(mobile: str) -> Any:
        code = state.otps.get(mobile)
        return {"otp": code} if code else JSONResponse({"otp": None}, status_code=404)

    @app.get("/_fake/state")
    async def inspect() -> Any:
        return jsonable({"services": list(state.services.values()), "payments": state.payments,
                         "files": len(state.files), "calls": state.calls,
                         "bills": state.bills})

    @app.post("/_fake/act")
    async def act(request: Request) -> Any:
        """A change made by the platform's own staff (its employee app)."""
        body = await request.json()
        with state.lock:
            wrapper = state.services.get(str(body.get("serviceRequestId")))
            if wrapper is None:
                return JSONResponse({"error": "no such request"}, status_code=404)
            refused = move(wrapper, body, "platform-employee")
        return JSONResponse({"error": refused}, status_code=400) if refused else wrapper

    return app


app = make_app()

if __name__ == "__main__":
    run(app, "A fake DIGIT/UPYOG (PGR v2, billing, collections, OTP login)")
