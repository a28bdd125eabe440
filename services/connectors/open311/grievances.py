"""The grievance registry over any Open311 GeoReport v2 server.

GeoReport v2 files and reads requests; it has no way to act on one, so staff actions,
reopening and rating belong to the server's own tools (InvalidTransition here). Our
categories map to the server's service codes through `service:<our code>` config entries
(by default the same code). The specification has no idempotency key, so before any retry
the server's requests of that service since the first try are searched for one with our
description and place, so a timeout after the server stored it never files twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.connectors import links
from services.connectors.connections import Settings
from services.connectors.errors import (
    FilingQueued,
    PlatformRefused,
    PlatformUnavailable,
    Refused,
    Unavailable,
)
from services.connectors.models import RemoteGrievance
from services.connectors.open311.client import Open311Client
from services.connectors.references import filing_references
from services.connectors.retry import retrying
from services.connectors.views import Remote, view_of
from services.db.base import aware
from services.grievances.registry import (
    Filters,
    GrievanceView,
    InvalidTransition,
    NotFound,
    Total,
)
from services.security.crypto import Crypto
from services.tenancy.service import in_scope

log = logging.getLogger(__name__)
KIND = "open311"
OUR_ID = re.compile(r"^[A-Z0-9-]+-\d{4}-(\d+)$")
"""A number the track flow expanded into our own id form (`AMR-2027-000123`)."""


def parse_time(value: Any) -> datetime:
    """A GeoReport w3 datetime (now when absent or odd)."""
    try:
        return aware(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return datetime.now(UTC)


class Open311Registry:
    """GrievanceRegistry over a GeoReport v2 endpoint for the tenants of one connection."""

    def __init__(self, db: Session, crypto: Crypto, settings: Settings,
                 client: Open311Client | None = None) -> None:
        self.db = db
        self.crypto = crypto
        self.settings = settings
        self.client = client or Open311Client(settings)

    def _code(self, ours: str) -> str:
        """The server's service code for one of our categories."""
        return str(self.settings.config.get(f"service:{ours}") or ours)

    def _ours(self, theirs: str) -> str:
        """Our category code for one of the server's service codes."""
        for key, value in self.settings.config.items():
            if key.startswith("service:") and str(value) == theirs:
                return key.split(":", 1)[1]
        return theirs

    def remote_of(self, item: Mapping[str, Any], link: RemoteGrievance | None) -> Remote:
        """A request as the server gave it, with what our link remembers (its locality)."""
        payload = (self.crypto.decrypt_json(link.payload_enc)
                   if link is not None and link.payload_enc else {})
        status = str(item.get("status") or "open").lower()
        evidence: dict[str, Any] = {}
        if item.get("lat") is not None and item.get("long") is not None:
            evidence["location"] = {"lat": float(item["lat"]), "lon": float(item["long"])}
        elif item.get("address"):
            evidence["location"] = {"text": str(item["address"])}
        if item.get("media_url"):
            evidence["photos"] = [str(item["media_url"])]
        updated = item.get("updated_datetime") or item.get("requested_datetime")
        return Remote(
            id=str(item["service_request_id"]),
            tenant_id=link.tenant_id if link is not None else self.settings.tenant_id,
            category=self._ours(str(item.get("service_code") or "")),
            locality=str(payload.get("locality_code") or ""),
            description=str(item.get("description") or ""),
            status="resolved" if status == "closed" else "open", remote_status=status,
            modified=f"{updated or ''}|{status}",  # stamps are to the second: status too
            created_at=parse_time(item.get("requested_datetime")),
            updated_at=parse_time(updated),
            assignee=str(item["agency_responsible"]) if item.get("agency_responsible") else None,
            last_action="resolve" if status == "closed" else "file",
            last_note=str(item["status_notes"]) if item.get("status_notes") else None,
            evidence=evidence)

    def _form(self, payload: Mapping[str, Any]) -> dict[str, str]:
        """The spec's form fields for a filing (no personal data is sent)."""
        form = {"service_code": str(payload["service_code"]),
                "description": str(payload["description"])}
        location: Mapping[str, Any] = (payload.get("evidence") or {}).get("location") or {}
        if "lat" in location and "lon" in location:
            form["lat"], form["long"] = str(location["lat"]), str(location["lon"])
        else:
            form["address_string"] = ", ".join(p for p in (str(location.get("text") or ""),
                                                           str(payload.get("place") or "")) if p)
        return form

    def _already_filed(self, link: RemoteGrievance, form: Mapping[str, str],
                       ) -> dict[str, Any] | None:
        """A request an earlier try stored: same service, description and place, made
        since the first try."""
        since = aware(link.first_attempt_at) - timedelta(minutes=2)
        for item in self.client.requests({"service_code": form["service_code"],
                                          "start_date": since.isoformat()}):
            same_place = ("lat" not in form or (
                str(item.get("lat")) == form["lat"] and str(item.get("long")) == form["long"]))
            if item.get("description") == form["description"] and same_place \
                    and item.get("service_request_id"):
                return item
        return None

    def submit(self, link: RemoteGrievance) -> Remote:
        """File a link's payload (checking the server first when tried before)."""
        payload = self.crypto.decrypt_json(link.payload_enc or "{}")
        form = self._form(payload)
        earlier = self._already_filed(link, form) if link.attempts else None
        answer = earlier or retrying(lambda: self.client.create(form),
                                     before_retry=lambda: self._already_filed(link, form))
        request_id = answer.get("service_request_id")
        if not request_id and answer.get("token"):
            found = self.client.token(str(answer["token"]))
            request_id = found.get("service_request_id") if found else None
        if not request_id:
            raise Unavailable("platform_pending_token")
        item = self.client.request(str(request_id)) or {**form, **answer,
                                                        "service_request_id": request_id}
        remote = self.remote_of(item, link)
        links.mark_filed(link, remote, keep_payload=True)
        return remote

    def file(self, *, tenant_id: str, category_id: str, locality_id: str, description: str,
             contact_id: str | None, account_id: str | None, channel: str,
             actor: str, evidence: Mapping[str, Any] | None = None) -> GrievanceView:
        """POST the request; kept and queued (FilingQueued) when the server is down."""
        category, locality = filing_references(self.db, tenant_id, category_id, locality_id)
        place = str(locality.names.get("en") or next(iter(locality.names.values()), "")
                    if locality.names else locality.code)
        link = links.new_link(self.db, self.crypto, tenant_id=tenant_id, kind=KIND,
                              contact_id=contact_id, account_id=account_id, payload={
                                  "service_code": self._code(category.code),
                                  "locality_code": locality.code, "place": place,
                                  "description": description, "evidence": dict(evidence or {})})
        try:
            remote = self.submit(link)
        except Unavailable:
            links.postpone(link)
            raise FilingQueued() from None
        except Refused as exc:
            log.warning("Open311 refused a filing for %s: %s", tenant_id, exc.code)
            self.db.delete(link)
            raise PlatformRefused() from exc
        return view_of(self.db, remote, channel)

    def _fetch(self, request_id: str) -> dict[str, Any] | None:
        """One request from the server (down: PlatformUnavailable)."""
        try:
            return self.client.request(request_id)
        except Unavailable as exc:
            raise PlatformUnavailable() from exc
        except Refused:
            return None

    def get(self, *, scope: str, public_id: str) -> GrievanceView:
        """One request by the server's id (a bare number typed by the citizen works too)."""
        typed = public_id.strip()
        match = OUR_ID.match(typed.upper())
        request_id = str(int(match.group(1))) if match else typed
        item = self._fetch(request_id)
        link = links.by_remote(self.db, request_id, KIND)
        if item is None:
            raise NotFound(public_id)
        remote = self.remote_of(item, link)
        if not in_scope(remote.tenant_id, scope):
            raise NotFound(public_id)
        return view_of(self.db, remote)

    def items(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """A search on the server (down: PlatformUnavailable)."""
        try:
            return self.client.requests(params)
        except Unavailable as exc:
            raise PlatformUnavailable() from exc
        except Refused as exc:
            raise PlatformRefused() from exc

    def for_contact(self, *, tenant_id: str, contact_id: str,
                    limit: int = 5) -> Sequence[GrievanceView]:
        """The citizen's latest filed requests (our links), read from the server."""
        held = {link.remote_id: link for link in
                links.of_contact(self.db, tenant_id, contact_id, KIND, limit) if link.remote_id}
        if not held:
            return []
        found = {str(i.get("service_request_id")): i for i in
                 self.items({"service_request_id": ",".join(held)})}
        return [view_of(self.db, self.remote_of(found[i], link))
                for i, link in held.items() if i in found]

    def search(self, *, scope: str, filters: Filters) -> Sequence[GrievanceView]:
        """Staff search on the server (service, status and dates are the spec's filters)."""
        params: dict[str, Any] = {}
        if filters.category:
            params["service_code"] = self._code(filters.category)
        if filters.status:
            params["status"] = "closed" if filters.status in ("resolved", "rejected") else "open"
        if filters.since:
            params["start_date"] = filters.since.isoformat()
        if filters.until:
            params["end_date"] = filters.until.isoformat()
        items = self.items(params)
        views = [view_of(self.db, self.remote_of(i, links.by_remote(
            self.db, str(i.get("service_request_id")), KIND))) for i in items
            if i.get("service_request_id")]
        views.sort(key=lambda v: (v.created_at, v.id), reverse=True)
        if filters.after is not None:
            after = filters.after
            views = [v for v in views if (v.created_at, v.id) < (after.created_at, after.id)]
        return views[filters.offset:filters.offset + filters.limit]

    def count(self, *, scope: str, filters: Filters,
              exact_up_to: int | None = None) -> Total:
        """How many the server returned for the filters (servers cap their lists: an
        estimate once it returned a full page of 1000)."""
        found = self.search(scope=scope, filters=Filters(
            status=filters.status, category=filters.category, since=filters.since,
            until=filters.until, limit=1000))
        return Total(len(found), estimated=len(found) >= 1000)

    def transition(self, *, scope: str, public_id: str, action: str, actor: str,
                   note: str | None = None, assignee: str | None = None,
                   note_key: str | None = None) -> GrievanceView:
        """GeoReport v2 cannot change a request: staff act in the server's own tools."""
        raise InvalidTransition(action)

    def reopen_by_citizen(self, *, scope: str, public_id: str, contact_id: str, reason: str,
                          window: timedelta) -> GrievanceView:
        """Not in GeoReport v2."""
        raise InvalidTransition("reopen")

    def rate(self, *, scope: str, public_id: str, contact_id: str, stars: int,
             comment: str | None) -> GrievanceView:
        """Not in GeoReport v2."""
        raise InvalidTransition("rate")

    def contact_of(self, *, public_id: str) -> Mapping[str, Any] | None:
        """Where to notify the citizen who filed it through us."""
        return links.origin(links.by_remote(self.db, public_id, KIND))

    def note_access(self, *, scope: str, public_id: str, action: str, actor: str) -> None:
        """Nothing on the server (the reveal is in our change log)."""
