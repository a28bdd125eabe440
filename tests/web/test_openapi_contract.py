"""The OpenAPI document describes what the app answers: schemathesis over every operation.

An embedded app with the demo city, a few filed grievances and a valid admin key; each
operation gets a bounded number of generated requests, and every response must be no 5xx and
match the document (status code, content type, body schema). Every other generated request to
Open311 and the open data is steered to the demo city (its jurisdiction, a valid key, a known
service), so that generated values reach the handlers and not only the first check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from services.bootstrap import prepare
from services.staff.auth import Role, create_key
from services.web.app import create_app
from tests.services.grievances.helpers import file
from tests.support.gateway import make_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 25
CITY = "pb.amritsar"


@dataclass(frozen=True)
class Known:
    """Real identifiers of the seeded app, to steer generated requests past the first check."""

    key: str
    grievance: str
    webchat: str
    """The demo city's web chat account id."""
    visitor: str
    """A web chat visitor token for it."""


PATH_VALUES = {"tenant": CITY, "tenant_id": CITY}


def steer(case: Case[Any], known: Known, turn: int) -> dict[str, str]:
    """On every other case, put real identifiers into the generated request (the city, a
    grievance, the web chat account; for Open311 a jurisdiction, and for its POSTs a key, a
    service and a locality), keeping the generated rest; the headers to send it with."""
    path = case.operation.path
    headers = {"Authorization": f"Bearer {known.key}"}
    if path.startswith("/webchat/"):
        headers = {"Authorization": f"Bearer {known.visitor}"}
    if turn % 2 or path.startswith("/webhooks/"):
        return headers
    params = dict(case.path_parameters or {})
    for name in params:
        if name in PATH_VALUES:
            params[name] = PATH_VALUES[name]
        elif name == "public_id":
            params[name] = known.grievance
        elif name == "account_id" and path.startswith("/webchat/"):
            params[name] = known.webchat
    case.path_parameters = params
    if path.startswith(("/open311/", "/open-data/")) and (
            isinstance(case.query, dict) or case.query is None):
        name = "tenant" if path.startswith("/open-data/") else "jurisdiction_id"
        case.query = {**(case.query or {}), name: CITY}
    if path.startswith("/open311/") and case.method == "POST" and isinstance(case.body, dict):
        body = {**case.body, "api_key": known.key, "jurisdiction_id": CITY,
                "service_code": "garbage", "attribute[locality]": "hall-bazaar"}
        if turn % 4 == 0:  # a generated description alone, so that some are filed
            for name in ("lat", "long", "media_url", "address_string", "attribute[landmark]"):
                body.pop(name, None)
            body["description"] = str(body.get("description") or "")[:2000] or "fuzz"
        case.body = body
    return headers


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, Known]]:
    """The app on a seeded SQLite file with two grievances, an admin key for Amritsar and a
    web chat visitor."""
    app_settings = make_settings(tmp_path_factory.mktemp("contract"), 8000)
    prepare(app_settings)
    app = create_app(app_settings)
    ctx = app.state.ctx
    with ctx.sessions() as db:
        first = file(db, ctx.crypto)
        file(db, ctx.crypto, category="water", locality="ranjit-avenue")
        key = create_key(db, scope="pb.amritsar", role=Role.ADMIN, name="contract test")
        db.commit()
    session = TestClient(app).post("/webchat/session", json={"tenant": CITY}).json()
    yield app, Known(key, first.id, session["account"], session["token"])
    ctx.db_engine.dispose()


def test_every_operation_answers_as_documented(embedded: tuple[FastAPI, Known]) -> None:
    app, known = embedded
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: dict[str, str] = {}
    statuses: dict[str, set[int]] = {}
    turns = iter(range(10**9))
    operations = [result.ok() for result in api.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 12  # staff API, web chat, webhooks, audio, health

    for operation in operations:
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case: Case[Any]) -> None:
            """One generated request, validated against the document."""
            headers = steer(case, known, next(turns))
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        try:
            exercise()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:3000]
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    # the generated requests reached the handlers, not only the validation layer
    assert 200 in statuses["GET /api/v1/grievances"], statuses
    assert 422 in statuses["GET /api/v1/grievances"], statuses
    assert 200 in statuses["POST /webchat/session"], statuses
    for label in ("GET /open311/v2/services.{fmt}", "GET /open311/v2/requests.{fmt}",
                  "POST /open311/v2/requests.{fmt}", "GET /open-data/v1/{dataset}",
                  "GET /api/v1/reports/{dataset}", "GET /api/v1/grievances/{public_id}",
                  "GET /webchat/{account_id}/messages", "GET /api/v1/categories/{tenant}",
                  "GET /api/v1/tenants/{tenant_id}"):
        assert 200 in statuses[label], (label, statuses.get(label))
    assert 400 in statuses["POST /open311/v2/requests.{fmt}"], statuses
