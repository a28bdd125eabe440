"""The grievance registry over DIGIT/UPYOG's PGR v2, behind the interface the built-in
registry implements.

Filing is done as the citizen (their OTP login); reading, staff actions and the status
poll as the connector's system user. A filing carries our idempotency key in
`additionalDetail`; before any retry the citizen's requests are searched for it, so a
timeout after the platform acted never files twice. When the platform stays down the
grievance is kept (pending, under the same key) for the sweeper, and the citizen is told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, NoReturn, TypeVar

from sqlalchemy.orm import Session

from services.connectors import links
from services.connectors.connections import Settings
from services.connectors.digit.auth import (
    Auth,
    as_system,
    citizen_auth,
    finish_login,
    mobile_of,
    start_login,
)
from services.connectors.digit.client import DigitClient
from services.connectors.digit.workflow import platform_action, remote_of
from services.connectors.errors import (
    FilingQueued,
    LoginRequired,
    OtpInvalid,
    PlatformRefused,
    PlatformUnavailable,
    Refused,
    Unavailable,
)
from services.connectors.models import RemoteGrievance
from services.connectors.references import filing_references
from services.connectors.retry import retrying
from services.connectors.views import Remote, view_of
from services.contacts.models import Contact
from services.db.base import utcnow
from services.grievances.registry import (
    STARS,
    Filters,
    GrievanceView,
    InvalidTransition,
    NoteRequired,
    NotFound,
    ReopenClosed,
    Total,
)
from services.security.crypto import Crypto
from services.tenancy.models import Category, Locality
from services.tenancy.service import in_scope

log = logging.getLogger(__name__)
T = TypeVar("T")
KIND = "digit"
PhotoSource = Callable[[str, str], tuple[bytes, str] | None]
"""(tenant id, media reference) -> (bytes, content type), or None when there is no copy."""
STATUS_FILTER = {"open": "PENDINGFORASSIGNMENT", "assigned": "PENDINGATLME",
                 "resolved": "RESOLVED", "rejected": "REJECTED", "reopened": "PENDINGFORASSIGNMENT"}


def no_photos(tenant_id: str, ref: str) -> tuple[bytes, str] | None:
    """The default photo source: none (photos stay with the gateway's copy)."""
    return None


def payload_of(category: Category, locality: Locality, description: str, channel: str,
               evidence: Mapping[str, Any] | None, mobile: str | None) -> dict[str, Any]:
    """What a filing needs, kept with the link until the platform has it."""
    return {"service_code": category.code, "locality_code": locality.code,
            "description": description, "channel": channel, "evidence": dict(evidence or {}),
            "mobile": mobile}


class DigitRegistry:
    """GrievanceRegistry over PGR v2 for the tenants of one connection."""

    def __init__(self, db: Session, crypto: Crypto, settings: Settings, *,
                 photos: PhotoSource = no_photos, client: DigitClient | None = None) -> None:
        self.db = db
        self.crypto = crypto
        self.settings = settings
        self.client = client or DigitClient(settings)
        self.photos = photos

    # --- helpers ---------------------------------------------------------------------

    def _as(self, auth: Auth | None, call: Callable[[Auth], T]) -> T:
        """`call` with the citizen's login, or (None) the system user's, logged in again
        once when the platform has forgotten it."""
        return call(auth) if auth is not None else as_system(self.client, call)

    def remotes(self, criteria: Mapping[str, Any], auth: Auth | None = None) -> list[Remote]:
        """Search PGR (as the system user unless told), as neutral remotes."""
        try:
            found = self._as(auth, lambda a: self.client.pgr_search(a, criteria))
        except Unavailable as exc:
            raise PlatformUnavailable() from exc
        except Refused as exc:
            raise PlatformRefused() from exc
        return [remote_of(w, self.settings.tenant_id) for w in found]

    def _one(self, scope: str, public_id: str) -> tuple[dict[str, Any], Remote]:
        """The wrapper and remote of one request within scope, else NotFound."""
        tenant = self.settings.tenant_id
        try:
            criteria = {"tenantId": tenant if "." in tenant else scope,
                        "serviceRequestId": public_id.strip().upper()}
            found = self._as(None, lambda a: self.client.pgr_search(a, criteria))
        except Unavailable as exc:
            raise PlatformUnavailable() from exc
        except Refused as exc:
            raise NotFound(public_id) from exc
        for wrapper in found:
            remote = remote_of(wrapper, tenant)
            if remote.id == public_id.strip().upper() and in_scope(remote.tenant_id, scope):
                return wrapper, remote
        raise NotFound(public_id)

    def _view(self, remote: Remote) -> GrievanceView:
        """The neutral view, with the channel it came in on when it was ours."""
        return view_of(self.db, remote)

    def _service(self, link: RemoteGrievance, payload: Mapping[str, Any],
                 auth: Auth) -> tuple[dict[str, Any], dict[str, Any]]:
        """The PGR service and APPLY workflow for a filing (photos uploaded first)."""
        evidence: Mapping[str, Any] = payload.get("evidence") or {}
        location: Mapping[str, Any] = evidence.get("location") or {}
        address: dict[str, Any] = {"locality": {"code": payload["locality_code"]},
                                   "city": link.tenant_id}
        if "lat" in location and "lon" in location:
            address["geoLocation"] = {"latitude": float(location["lat"]),
                                      "longitude": float(location["lon"])}
        elif location.get("text"):
            address["landmark"] = str(location["text"])[:256]
        service: dict[str, Any] = {
            "tenantId": link.tenant_id, "serviceCode": payload["service_code"],
            "description": payload["description"], "source": payload.get("channel") or "web",
            "address": address, "additionalDetail": {"idempotencyKey": link.idempotency_key}}
        if payload.get("mobile"):
            service["citizen"] = {"mobileNumber": payload["mobile"]}
        documents = []
        for ref in evidence.get("photos") or []:
            photo = self.photos(link.tenant_id, str(ref))
            if photo is not None:
                store_id = self.client.upload(auth, photo[0], photo[1], "photo")
                documents.append({"documentType": "PHOTO", "fileStoreId": store_id,
                                  "documentUid": "", "additionalDetails": {}})
        return service, {"action": "APPLY", "verificationDocuments": documents}

    def _already_filed(self, link: RemoteGrievance, payload: Mapping[str, Any],
                       auth: Auth) -> dict[str, Any] | None:
        """The request an earlier try filed under this link's key, if the platform has it."""
        criteria = {"tenantId": link.tenant_id}
        if payload.get("mobile"):
            criteria["mobileNumber"] = str(payload["mobile"])
        for wrapper in self.client.pgr_search(auth, criteria):
            detail = (wrapper.get("service") or {}).get("additionalDetail") or {}
            if isinstance(detail, Mapping) and detail.get("idempotencyKey") == \
                    link.idempotency_key:
                return wrapper
        return None

    def submit(self, link: RemoteGrievance, auth: Auth,
               retries: Callable[..., dict[str, Any]] = retrying) -> Remote:
        """File a link's payload (checking first, on every retry and for a link tried
        before, whether the platform has it already); the remote as filed."""
        payload = self.crypto.decrypt_json(link.payload_enc or "{}")
        if link.attempts:
            earlier = self._already_filed(link, payload, auth)
            if earlier is not None:
                remote = remote_of(earlier, link.tenant_id)
                links.mark_filed(link, remote)
                return remote
        service, workflow = self._service(link, payload, auth)
        wrapper = retries(lambda: self.client.pgr_create(auth, service, workflow),
                          before_retry=lambda: self._already_filed(link, payload, auth))
        remote = remote_of(wrapper, link.tenant_id)
        links.mark_filed(link, remote)
        return remote

    # --- the registry interface ------------------------------------------------------

    def file(self, *, tenant_id: str, category_id: str, locality_id: str, description: str,
             contact_id: str | None, account_id: str | None, channel: str,
             actor: str, evidence: Mapping[str, Any] | None = None) -> GrievanceView:
        """File as the citizen; kept and queued (FilingQueued) when the platform is down."""
        category, locality = filing_references(self.db, tenant_id, category_id, locality_id)
        contact = self.db.get(Contact, contact_id) if contact_id else None
        if contact is None:
            raise LoginRequired()
        auth = citizen_auth(self.db, self.crypto, tenant_id, contact.id)
        payload = payload_of(category, locality, description, channel, evidence,
                             mobile_of(self.crypto, contact))
        if auth is None:
            self._ask_login(contact, payload, account_id)
        link = links.new_link(self.db, self.crypto, tenant_id=tenant_id, kind=KIND,
                              contact_id=contact.id, account_id=account_id, payload=payload)
        try:
            remote = self.submit(link, auth)
        except Unavailable:
            links.postpone(link)
            raise FilingQueued() from None
        except Refused as exc:
            log.warning("DIGIT refused a filing for %s: %s", tenant_id, exc.code)
            self.db.delete(link)
            raise PlatformRefused() from exc
        return self._view(remote)

    def _ask_login(self, contact: Contact, payload: Mapping[str, Any],
                   account_id: str | None) -> NoReturn:
        """Have the platform text the citizen a login OTP and raise LoginRequired; when the
        platform is down the grievance is kept instead (FilingQueued), to be filed by the
        sweeper as the system user on the citizen's behalf."""
        try:
            sent = start_login(self.client, self.crypto, contact)
        except Unavailable:
            link = links.new_link(self.db, self.crypto, tenant_id=contact.tenant_id,
                                  kind=KIND, contact_id=contact.id, account_id=account_id,
                                  payload=payload)
            links.postpone(link)
            raise FilingQueued() from None
        except Refused as exc:
            raise PlatformRefused() from exc
        if not sent:
            raise PlatformRefused()  # no Indian mobile to log in with (a web visitor)
        raise LoginRequired()

    def login(self, *, contact_id: str, otp: str) -> None:
        """The citizen typed the OTP the platform sent: their token is kept (OtpInvalid when
        the platform refuses the code)."""
        contact = self.db.get(Contact, contact_id)
        if contact is None:
            raise LoginRequired()
        try:
            finish_login(self.db, self.client, self.crypto, contact, otp)
        except Unavailable as exc:
            raise PlatformUnavailable() from exc
        except Refused as exc:
            raise OtpInvalid() from exc

    def get(self, *, scope: str, public_id: str) -> GrievanceView:
        """One request, read from the platform."""
        return self._view(self._one(scope, public_id)[1])

    def for_contact(self, *, tenant_id: str, contact_id: str,
                    limit: int = 5) -> Sequence[GrievanceView]:
        """The citizen's latest filed requests (our links), read from the platform."""
        held = links.of_contact(self.db, tenant_id, contact_id, KIND, limit)
        if not held:
            return []
        ids = [link.remote_id for link in held if link.remote_id]
        found = {r.id: r for r in self.remotes({"tenantId": tenant_id,
                                                "serviceRequestId": ",".join(ids)})}
        return [self._view(found[i]) for i in ids if i in found]

    def _criteria(self, scope: str, filters: Filters) -> dict[str, Any]:
        """Staff filters as PGR search criteria."""
        criteria: dict[str, Any] = {"tenantId": scope}
        if filters.status:
            criteria["applicationStatus"] = STATUS_FILTER.get(filters.status, filters.status)
        if filters.category:
            criteria["serviceCode"] = filters.category
        if filters.locality:
            criteria["locality"] = filters.locality
        if filters.since:
            criteria["fromDate"] = int(filters.since.timestamp() * 1000)
        if filters.until:
            criteria["toDate"] = int(filters.until.timestamp() * 1000)
        return criteria

    def search(self, *, scope: str, filters: Filters) -> Sequence[GrievanceView]:
        """Staff search on the platform, newest first (paged by offset)."""
        criteria = {**self._criteria(scope, filters), "limit": filters.limit,
                    "offset": filters.offset, "sortBy": "createdTime", "sortOrder": "DESC"}
        views = [self._view(r) for r in self.remotes(criteria)]
        if filters.ward:
            views = [v for v in views if v.ward == filters.ward]
        if filters.after is not None:
            after = filters.after
            views = [v for v in views if (v.created_at, v.id) < (after.created_at, after.id)]
        return views

    def count(self, *, scope: str, filters: Filters,
              exact_up_to: int | None = None) -> Total:
        """The platform's count (exact: PGR counts itself)."""
        try:
            criteria = self._criteria(scope, filters)
            return Total(self._as(None, lambda a: self.client.pgr_count(a, criteria)))
        except Unavailable as exc:
            raise PlatformUnavailable() from exc
        except Refused as exc:
            raise PlatformRefused() from exc

    def _act(self, wrapper: Mapping[str, Any], auth: Auth | None, workflow: Mapping[str, Any],
             service: Mapping[str, Any] | None = None) -> GrievanceView:
        """Send one workflow action on the request as searched."""
        body = dict(service or wrapper.get("service") or {})
        try:
            updated = retrying(lambda: self._as(
                auth, lambda a: self.client.pgr_update(a, body, workflow)))
        except Unavailable as exc:
            raise PlatformUnavailable() from exc
        except Refused as exc:
            raise InvalidTransition(str(workflow.get("action"))) from exc
        remote = remote_of(updated, self.settings.tenant_id)
        link = links.by_remote(self.db, remote.id, KIND)
        if link is not None:  # our own change: the poll need not announce it again
            link.remote_status, link.remote_modified = remote.remote_status, remote.modified
        return self._view(remote)

    def transition(self, *, scope: str, public_id: str, action: str, actor: str,
                   note: str | None = None, assignee: str | None = None,
                   note_key: str | None = None) -> GrievanceView:
        """A staff action, as the system user (`assignee`: the platform's employee uuid)."""
        wrapper, remote = self._one(scope, public_id)
        wanted = platform_action(action, remote.remote_status)
        if wanted in ("RESOLVE", "REJECT", "REOPEN") and not (note or note_key):
            raise NoteRequired(action)
        workflow: dict[str, Any] = {"action": wanted, "comments": note or note_key or ""}
        if assignee:
            workflow["assignes"] = [assignee]
        return self._act(wrapper, None, workflow)

    def _own(self, scope: str, public_id: str, contact_id: str,
             ) -> tuple[dict[str, Any], Remote, Auth]:
        """A request the citizen filed, with their login; NotFound for anyone else."""
        wrapper, remote = self._one(scope, public_id)
        link = links.by_remote(self.db, remote.id, KIND)
        if link is None or link.contact_id != contact_id:
            raise NotFound(public_id)
        auth = citizen_auth(self.db, self.crypto, link.tenant_id, contact_id)
        if auth is None:
            raise LoginRequired()
        return wrapper, remote, auth

    def reopen_by_citizen(self, *, scope: str, public_id: str, contact_id: str, reason: str,
                          window: timedelta) -> GrievanceView:
        """REOPEN as the citizen, within the window after the resolution."""
        wrapper, remote, auth = self._own(scope, public_id, contact_id)
        if remote.status != "resolved":
            raise InvalidTransition("reopen")
        if utcnow() > remote.updated_at + window:
            raise ReopenClosed(public_id)
        return self._act(wrapper, auth, {"action": "REOPEN", "comments": reason})

    def rate(self, *, scope: str, public_id: str, contact_id: str, stars: int,
             comment: str | None) -> GrievanceView:
        """RATE as the citizen (PGR closes the request with the rating)."""
        wrapper, remote, auth = self._own(scope, public_id, contact_id)
        if stars not in STARS:
            raise InvalidTransition("rate")
        platform_action("rate", remote.remote_status)
        service = {**(wrapper.get("service") or {}), "rating": stars}
        return self._act(wrapper, auth, {"action": "RATE", "comments": comment or ""},
                         service)

    def contact_of(self, *, public_id: str) -> Mapping[str, Any] | None:
        """Where to notify the citizen who filed it through us."""
        return links.origin(links.by_remote(self.db, public_id, KIND))

    def note_access(self, *, scope: str, public_id: str, action: str, actor: str) -> None:
        """Nothing on the platform: the reveal is in our change log (the platform has no
        entry for a gateway's reads)."""

