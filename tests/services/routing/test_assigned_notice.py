"""The officer routing chooses at filing is told, in their language, once per change of holder."""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import select

from services.grievances.builtin import BuiltinRegistry
from services.messaging.lanes import Lane
from services.routing.models import StaffNotice
from services.staff.models import StaffMember
from tests.services.grievances.citizen import DEVANAGARI, Staff, file_by_sms, new_key
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


class _Spy:
    """Records what is handed to the dispatcher (the sweeper delivers without it)."""

    def __init__(self, gateway: LiveGateway) -> None:
        self.calls: list[tuple[list[str], Lane]] = []
        real = gateway.ctx.dispatcher.enqueue

        def enqueue(outbox_ids: Iterable[str], lane: Lane = Lane.REPLY) -> None:
            ids = list(outbox_ids)
            self.calls.append((ids, lane))
            real(ids, lane)

        gateway.ctx.dispatcher.enqueue = enqueue  # type: ignore[method-assign]

    def handed(self, outbox_id: str | None) -> list[Lane]:
        """The lanes an outbox row was handed over in."""
        return [lane for ids, lane in self.calls if outbox_id in ids]


def _notice_outbox(gateway: LiveGateway, staff_id: str) -> str | None:
    """The outbox row of the latest notice to a staff member."""
    with gateway.ctx.sessions() as db:
        return db.scalars(select(StaffNotice.outbox_id).where(StaffNotice.staff_id == staff_id)
                          .order_by(StaffNotice.created_at.desc())).first()


def test_a_holders_sms_is_dispatched_at_once_after_the_commit(
        gateway: LiveGateway, phone: SmsPhone) -> None:
    """The officer routing chose at filing, and a member a staff key assigns, get their SMS
    handed to the dispatcher in the notice lane when the turn or the action commits: not
    left for the next outbox sweep."""
    with gateway.ctx.sessions() as db:
        team = sanitation(db, gateway.ctx.crypto)
        for member_id, number in ((team.je_w02, JE_PHONE), (team.ee, "+919812300022")):
            db.get_one(StaffMember, member_id).phone_enc = gateway.ctx.crypto.encrypt(number)
        db.commit()
    spy = _Spy(gateway)
    gid = file_by_sms(gateway, phone, language="en", locality="ranjit-avenue")
    gateway.settle()
    assert spy.handed(_notice_outbox(gateway, team.je_w02)) == [Lane.NOTICE]
    answer = Staff(gateway, new_key(gateway)).act(gid, "assign", {"assignee": team.ee})
    assert answer.status_code == 200, answer.text
    assert spy.handed(_notice_outbox(gateway, team.ee)) == [Lane.NOTICE]
    gateway.settle()
    assert any(gid in text for text in _inbox(gateway, "+919812300022"))
