"""PGR v2's workflow in our terms: its application statuses, and our actions as its actions.

PGR: APPLY → PENDINGFORASSIGNMENT; ASSIGN → PENDINGATLME; REASSIGN → PENDINGFORREASSIGNMENT;
REJECT → REJECTED; RESOLVE → RESOLVED; REOPEN → PENDINGFORASSIGNMENT; RATE closes a resolution
(CLOSEDAFTERRESOLUTION) or a rejection (CLOSEDAFTERREJECTION).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.connectors.views import Remote, from_millis
from services.grievances.registry import InvalidTransition

STATUS = {
    "PENDINGFORASSIGNMENT": "open",
    "PENDINGFORREASSIGNMENT": "open",
    "PENDINGATLME": "assigned",
    "RESOLVED": "resolved",
    "CLOSEDAFTERRESOLUTION": "resolved",
    "REJECTED": "rejected",
    "CLOSEDAFTERREJECTION": "rejected",
}
ACTIONS = {"APPLY": "file", "ASSIGN": "assign", "REASSIGN": "assign", "REJECT": "reject",
           "RESOLVE": "resolve", "REOPEN": "reopen", "RATE": "rate"}
"""The platform's actions as ours (for history entries)."""
FROM = {
    "ASSIGN": {"PENDINGFORASSIGNMENT", "PENDINGFORREASSIGNMENT"},
    "REASSIGN": {"PENDINGATLME"},
    "REJECT": {"PENDINGFORASSIGNMENT", "PENDINGFORREASSIGNMENT"},
    "RESOLVE": {"PENDINGATLME"},
    "REOPEN": {"RESOLVED", "REJECTED"},
    "RATE": {"RESOLVED", "REJECTED"},
}
"""Where each action may start (PGR's state machine)."""
CLOSED = frozenset({"CLOSEDAFTERRESOLUTION", "CLOSEDAFTERREJECTION"})


def ours(remote_status: str, last_action: str = "") -> str:
    """Our status for a PGR application status (reopened when the last action was REOPEN)."""
    if remote_status == "PENDINGFORASSIGNMENT" and last_action == "REOPEN":
        return "reopened"
    return STATUS.get(remote_status, "open")


def platform_action(action: str, remote_status: str) -> str:
    """The PGR action for one of ours in the request's current status; InvalidTransition when
    PGR has none (`start`: PGR has no "work started" state) or forbids it there."""
    wanted = {"assign": "REASSIGN" if remote_status == "PENDINGATLME" else "ASSIGN",
              "resolve": "RESOLVE", "reject": "REJECT", "reopen": "REOPEN",
              "rate": "RATE"}.get(action)
    if wanted is None or remote_status not in FROM[wanted]:
        raise InvalidTransition(action)
    return wanted


def remote_of(wrapper: Mapping[str, Any], tenant_id: str) -> Remote:
    """A searched or created `ServiceWrapper` in neutral form."""
    service: Mapping[str, Any] = wrapper.get("service") or {}
    workflow: Mapping[str, Any] = wrapper.get("workflow") or {}
    audit: Mapping[str, Any] = service.get("auditDetails") or {}
    address: Mapping[str, Any] = service.get("address") or {}
    geo: Mapping[str, Any] = address.get("geoLocation") or {}
    locality: Mapping[str, Any] = address.get("locality") or {}
    status = str(service.get("applicationStatus") or "")
    action = str(workflow.get("action") or "APPLY")
    evidence: dict[str, Any] = {}
    if geo.get("latitude") not in (None, 0) and geo.get("longitude") not in (None, 0):
        evidence["location"] = {"lat": float(geo["latitude"]), "lon": float(geo["longitude"])}
    elif address.get("landmark"):
        evidence["location"] = {"text": str(address["landmark"])}
    documents = [d for d in workflow.get("verificationDocuments") or []
                 if isinstance(d, Mapping) and d.get("documentType") == "PHOTO"]
    if documents:
        evidence["photos"] = [f"filestore:{d.get('fileStoreId')}" for d in documents]
    assignees = workflow.get("assignes") or []
    rating = service.get("rating")
    return Remote(
        id=str(service["serviceRequestId"]), tenant_id=str(service.get("tenantId") or tenant_id),
        category=str(service.get("serviceCode") or ""), locality=str(locality.get("code") or ""),
        description=str(service.get("description") or ""), status=ours(status, action),
        remote_status=status,
        modified=str(audit.get("lastModifiedTime") or audit.get("createdTime") or ""),
        created_at=from_millis(audit.get("createdTime")),
        updated_at=from_millis(audit.get("lastModifiedTime") or audit.get("createdTime")),
        assignee=str(assignees[0]) if assignees else None,
        last_action=ACTIONS.get(action, action.lower()),
        last_note=str(workflow["comments"]) if workflow.get("comments") else None,
        evidence=evidence, rating=int(rating) if isinstance(rating, int | float) else None)
