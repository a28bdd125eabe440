"""The officer routing chooses at filing is told, in their language, once per change of holder."""

from __future__ import annotations

import time

from sqlalchemy import select

from services.grievances.builtin import BuiltinRegistry
from services.routing.models import StaffNotice
from services.staff.models import StaffMember
from tests.services.grievances.citizen import DEVANAGARI, file_by_sms
from tests.services.grievances.helpers import AMRITSAR
from tests.services.routing.city import sanitation
from tests.support.gateway import LiveGateway, SmsPhone

JE_PHONE = "+919812300021"


def _inbox(gateway: LiveGateway, number: str) -> list[str]:
    """What the simulated SMS provider delivered to a number."""
    return list(gateway.http.get(f"/sim/twilio/phones/{number}/inbox").json()["messages"])


def _notices(gateway: LiveGateway, grievance_public_id: str) -> list[tuple[str, str, str]]:
    """(member, kind, channel) of each staff notice about a grievance, oldest first."""
    with gateway.ctx.sessions() as db:
        rows = db.scalars(select(StaffNotice).order_by(StaffNotice.created_at))
        registry = BuiltinRegistry(db, gateway.ctx.crypto)
        found = registry._row("pb", grievance_public_id)
        return [(n.staff_id, n.kind, n.channel) for n in rows if n.grievance_id == found.id]


def test_the_officer_chosen_at_filing_gets_a_notice_in_their_language(
        gateway: LiveGateway, phone: SmsPhone) -> None:
    with gateway.ctx.sessions() as db:
        team = sanitation(db, gateway.ctx.crypto)
        je = db.get_one(StaffMember, team.je_w02)
        je.phone_enc = gateway.ctx.crypto.encrypt(JE_PHONE)
        db.commit()
    before = len(_inbox(gateway, JE_PHONE))
    gid = file_by_sms(gateway, phone, language="en", locality="ranjit-avenue")  # W02
    gateway.settle()
    deadline = time.monotonic() + 10
    while len(_inbox(gateway, JE_PHONE)) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    (notice,) = _inbox(gateway, JE_PHONE)[before:]
    assert gid in notice and DEVANAGARI.search(notice)  # the JE reads Hindi, the citizen English
    assert "कचरा" in notice and "सौंपी" in notice
    assert _notices(gateway, gid) == [(team.je_w02, "assigned", "sms")]

    # Assigning it to its holder again changes nothing and tells nobody; a new holder is told.
    with gateway.ctx.sessions() as db:
        registry = BuiltinRegistry(db, gateway.ctx.crypto)
        registry.transition(scope=AMRITSAR, public_id=gid, action="assign", actor="t",
                            assignee=team.je_w02)
        db.commit()
    assert _notices(gateway, gid) == [(team.je_w02, "assigned", "sms")]
    with gateway.ctx.sessions() as db:
        BuiltinRegistry(db, gateway.ctx.crypto).transition(
            scope=AMRITSAR, public_id=gid, action="assign", actor="t", assignee=team.ee)
        db.commit()
    assert _notices(gateway, gid) == [(team.je_w02, "assigned", "sms"),
                                      (team.ee, "assigned", "sms")]
