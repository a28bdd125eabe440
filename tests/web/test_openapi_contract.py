"""The OpenAPI document describes what the app answers: schemathesis over every operation.

An embedded app with the demo city, a few filed grievances and a valid admin key; each
operation gets a bounded number of generated requests, and every response must be no 5xx and
match the document (status code, content type, body schema).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
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


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    """The app on a seeded SQLite file with two grievances, and an admin key for Amritsar."""
    app_settings = make_settings(tmp_path_factory.mktemp("contract"), 8000)
    prepare(app_settings)
    app = create_app(app_settings)
    ctx = app.state.ctx
    with ctx.sessions() as db:
        file(db, ctx.crypto)
        file(db, ctx.crypto, category="water", locality="ranjit-avenue")
        key = create_key(db, scope="pb.amritsar", role=Role.ADMIN, name="contract test")
        db.commit()
    yield app, key
    ctx.db_engine.dispose()


def test_every_operation_answers_as_documented(embedded: tuple[FastAPI, str]) -> None:
    app, key = embedded
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: dict[str, str] = {}
    statuses: dict[str, set[int]] = {}
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 12  # staff API, web chat, webhooks, audio, health

    for operation in operations:
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case: Case) -> None:
            """One generated request, validated against the document."""
            response = case.call_and_validate(headers={"Authorization": f"Bearer {key}"},
                                              checks=CHECKS)
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
