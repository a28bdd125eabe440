"""The Open311 GeoReport v2 routes (`/open311/v2/…`, and the discovery document).

`jurisdiction_id` is a tenant id (`pb.amritsar`; a state, `pb`, searches all its cities).
`api_key` is a staff API key (`nsk_…`, docs/staff-api.md), of a member or an app key of its own:
an officer's or admin's key covering the city files requests; any key covering it reads
requests in full. Errors answer the spec's list of `{code, description}` (docs/open311.md).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from services.context import AppContext
from services.grievances.registry import GrievanceView, InvalidReference
from services.open311 import catalog, tokens
from services.open311.create import report
from services.open311.formats import Format, answer
from services.open311.query import search_of
from services.open311.requests import by_ids, request_view, search
from services.open311.route import Open311Error, Open311Route
from services.open311.schemas import (
    Created,
    Discovery,
    ServiceDefinition,
    ServiceRequest,
    TokenAnswer,
    errors,
    ok,
)
from services.open311.schemas import Service as ServiceModel
from services.staff.auth import Principal, authenticate
from services.tenancy.models import Tenant
from services.tenancy.privacy import PublicStatus, public_status
from services.web.deps import CtxDep, DbDep

log = logging.getLogger(__name__)
router = APIRouter(prefix="/open311", tags=["open311"], route_class=Open311Route)
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-03T00:00:00Z"
MAX_IDS = 100
"""Service request ids one search may name."""
Jurisdiction = Annotated[str | None, Query(max_length=64, description="a tenant id")]
ApiKey = Annotated[str | None, Query(max_length=200, description="a staff or app API key")]
FORM = {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
    "schema": {"type": "object", "required": ["service_code"], "properties": {
        name: {"type": "string"} for name in (
            "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string",
            "address_id", "email", "device_id", "account_id", "first_name", "last_name",
            "phone", "description", "media_url", "attribute[locality]",
            "attribute[landmark]")}}}}},
    "security": [{"Open311ApiKey": []}]}


def _tenant(db: Session, jurisdiction_id: str | None) -> Tenant:
    """The tenant a jurisdiction names; 400 `jurisdiction_required`, 404 otherwise."""
    if not jurisdiction_id:
        raise Open311Error(400, "jurisdiction_required")
    tenant = db.get(Tenant, jurisdiction_id.strip())
    if tenant is None:
        raise Open311Error(404, "unknown_jurisdiction")
    return tenant


def _key(db: Session, api_key: str | None, tenant: Tenant) -> Principal | None:
    """The key's principal (None without a key); 403 for an unknown key or another city's."""
    if not api_key:
        return None
    principal = authenticate(db, api_key)
    if principal is None:
        raise Open311Error(403, "invalid_api_key")
    if not principal.covers(tenant.id):
        raise Open311Error(403, "forbidden_tenant")
    return principal


def _views(db: Session, tenant: Tenant, views: list[GrievanceView],
           staff: Principal | None) -> list[dict[str, Any]]:
    """Requests as the caller may see them: in public, only those of cities that show their
    status (each city's own choice, also when a state is searched)."""
    owners: dict[str, tuple[Tenant, bool]] = {}
    out = []
    for view in views:
        if view.tenant_id not in owners:
            owner = db.get_one(Tenant, view.tenant_id)
            owners[view.tenant_id] = (owner, staff is not None
                                      or public_status(db, owner) is not PublicStatus.NONE)
        owner, shown = owners[view.tenant_id]
        if shown:
            out.append(request_view(view, catalog.name_in(owner.names, "en"), staff is not None,
                                    owner.default_language))
    return out


@router.get("/discovery.{fmt}", responses={**ok(Discovery, "the discovery document"),
                                           **errors(400)})
def discovery(fmt: Format, ctx: CtxDep) -> Response:
    """Service discovery: where the GeoReport v2 endpoint is and which formats it speaks."""
    base = ctx.settings.public_base_url.rstrip("/")
    doc = {"changeset": CHANGESET, "contact": f"{base}/docs", "key_service": f"{base}/docs",
           "endpoints": [{"specification": SPEC, "url": f"{base}/open311/v2",
                          "changeset": CHANGESET, "type": "production",
                          "formats": ["text/xml", "application/json"]}]}
    return answer(fmt, doc, root="discovery")


@router.get("/v2/services.{fmt}", responses={**ok(list[ServiceModel], "the services"),
                                             **errors(400, 404)})
def list_services(fmt: Format, db: DbDep, jurisdiction_id: Jurisdiction = None) -> Response:
    """GET services: the city's active grievance categories."""
    tenant = _tenant(db, jurisdiction_id)
    return answer(fmt, catalog.services(db, tenant), root="services", item="service")


@router.get("/v2/services/{service_code}.{fmt}",
            responses={**ok(ServiceDefinition, "the service's attributes"), **errors(400, 404)})
def service_definition(service_code: str, fmt: Format, db: DbDep,
                       jurisdiction_id: Jurisdiction = None) -> Response:
    """GET a service definition: the attributes a report of it may carry."""
    tenant = _tenant(db, jurisdiction_id)
    row = next((c for c in catalog.active_categories(db, tenant.id)
                if c.code == service_code), None)
    if row is None:
        raise Open311Error(404, "unknown_service_code")
    return answer(fmt, catalog.definition(db, tenant, row), root="service_definition")


def _file(ctx: AppContext, db: Session, fmt: Format, form: dict[str, str]) -> Response:
    """File the report a form describes, in one transaction."""
    tenant = _tenant(db, form.get("jurisdiction_id"))
    staff = _key(db, form.get("api_key"), tenant)
    if staff is None:
        raise Open311Error(403, "invalid_api_key")
    if not staff.can_act():
        raise Open311Error(403, "forbidden_role")
    found = report(db, tenant, form)
    registry = ctx.grievances(db, tenant.id)
    try:
        view = registry.file(tenant_id=tenant.id, category_id=found.category.id,
                             locality_id=found.locality.id, description=found.description,
                             contact_id=None, account_id=None, channel="open311",
                             actor=staff.actor, evidence=found.evidence or None)
    except InvalidReference:
        db.rollback()
        raise Open311Error(400, "invalid_reference") from None
    db.commit()
    log.info("open311: %s filed by key %s", view.id, staff.key_id)
    created = {"service_request_id": view.id, "token": tokens.issue(ctx.crypto, view.id),
               "service_notice": None, "account_id": None}
    return answer(fmt, [created], root="service_requests", item="request")


@router.post("/v2/requests.{fmt}", openapi_extra=FORM,
             responses={**ok(list[Created], "filed"), **errors(400, 403, 404)})
async def create_request(fmt: Format, request: Request, ctx: CtxDep, db: DbDep) -> Response:
    """POST a service request (form-encoded, with `api_key`): filed as a grievance at once, so
    the answer carries its id (and a token)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(400, "form_required")
    try:
        raw = await request.form()
    except (AssertionError, ValueError, KeyError):  # a malformed multipart body
        raise Open311Error(400, "form_required") from None
    form: dict[str, str] = {}
    for key, value in raw.multi_items():
        if not isinstance(value, str):
            raise Open311Error(400, "files_not_accepted")
        if "\x00" in key or "\x00" in value:
            raise Open311Error(400, "invalid_characters")
        form[key] = value
    return await run_in_threadpool(_file, ctx, db, fmt, form)


@router.get("/v2/requests.{fmt}", responses={**ok(list[ServiceRequest], "matching requests"),
                                             **errors(400, 403, 404)})
def list_requests(
    fmt: Format, ctx: CtxDep, db: DbDep, jurisdiction_id: Jurisdiction = None,
    api_key: ApiKey = None,
    service_request_id: Annotated[str | None, Query(max_length=4000, description=(
        "ids, comma separated; overrides the other filters"))] = None,
    service_code: Annotated[str | None, Query(max_length=1000, description=(
        "service codes, comma separated"))] = None,
    start_date: Annotated[str | None, Query(max_length=40, description=(
        "requested at or after (W3C date-time)"))] = None,
    end_date: Annotated[str | None, Query(max_length=40, description=(
        "requested before (W3C date-time)"))] = None,
    status: Annotated[str | None, Query(max_length=40, description=(
        "open, closed, or both comma separated"))] = None,
    page: Annotated[str | None, Query(max_length=10, description="extension: page, from 1")
                    ] = None,
    page_size: Annotated[str | None, Query(max_length=10, description=(
        "extension: requests per page, at most 1000"))] = None,
) -> Response:
    """GET requests: newest first, by default those of the last 90 days (at most 1000)."""
    tenant = _tenant(db, jurisdiction_id)
    staff = _key(db, api_key, tenant)
    registry = ctx.grievances(db, tenant.id)
    if service_request_id:
        ids = [i.strip() for i in service_request_id.split(",") if i.strip()]
        if len(ids) > MAX_IDS:
            raise Open311Error(400, "too_many_ids")
        views = by_ids(registry, tenant.id, ids)
    else:
        views = search(registry, tenant.id, search_of(service_code, start_date, end_date,
                                                      status, page, page_size))
    return answer(fmt, _views(db, tenant, views, staff), root="service_requests",
                  item="request")


@router.get("/v2/requests/{service_request_id}.{fmt}",
            responses={**ok(list[ServiceRequest], "the request (a list of one)"),
                       **errors(400, 403, 404)})
def get_request(service_request_id: str, fmt: Format, ctx: CtxDep, db: DbDep,
                jurisdiction_id: Jurisdiction = None, api_key: ApiKey = None) -> Response:
    """GET a service request by id; 404 when the city shows nothing to the public."""
    tenant = _tenant(db, jurisdiction_id)
    staff = _key(db, api_key, tenant)
    views = _views(db, tenant, by_ids(ctx.grievances(db, tenant.id), tenant.id,
                                      [service_request_id[:40]]), staff)
    if not views:
        raise Open311Error(404, "unknown_service_request")
    return answer(fmt, views, root="service_requests", item="request")


@router.get("/v2/tokens/{token}.{fmt}",
            responses={**ok(list[TokenAnswer], "the request a token names"),
                       **errors(400, 404)})
def get_token(token: str, fmt: Format, ctx: CtxDep, db: DbDep,
              jurisdiction_id: Jurisdiction = None) -> Response:
    """GET the service request id behind a token."""
    tenant = _tenant(db, jurisdiction_id)
    public_id = tokens.read(ctx.crypto, token)
    if public_id is None or not by_ids(ctx.grievances(db, tenant.id), tenant.id, [public_id]):
        raise Open311Error(404, "unknown_token")
    return answer(fmt, [{"service_request_id": public_id, "token": token}],
                  root="service_requests", item="request")
