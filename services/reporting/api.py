"""The reporting API: `/api/v1/reports/{dataset}` for staff (any role, within the key's
scope) and `/open-data/v1/{dataset}` for anyone, with small cells suppressed.

A city (`pb.amritsar`) or a state (`pb`, rolled up over its cities; group `by=tenant` for a
line per city). `by` names up to three dimensions of the data set, `period` the length of the
`period` dimension (IST), `since`/`until` the window (default: the last 365 days), `format`
JSON or CSV. Errors: 401/403 as the staff API, 404 `not_found` (no such tenant), 422
`invalid_dimension`, `invalid_window`, `out_of_range` or `invalid_request`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.db.base import utcnow
from services.reporting.datasets import DATASETS, Row
from services.reporting.output import as_csv
from services.reporting.query import ReportQuery
from services.reporting.sql import Period
from services.reporting.suppress import suppressed
from services.tenancy.models import Tenant
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES, ApiError

router = APIRouter(tags=["reporting"])
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
DEFAULT_WINDOW = timedelta(days=365)
MAX_DIMENSIONS = 3
DatasetName = StrEnum("DatasetName", {name.upper(): name for name in DATASETS})  # type: ignore[misc]


class ReportFormat(StrEnum):
    """What the report is answered as."""

    JSON = "json"
    CSV = "csv"


Cell = str | int | float | list[str] | None


class ReportOut(BaseModel):
    """A report: what was asked, and one row per group (dimensions, then measures; on open
    data, `suppressed` names the cells withheld in that row)."""

    dataset: str
    scope: str
    since: datetime
    until: datetime
    period: Period
    by: list[str]
    min_count: int | None
    """The suppression threshold (open data), None for staff reports."""
    rows: list[dict[str, Cell]]


CSV_DOC: dict[int | str, dict[str, Any]] = {200: {
    "description": "the report (JSON, or CSV with `format=csv`)",
    "content": {"text/csv": {"schema": {"type": "string"}}}}}
Since = Annotated[datetime | None, Query(description="from (inclusive); default a year ago")]
Until = Annotated[datetime | None, Query(description="to (exclusive); default now")]
By = Annotated[list[str] | None, Query(description="dimensions to group by (up to 3)")]


def _error(status: int, code: str) -> HTTPException:
    """An API error with a code."""
    return HTTPException(status, detail={"code": code})


def _bound(name: str, value: datetime | None) -> datetime | None:
    """A window bound in UTC, 422 `out_of_range` outside 2000-2199."""
    if value is None:
        return None
    try:
        moment = value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        raise HTTPException(422, detail={"code": "out_of_range", "fields": [
            {"loc": ["query", name], "type": "datetime_out_of_range"}]})
    return moment


def _query(dataset: str, scope: str, by: list[str] | None, period: Period,
           since: datetime | None, until: datetime | None) -> ReportQuery:
    """The query asked for; 422 for a dimension the data set lacks or an empty window."""
    chosen = tuple(dict.fromkeys(by or ()))
    if len(chosen) > MAX_DIMENSIONS or any(d not in DATASETS[dataset].dimensions
                                           for d in chosen):
        raise _error(422, "invalid_dimension")
    end = _bound("until", until) or utcnow()
    start = _bound("since", since) or max(end - DEFAULT_WINDOW, EARLIEST)
    if start >= end:
        raise _error(422, "invalid_window")
    return ReportQuery(scope=scope, since=start, until=end, by=chosen, period=period)


def _answer(dataset: str, query: ReportQuery, rows: list[Row], fmt: ReportFormat,
            min_count: int | None) -> Response:
    """The report in the asked format."""
    spec = DATASETS[dataset]
    if fmt is ReportFormat.CSV:
        columns = [*query.by, *spec.columns, *(["suppressed"] if min_count else [])]
        return as_csv(columns, rows, f"{dataset}-{query.scope}.csv")
    out = ReportOut(dataset=dataset, scope=query.scope, since=query.since, until=query.until,
                    period=query.period, by=list(query.by), min_count=min_count, rows=rows)
    return JSONResponse(out.model_dump(mode="json"))


def _tenant(db: Session, tenant_id: str) -> None:
    """404 `not_found` unless the tenant exists."""
    if db.get(Tenant, tenant_id) is None:
        raise _error(404, "not_found")


@router.get("/api/v1/reports/{dataset}", response_model=ReportOut,
            responses={**API_RESPONSES, **CSV_DOC})
def staff_report(
    dataset: DatasetName, db: DbDep, staff: StaffDep,
    tenant: Annotated[str | None, Query(max_length=64, description=(
        "a city or state within your scope; default your key's scope"))] = None,
    by: By = None, period: Period = Period.MONTH, since: Since = None, until: Until = None,
    format: ReportFormat = ReportFormat.JSON,
) -> Response:
    """Aggregates of your scope, every count as it is (nothing suppressed)."""
    scope = tenant or staff.scope
    if not staff.covers(scope):
        raise _error(403, "forbidden_tenant")
    _tenant(db, scope)
    query = _query(dataset.value, scope, by, period, since, until)
    return _answer(dataset.value, query, DATASETS[dataset.value].run(db, query), format, None)


@router.get("/open-data/v1/{dataset}", response_model=ReportOut,
            responses={404: {"model": ApiError, "description": "`not_found`: no such tenant"},
                       **CSV_DOC})
def open_data(
    dataset: DatasetName, ctx: CtxDep, db: DbDep,
    tenant: Annotated[str, Query(max_length=64, description="a city or a state")],
    by: By = None, period: Period = Period.MONTH, since: Since = None, until: Until = None,
    format: ReportFormat = ReportFormat.JSON,
) -> Response:
    """Open data: the same aggregates with no personal data, counts below the threshold
    (`NAGARSETU_OPEN_DATA_MIN_COUNT`, default 5) suppressed."""
    _tenant(db, tenant)
    query = _query(dataset.value, tenant, by, period, since, until)
    spec = DATASETS[dataset.value]
    threshold = ctx.settings.open_data_min_count
    rows = suppressed(spec, spec.run(db, query), threshold)
    return _answer(dataset.value, query, rows, format, threshold)
