"""Service operations the flows may call, by name; each returns JSON-able data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import object_session

from i18n import parse_int
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.db.base import local_year, utcnow
from services.grievances.registry import GrievanceError, GrievanceRegistry, GrievanceView, NotFound
from services.places.locate import INDEXES
from services.tenancy.models import Tenant
from services.tenancy.privacy import PublicStatus, public_status
from services.tenancy.service import reopen_days

if TYPE_CHECKING:
    from services.context import AppContext

SKIPPED = "skip"
"""The option id a skipped rating comment arrives as."""


@dataclass(frozen=True)
class OpContext:
    """Who is asking, from where, and the registry that answers."""

    tenant: Tenant
    contact: Contact
    account: ChannelAccount
    medium: str
    registry: GrievanceRegistry
    app: AppContext | None = None
    """The application, for domains that reach beyond grievances (bills, payments)."""


class OperationError(Exception):
    """An operation failed with a code the flow can map to a message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _file(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """File a grievance from the conversation's answers."""
    view = op.registry.file(
        tenant_id=op.tenant.id, category_id=str(args["category"]),
        locality_id=str(args["locality"]), description=str(args["description"]),
        contact_id=op.contact.id, account_id=op.account.id, channel=op.medium,
        actor=f"citizen:{op.contact.id}", evidence=evidence(args))
    return {"id": view.id, "due": view.due_at.isoformat()}


def _file_verified(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """The citizen typed the code a platform (DIGIT's OTP login) texted them: log in, then
    file. A registry without a login of its own has nothing to verify."""
    login = getattr(op.registry, "login", None)
    if login is None:
        raise OperationError("platform_refused")
    try:
        login(contact_id=op.contact.id, otp=str(args.get("otp") or ""))
    except GrievanceError as exc:
        raise OperationError(exc.code) from exc
    return _file(op, args)


def evidence(args: Mapping[str, Any]) -> dict[str, Any]:
    """A shared location or landmark, photo references and the references of a recorded
    description (IVR), as the flow collected them."""
    found: dict[str, Any] = {}
    if isinstance(args.get("location"), Mapping):
        found["location"] = dict(args["location"])
    photo = args.get("photo")
    if isinstance(photo, Mapping) and photo.get("media"):
        found["photos"] = [str(ref) for ref in photo["media"]]
    recording = args.get("recording")
    if isinstance(recording, list) and recording:
        found["recordings"] = [str(ref) for ref in recording]
    return found


def _mine(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """The citizen's latest grievances, for a pick list."""
    views = op.registry.for_contact(tenant_id=op.tenant.id, contact_id=op.contact.id)
    return {"items": [{"id": v.id, "status": v.status, "category_names": dict(v.category_names)}
                      for v in views]}


def public_id_from(text: str, tenant: Tenant) -> str:
    """A typed grievance id: the full id, or just its number (this year's, this city's)."""
    number = parse_int(text)
    if number is not None:
        return f"{tenant.code}-{local_year()}-{number:06d}"
    return "".join(text.split()).upper()


def _visibility(op: OpContext) -> PublicStatus:
    """What the tenant shows of other people's grievances (NONE when it cannot tell)."""
    db = object_session(op.tenant)
    return PublicStatus.NONE if db is None else public_status(db, op.tenant)


def _status(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """Status of one grievance: all of it to the contact who filed it; to anyone else only
    what the tenant makes public, or `not_found` exactly as for a number nobody has."""
    view: GrievanceView = op.registry.get(scope=op.tenant.id,
                                          public_id=public_id_from(str(args["id"]), op.tenant))
    origin = op.registry.contact_of(public_id=view.id)
    if origin is None or origin.get("contact_id") != op.contact.id:
        if _visibility(op) is not PublicStatus.STATUS:
            raise NotFound(view.id)
        return {"id": view.id, "status": view.status,
                "category_names": dict(view.category_names), "public": True}
    office = view.office_note
    return {"id": view.id, "status": view.status, "category_names": dict(view.category_names),
            "updated_at": view.updated_at.isoformat(), "due": view.due_at.isoformat(),
            "note": (office.note if office and not office.note_key else None) or "",
            "note_name": office.note_key[5:] if office and office.note_key else "",
            "public": False, "feedback": feedback(op, view)}


def feedback(op: OpContext, view: GrievanceView) -> list[dict[str, str]]:
    """What the citizen may do about a resolution: reopen it ("not fixed") while the city's
    window is open, rate it until they have, and go back to the menu; nothing otherwise."""
    if view.status != "resolved" or view.resolved_at is None:
        return []
    db = object_session(op.tenant)
    days = reopen_days(db, op.tenant) if db is not None else 0
    found: list[dict[str, str]] = []
    if days and utcnow() <= view.resolved_at + timedelta(days=days):
        found.append({"id": "reopen"})
    if view.rating is None:
        found.append({"id": "rate"})
    return [*found, {"id": "done"}] if found else []


def _reopen(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """The citizen says their resolved grievance is not fixed: reopened, in their words."""
    db = object_session(op.tenant)
    days = reopen_days(db, op.tenant) if db is not None else 0
    view = op.registry.reopen_by_citizen(
        scope=op.tenant.id, public_id=public_id_from(str(args["id"]), op.tenant),
        contact_id=op.contact.id, reason=str(args.get("reason") or ""),
        window=timedelta(days=days))
    return {"id": view.id, "status": view.status}


def _rate(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """The citizen rates the resolution (1-5) with an optional comment ("skip": none)."""
    stars = parse_int(str(args.get("stars") or ""))
    comment = str(args.get("comment") or "").strip()
    view = op.registry.rate(scope=op.tenant.id,
                            public_id=public_id_from(str(args["id"]), op.tenant),
                            contact_id=op.contact.id, stars=stars or 0,
                            comment=None if comment == SKIPPED else comment)
    return {"id": view.id, "stars": view.rating.stars if view.rating else stars}


def _locate(op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """The ward and locality a shared location lies in: `mapped` (the city has ward
    boundaries), `ward` when one covers the point, `locality` when one of it fits."""
    db = object_session(op.tenant)
    location = args.get("location")
    if db is None or not isinstance(location, Mapping):
        return {"mapped": False}
    index = INDEXES.get(db, op.tenant.id)
    try:
        placed = index.locate(float(location["lat"]), float(location["lon"]))
    except (KeyError, TypeError, ValueError):
        placed = None
    if placed is None:
        return {"mapped": index.mapped}
    found = {"mapped": True, "ward": placed.ward.code, "ward_names": dict(placed.ward.names)}
    if placed.locality is None:
        return found  # in a ward whose localities are not mapped: the list, no excuse
    return {**found, "locality": placed.locality.id,
            "locality_names": dict(placed.locality.names)}


OPERATIONS: dict[str, Callable[[OpContext, Mapping[str, Any]], dict[str, Any]]] = {
    "grievance.file": _file,
    "grievance.file_verified": _file_verified,
    "grievance.mine": _mine,
    "grievance.status": _status,
    "grievance.reopen": _reopen,
    "grievance.rate": _rate,
    "places.locate": _locate,
}


def run(name: str, op: OpContext, args: Mapping[str, Any]) -> dict[str, Any]:
    """Run an operation (this module's, or a domain's: `services.conversation.bills`);
    domain errors become OperationError with the domain's code."""
    from services.conversation.bills import OPERATIONS as BILLS  # a domain built on this one
    try:
        return (OPERATIONS.get(name) or BILLS[name])(op, args)
    except GrievanceError as exc:
        raise OperationError(exc.code) from exc
