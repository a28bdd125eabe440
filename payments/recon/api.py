"""The finance API (`/api/v1/finance/…`): imports, reconciliation, exception queues, reports.

Only keys of the `finance` role whose scope covers the tenant (the city, or its state) may
use it: 403 `forbidden_role` for any other role, `forbidden_tenant` outside the scope.
Uploads are the CSV itself as the request body (up to 20 MiB). Errors carry codes: 400
`unknown_mapping`, `invalid_mapping`, `not_utf8`, `unknown_gateway`, `invalid_range`,
`invalid_reason`; 404 `not_found`; 409 `not_open`, `already_cancelled`; 422 `note_required`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from payments.recon.bank import MappingError, import_statement, set_mapping
from payments.recon.cancellations import CancelError, cancel_receipt
from payments.recon.detect import reconcile
from payments.recon.exceptions import ExceptionError, listing, resolve
from payments.recon.export import FORMATS, csv_lines, write_xlsx
from payments.recon.gateway_reports import ReportError, days, import_csv
from payments.recon.imports import ImportReport
from payments.recon.reports import REPORTS
from payments.recon.workdays import set_holiday
from services.staff.auth import Principal
from services.web.admin import error, readable
from services.web.deps import DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1/finance", tags=["finance"], responses=API_RESPONSES)
TenantQ = Annotated[str | None, Query(max_length=64)]
NAME = Annotated[str, Query(max_length=200)]
STATUS = {"not_found": 404, "not_open": 409, "already_cancelled": 409, "note_required": 422}


def finance(db: Session, staff: Principal, tenant: str | None) -> str:
    """The tenant asked for, if the key is finance staff's covering it."""
    if not staff.is_finance():
        raise error("forbidden_role", 403)
    tenant_id = tenant or staff.scope
    readable(db, staff, tenant_id)
    return tenant_id


class ImportOut(BaseModel):
    """What an import did; `errors` are the bad rows by line."""

    import_id: str
    duplicate_file: bool
    rows_total: int
    rows_new: int
    rows_updated: int
    rows_bad: int
    errors: list[dict[str, Any]]


def _out(report: ImportReport) -> ImportOut:
    """An import report for the API (the first 1,000 bad rows)."""
    return ImportOut(import_id=report.import_id, duplicate_file=report.duplicate_file,
                     rows_total=report.rows_total, rows_new=report.rows_new,
                     rows_updated=report.rows_updated, rows_bad=report.rows_bad,
                     errors=[e.as_dict() for e in report.errors[:1000]])


@router.post("/imports/settlements")
async def upload_settlements(request: Request, db: DbDep, staff: StaffDep, tenant: TenantQ = None,
                             gateway: Annotated[str, Query(max_length=32)] = "razorpay",
                             filename: NAME = "upload.csv") -> ImportOut:
    """Import a gateway's settlement report CSV (the same file twice changes nothing)."""
    data = await request.body()
    return await _imported(db, staff, tenant, ReportError, lambda tenant_id: import_csv(
        db, tenant_id=tenant_id, gateway=gateway, data=data, filename=filename,
        actor=staff.actor))


@router.post("/imports/bank")
async def upload_bank(request: Request, db: DbDep, staff: StaffDep,
                      mapping: Annotated[str, Query(max_length=64)] = "default",
                      tenant: TenantQ = None, filename: NAME = "statement.csv") -> ImportOut:
    """Import a bank statement CSV read with a mapping (bad rows reported by line)."""
    data = await request.body()
    return await _imported(db, staff, tenant, MappingError, lambda tenant_id: import_statement(
        db, tenant_id=tenant_id, mapping_name=mapping, data=data, filename=filename,
        actor=staff.actor))


async def _imported(db: Session, staff: Principal, tenant: str | None,
                    refused: type[ReportError] | type[MappingError],
                    run: Callable[[str], ImportReport]) -> ImportOut:
    """Run one import for the finance officer's city in a worker thread and commit it; the
    import's own refusal as 400 with its code."""
    def work() -> ImportOut:
        tenant_id = finance(db, staff, tenant)
        try:
            report = run(tenant_id)
        except refused as exc:
            raise error(exc.code, 400) from None
        db.commit()
        return _out(report)

    return await run_in_threadpool(work)


class MappingIn(BaseModel):
    """A bank's column names and formats (see payments/recon/bank.py)."""

    columns: dict[Annotated[str, Field(max_length=32)], Any]


@router.put("/bank-mappings/{name}")
def put_mapping(db: DbDep, staff: StaffDep, name: str, body: MappingIn,
                tenant: TenantQ = None) -> dict[str, Any]:
    """Create or change a bank mapping of the tenant (a state's serves its cities)."""
    tenant_id = finance(db, staff, tenant)
    try:
        row = set_mapping(db, tenant_id=tenant_id, name=name[:64], columns=body.columns,
                          actor=staff.actor)
    except MappingError as exc:
        raise error(exc.code, 400) from None
    db.commit()
    return {"name": row.name, "tenant": row.tenant_id, "columns": row.columns}


class HolidayIn(BaseModel):
    """A bank holiday."""

    day: date
    name: Annotated[str, Field(max_length=100)] = ""


@router.post("/holidays")
def add_holiday(db: DbDep, staff: StaffDep, body: HolidayIn,
                tenant: TenantQ = None) -> dict[str, Any]:
    """Declare a bank holiday for the tenant (a state's holiday holds in all its cities)."""
    tenant_id = finance(db, staff, tenant)
    added = set_holiday(db, scope=tenant_id, day=body.day, name=body.name, actor=staff.actor)
    db.commit()
    return {"tenant": tenant_id, "day": body.day.isoformat(), "added": added}


class RunOut(BaseModel):
    """A reconciliation run."""

    run_id: str
    as_of: date
    overdue_before: date
    open_by_kind: dict[str, int]
    cleared: int


@router.post("/reconcile")
def run(db: DbDep, staff: StaffDep, tenant: TenantQ = None,
        as_of: date | None = None) -> RunOut:
    """Reconcile the tenant now: every exception found, those gone away cleared."""
    tenant_id = finance(db, staff, tenant)
    report = reconcile(db, tenant_id, as_of)
    db.commit()
    return RunOut(run_id=report.run_id, as_of=report.as_of,
                  overdue_before=report.overdue_before, open_by_kind=report.open_by_kind,
                  cleared=report.cleared)


class ExceptionOut(BaseModel):
    """An exception and its evidence."""

    id: str
    kind: str
    ref: str
    status: str
    bill_id: str | None
    attempt_id: str | None
    payment_ref: str | None
    settlement_id: str | None
    expected_paise: int | None
    actual_paise: int | None
    note: str | None
    resolved_by: str | None


@router.get("/exceptions")
def exceptions(db: DbDep, staff: StaffDep, tenant: TenantQ = None,
               status: Literal["open", "resolved", "cleared"] = "open",
               kind: Annotated[str | None, Query(max_length=32)] = None) -> list[ExceptionOut]:
    """The tenant's exceptions in a status (oldest first, up to 1,000)."""
    tenant_id = finance(db, staff, tenant)
    return [ExceptionOut(id=e.id, kind=e.kind, ref=e.ref_key, status=e.status,
                         bill_id=e.bill_id, attempt_id=e.attempt_id, payment_ref=e.payment_ref,
                         settlement_id=e.settlement_id, expected_paise=e.expected_paise,
                         actual_paise=e.actual_paise, note=e.note, resolved_by=e.resolved_by)
            for e in listing(db, tenant_id, status=status, kind=kind)]


class NoteIn(BaseModel):
    """Why it is resolved."""

    note: Annotated[str, Field(max_length=2000)]


@router.post("/exceptions/{exception_id}/resolve")
def resolve_one(db: DbDep, staff: StaffDep, exception_id: str,
                body: NoteIn) -> dict[str, str]:
    """Resolve an exception with a note (audited; nothing is deleted)."""
    if not staff.is_finance():
        raise error("forbidden_role", 403)
    try:
        row = resolve(db, exception_id=exception_id, scope=staff.scope, actor=staff.actor,
                      note=body.note)
    except ExceptionError as exc:
        raise error(exc.code, STATUS.get(exc.code, 400)) from None
    db.commit()
    return {"id": row.id, "status": row.status}


class CancelIn(BaseModel):
    """Why a receipt is cancelled."""

    reason: Annotated[str, Field(max_length=32)]
    note: Annotated[str, Field(max_length=2000)]


@router.post("/receipts/{number:path}/cancel")
def cancel(db: DbDep, staff: StaffDep, number: str,
           body: Annotated[CancelIn, Body()]) -> dict[str, str]:
    """Cancel a receipt (the signed receipt stays; the cancellation is audited)."""
    if not staff.is_finance():
        raise error("forbidden_role", 403)
    try:
        row = cancel_receipt(db, scope=staff.scope, number=number, reason=body.reason,
                             note=body.note, actor=staff.actor)
    except CancelError as exc:
        raise error(exc.code, STATUS.get(exc.code, 400)) from None
    db.commit()
    return {"number": number, "reason": row.reason}


@router.get("/reports/{name}")
def report(db: DbDep, staff: StaffDep, name: Literal["collections", "receipts",
                                                     "cancelled-receipts", "settlements",
                                                     "exceptions"],
           first: date, last: date | None = None, tenant: TenantQ = None,
           format: Literal["csv", "xlsx"] = "csv") -> StreamingResponse:
    """A report of the days `first`..`last` (IST) as CSV or XLSX."""
    tenant_id = finance(db, staff, tenant)
    last = last or first
    try:
        days(first, last)
    except ReportError as exc:
        raise error(exc.code, 400) from None
    table = REPORTS[name](db, tenant_id, first, last)
    filename = f"{tenant_id}-{name}-{first.isoformat()}-{last.isoformat()}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # written while the
    if format == "csv":                                               # session is open
        for line in csv_lines(table):
            spool.write(line.encode())
    else:
        write_xlsx(table, spool)
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(64 * 1024):
                yield chunk

    return StreamingResponse(chunks(), media_type=FORMATS[format], headers=headers)
