"""Aggregates a city's officer (and the public, suppressed) can download: the numbers are the
ones the rows behind them give, grouped by each dimension, rolled up per state, JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.bootstrap import prepare
from services.staff.auth import Role, create_key
from services.web.app import create_app
from tests.services.grievances.helpers import LUDHIANA, add_city
from tests.services.reporting import data
from tests.services.reporting.data import START
from tests.support.gateway import make_settings
from tests.support.services import postgres_database

WINDOW = {"since": START.isoformat(), "until": (START + timedelta(days=60)).isoformat()}


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def app(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The demo city and a second one, with grievances, bills, payments and messages, on
    SQLite and on PostgreSQL (the medians and periods are computed differently there)."""
    with ExitStack() as stack:
        extra = ({} if request.param == "sqlite"
                 else {"database_url": stack.enter_context(postgres_database())})
        yield from _app(tmp_path_factory, extra)


def _app(tmp_path_factory: pytest.TempPathFactory,
         extra: dict[str, Any]) -> Iterator[FastAPI]:
    """The app with its data."""
    settings = make_settings(Path(tmp_path_factory.mktemp("reports")), 8000,
                             open_data_min_count=3, **extra)
    prepare(settings)
    application = create_app(settings)
    ctx = application.state.ctx
    with ctx.sessions() as db:
        add_city(db)
        crypto = ctx.crypto
        # garbage in Amritsar: resolved after 10, 20 and 60 hours (SLA 48), one still open
        for hours in (10, 20, 60, None):
            data.grievance(db, crypto, filed=START, resolved_after=hours)
        # water in Ranjit Avenue (ward W02), filed 20:00 UTC on 31 March = 1 April in IST
        data.grievance(db, crypto, filed=START.replace(day=31, hour=20), resolved_after=5,
                       category="water", locality="ranjit-avenue", sla_hours=36)
        for _ in range(2):
            data.grievance(db, crypto, filed=START, resolved_after=None, tenant_id=LUDHIANA)
        data.bill(db, service="property_tax", paise=1_250_050, at=START)
        data.bill(db, service="property_tax", paise=99, at=START)
        data.bill(db, service="water", paise=40_000, at=START)
        sms, web = data.account(db, "twilio-sms"), data.account(db, "webchat")
        hindi = [data.contact(db, crypto, "hi") for _ in range(3)]
        punjabi = data.contact(db, crypto, "pa")
        for who in hindi:
            data.message(db, crypto, who, sms, direction="in", at=START)
            data.message(db, crypto, who, sms, direction="in", at=START + timedelta(hours=1))
            data.message(db, crypto, who, sms, direction="out", at=START, status="delivered")
        data.message(db, crypto, punjabi, web, direction="in", at=START)
        data.message(db, crypto, punjabi, web, direction="out", at=START, status="failed")
        data.message(db, crypto, punjabi, web, direction="out", at=START, status="sent")
        data.receipt(db, service="property_tax", paise=1_250_050, method="upi", at=START,
                     contact_id=hindi[0].id)
        data.receipt(db, service="property_tax", paise=500, method="card", at=START)
        db.commit()
    yield application
    ctx.db_engine.dispose()


@pytest.fixture(scope="module")
def keys(app: FastAPI) -> dict[str, str]:
    """A viewer's key for the state, for Amritsar, and for Ludhiana."""
    with app.state.ctx.sessions() as db:
        made = {scope: create_key(db, scope=scope, role=Role.VIEWER, name=f"reports {scope}")
                for scope in ("pb", "pb.amritsar", LUDHIANA)}
        db.commit()
    return made


def report(app: FastAPI, key: str | None, dataset: str, **params: Any) -> Any:
    """GET a report; the JSON body, or the response when it is not 200."""
    path = f"/api/v1/reports/{dataset}" if key else f"/open-data/v1/{dataset}"
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = TestClient(app).get(path, params={**WINDOW, **params}, headers=headers)
    return response.json() if response.status_code == 200 else response


def test_grievances_by_category_count_resolutions_sla_and_times(app: FastAPI,
                                                                keys: dict[str, str]) -> None:
    rows = report(app, keys["pb.amritsar"], "grievances", by="category")["rows"]
    assert rows == [
        {"category": "garbage", "filed": 4, "resolved": 3, "within_sla": 2,
         "mean_resolution_hours": 30.0, "median_resolution_hours": 20.0},
        {"category": "water", "filed": 1, "resolved": 1, "within_sla": 1,
         "mean_resolution_hours": 5.0, "median_resolution_hours": 5.0}]


def test_grievances_by_ward_channel_and_period_in_india_time(app: FastAPI,
                                                             keys: dict[str, str]) -> None:
    key = keys["pb.amritsar"]
    by_ward = report(app, key, "grievances", by="ward")["rows"]
    assert [(r["ward"], r["filed"]) for r in by_ward] == [("W01", 4), ("W02", 1)]
    by_month = report(app, key, "grievances", by=["period", "channel"])["rows"]
    assert [(r["period"], r["channel"], r["filed"]) for r in by_month] == [
        ("2026-03", "sms", 4), ("2026-04", "sms", 1)]
    by_day = report(app, key, "grievances", by="period", period="day")["rows"]
    assert [r["period"] for r in by_day] == ["2026-03-02", "2026-04-01"]


def test_a_state_rolls_up_its_cities(app: FastAPI, keys: dict[str, str]) -> None:
    total = report(app, keys["pb"], "grievances")["rows"]
    assert [(r["filed"], r["resolved"]) for r in total] == [(7, 4)]
    per_city = report(app, keys["pb"], "grievances", tenant="pb", by="tenant")["rows"]
    assert [(r["tenant"], r["filed"]) for r in per_city] == [("pb.amritsar", 5),
                                                             (LUDHIANA, 2)]


def test_a_key_reports_only_on_its_scope(app: FastAPI, keys: dict[str, str]) -> None:
    assert report(app, keys[LUDHIANA], "grievances", tenant="pb.amritsar").status_code == 403
    assert report(app, keys[LUDHIANA], "grievances", tenant="pb").status_code == 403
    mine = report(app, keys[LUDHIANA], "grievances")["rows"]
    assert [r["filed"] for r in mine] == [2]
    assert report(app, None, "grievances", tenant="pb.nowhere").status_code == 404
    response = TestClient(app).get("/api/v1/reports/grievances")
    assert response.status_code == 401


def test_bills_and_collections_in_paise(app: FastAPI, keys: dict[str, str]) -> None:
    key = keys["pb.amritsar"]
    bills = report(app, key, "bills", by="service")["rows"]
    assert bills == [{"service": "property_tax", "issued": 2, "amount_paise": 1_250_149},
                     {"service": "water", "issued": 1, "amount_paise": 40_000}]
    paid = report(app, key, "collections", by=["mode", "channel"])["rows"]
    assert paid == [
        {"mode": "card", "channel": "other", "payments": 1, "amount_paise": 500},
        {"mode": "upi", "channel": "twilio-sms", "payments": 1, "amount_paise": 1_250_050}]


def test_notifications_and_conversations_by_channel(app: FastAPI,
                                                    keys: dict[str, str]) -> None:
    key = keys["pb.amritsar"]
    sent = report(app, key, "notifications", by="channel")["rows"]
    assert sent == [
        {"channel": "twilio-sms", "messages": 3, "sent": 3, "delivered": 3, "failed": 0},
        {"channel": "webchat", "messages": 2, "sent": 1, "delivered": 0, "failed": 1}]
    talks = report(app, key, "conversations", by=["channel", "language"])["rows"]
    assert talks == [
        {"channel": "twilio-sms", "language": "hi", "conversations": 3, "messages": 6},
        {"channel": "webchat", "language": "pa", "conversations": 1, "messages": 1}]


def test_open_data_suppresses_small_cells(app: FastAPI) -> None:
    body = report(app, None, "grievances", tenant="pb.amritsar", by="category")
    assert body["min_count"] == 3
    garbage, water = body["rows"]
    assert garbage == {"category": "garbage", "filed": 4, "resolved": 3, "within_sla": None,
                       "mean_resolution_hours": 30.0, "median_resolution_hours": 20.0,
                       "suppressed": ["within_sla"]}
    # one grievance: nothing of it is told, not even that it was resolved
    assert water == {"category": "water", "filed": None, "resolved": None,
                     "within_sla": None, "mean_resolution_hours": None,
                     "median_resolution_hours": None,
                     "suppressed": ["filed", "resolved", "within_sla",
                                    "mean_resolution_hours", "median_resolution_hours"]}
    talks = report(app, None, "conversations", tenant="pb.amritsar", by="language")["rows"]
    assert [(r["language"], r["conversations"], r["messages"]) for r in talks] == [
        ("hi", 3, 6), ("pa", None, None)]
    paid = report(app, None, "collections", tenant="pb.amritsar")["rows"]
    assert paid[0]["payments"] is None and paid[0]["amount_paise"] is None


def test_csv_has_a_header_and_a_line_per_group(app: FastAPI, keys: dict[str, str]) -> None:
    response = TestClient(app).get("/open-data/v1/grievances", params={
        **WINDOW, "tenant": "pb.amritsar", "by": "category", "format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0] == ["category", "filed", "resolved", "within_sla",
                        "mean_resolution_hours", "median_resolution_hours", "suppressed"]
    assert lines[1] == ["garbage", "4", "3", "", "30.0", "20.0", "within_sla"]
    assert lines[2][:2] == ["water", ""]
    staff = TestClient(app).get("/api/v1/reports/bills", params={
        **WINDOW, "by": "service", "format": "csv"},
        headers={"Authorization": f"Bearer {keys['pb.amritsar']}"})
    assert list(csv.reader(io.StringIO(staff.text)))[1:] == [
        ["property_tax", "2", "1250149"], ["water", "1", "40000"]]


@pytest.mark.parametrize(("params", "code"), [
    ({"by": "colour"}, "invalid_dimension"),
    ({"by": ["category", "ward", "channel", "period"]}, "invalid_dimension"),
    ({"since": "2026-05-01T00:00:00Z", "until": "2026-04-01T00:00:00Z"}, "invalid_window"),
    ({"since": "1900-01-01T00:00:00Z"}, "out_of_range"),
    ({"period": "fortnight"}, "invalid_request"),
])
def test_a_bad_report_request_is_a_422_with_a_code(app: FastAPI, params: dict[str, Any],
                                                   code: str) -> None:
    response = report(app, None, "grievances", tenant="pb.amritsar", **params)
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == code
