"""The single-grievance view staff act from: the grievance with its citizen, conversation,
map link and media links (see dossier.py for where each comes from)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from i18n import translate
from services.db.base import aware
from services.grievances import dossier
from services.grievances.notes import notes_for
from services.grievances.registry import GrievanceRegistry, GrievanceView
from services.grievances.schemas import (
    CitizenOut,
    GrievanceDetailOut,
    GrievanceOut,
    MediaOut,
    MessageOut,
    StandardNoteOut,
)
from services.media.kinds import kind_of
from services.media.links import signed_path
from services.media.models import STORED, MediaObject

if TYPE_CHECKING:
    from services.context import AppContext


EVIDENCE = (("photos", "photo"), ("recordings", "recording"))
"""Evidence lists of media references, and what a file named in each is."""


def media_out(ctx: AppContext, row: MediaObject,
              evidence: Mapping[str, str] | None = None) -> MediaOut:
    """One attachment; a signed link only for a stored copy; `evidence` maps the references
    the grievance's evidence names to what they are."""
    url = expires = None
    if row.status == STORED:
        path, until = signed_path(ctx.crypto, row.id, ctx.settings.media_link_seconds)
        url, expires = ctx.settings.base_url + path, datetime.fromtimestamp(until, UTC)
    named = evidence.get(ctx.crypto.decrypt(row.ref_enc)) if evidence else None
    return MediaOut(id=row.id, kind=kind_of(row.content_type) if row.content_type else None,
                    content_type=row.content_type, size=row.size, status=row.status,
                    code=row.error_code, url=url, expires_at=expires, evidence=named)


def evidence_refs(view: GrievanceView) -> dict[str, str]:
    """Reference -> `photo` / `recording`, for the files the grievance's evidence names."""
    named: dict[str, str] = {}
    for key, what in EVIDENCE:
        refs = view.evidence.get(key)
        for ref in refs if isinstance(refs, list) else ():
            named[str(ref)] = what
    return named


def detailed(ctx: AppContext, db: Session, registry: GrievanceRegistry,
             view: GrievanceView) -> GrievanceDetailOut:
    """The grievance with history, citizen, transcript and media."""
    out = {**GrievanceOut.of(view, with_history=True).model_dump(),
           "notes": [StandardNoteOut(key=key, text=translate("en", key))
                     for key in notes_for(view.category)]}
    where = dossier.map_url(view.evidence.get("location"))
    origin = registry.contact_of(public_id=view.id)
    if origin is None:
        return GrievanceDetailOut(**out, map_url=where, citizen=None, transcript=[], media=[])
    who = dossier.citizen(db, ctx.crypto, str(origin["contact_id"]))
    messages = dossier.transcript(db, str(origin["contact_id"]), str(origin["account_id"]),
                                  view.created_at)
    media = dossier.media_of(db, messages)
    named = evidence_refs(view)
    by_message: dict[str, list[str]] = {}
    for row in media:
        by_message.setdefault(row.message_id, []).append(row.id)
    lines = [MessageOut(at=aware(m.created_at), direction=m.direction,
                        text=ctx.crypto.decrypt(m.body_enc), media=by_message.get(m.id, []))
             for m in messages]
    return GrievanceDetailOut(
        **out, map_url=where,
        citizen=CitizenOut(name=who.name, phone_masked=who.phone_masked) if who else None,
        transcript=lines, media=[media_out(ctx, row, named) for row in media])
