"""On a running gateway: a grievance filed by SMS is routed; past its SLA it is escalated once,
the new holder gets an SMS and the citizen is told in their own language."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bots.flows import menu_options
from bots.flows.registry import BILLS_FEATURE
from services.db.base import utcnow
from services.grievances.builtin import BuiltinRegistry
from services.grievances.models import Grievance
from services.messaging.models import Message
from services.routing.escalate import run_escalations
from services.routing.models import StaffNotice
from services.routing.notices import sms_account
from services.tenancy.models import Category
from services.tenancy.service import load_master_data
from tests.services.grievances.citizen import (
    DEVANAGARI,
    GRIEVANCE_ID,
    file_by_sms,
    number_of,
    wait_for,
)
from tests.services.grievances.helpers import AMRITSAR, refs
from tests.services.routing.city import EE_PHONE, Team, sanitation
from tests.support.gateway import LiveGateway, SmsPhone


@pytest.fixture
def team(gateway: LiveGateway) -> Team:
    """The sanitation department configured in the gateway's database."""
    with gateway.ctx.sessions() as db:
        configured = sanitation(db, gateway.ctx.crypto)
        db.commit()
    return configured


def _grievance(gateway: LiveGateway, public_id: str) -> Grievance:
    """The stored row."""
    with gateway.ctx.sessions() as db:
        return db.scalars(select(Grievance).where(Grievance.public_id == public_id)).one()


def _history(gateway: LiveGateway, public_id: str) -> list[tuple[str, str]]:
    """(action, actor) of each history entry."""
    with gateway.ctx.sessions() as db:
        view = BuiltinRegistry(db, gateway.ctx.crypto).get(scope="pb", public_id=public_id)
    return [(h.action, h.actor) for h in view.history]


def _sms_inbox(gateway: LiveGateway, number: str) -> list[str]:
    """What the simulated SMS provider delivered to a number."""
    with gateway.ctx.sessions() as db:
        account = sms_account(db, AMRITSAR)
        assert account is not None
        kind = account.channel_type
    assert kind == "twilio-sms", kind  # the demo city's first SMS account
    return list(gateway.http.get(f"/sim/twilio/phones/{number}/inbox").json()["messages"])


def test_filed_by_sms_is_assigned_by_the_rules(gateway: LiveGateway, phone: SmsPhone,
                                               team: Team) -> None:
    gid = file_by_sms(gateway, phone, language="hi", locality="ranjit-avenue")  # W02
    row = _grievance(gateway, gid)
    assert (row.status, row.assignee_id, row.assignee) == ("assigned", team.je_w02,
                                                           "JE Chahal")
    (filed_by, _), assigned = _history(gateway, gid)
    assert filed_by == "file" and assigned == ("assign", "routing:garbage/*")


def test_no_rule_still_files_and_is_logged(gateway: LiveGateway, phone: SmsPhone, team: Team,
                                           caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="services.routing.assign"):
        gid = file_by_sms(gateway, phone, language="en", category="water")
    row = _grievance(gateway, gid)
    assert (row.status, row.assignee_id) == ("open", None)
    assert any(gid in r.getMessage() and "no routing rule" in r.getMessage()
               for r in caplog.records)


def test_a_breach_escalates_once_with_notices(live: LiveGateway) -> None:
    """On SQLite and PostgreSQL (the level moves by a conditional UPDATE)."""
    gateway, phone = live, SmsPhone(live)
    with gateway.ctx.sessions() as db:
        team = sanitation(db, gateway.ctx.crypto)
        db.commit()
    gid = file_by_sms(gateway, phone, language="hi")  # hall-bazaar, W01; 48 h SLA
    filed = _grievance(gateway, gid)
    assert filed.assignee_id in team.je_w01
    ctx = gateway.ctx
    before_due = run_escalations(ctx.sessions, ctx.crypto, ctx.dispatcher,
                                 clock=lambda: utcnow() + timedelta(hours=47))
    assert before_due == []

    received = len(_sms_inbox(gateway, EE_PHONE))  # the simulator's inboxes outlive a test
    breached = utcnow() + timedelta(hours=49)
    done = run_escalations(ctx.sessions, ctx.crypto, ctx.dispatcher, clock=lambda: breached)
    assert [(d.public_id, d.level, d.designation, d.staff_id) for d in done] == [
        (gid, 1, "EE", team.ee)]
    assert run_escalations(ctx.sessions, ctx.crypto, ctx.dispatcher,
                           clock=lambda: breached) == []  # the second run: no effect
    row = _grievance(gateway, gid)
    assert (row.escalation_level, row.assignee_id, row.assignee, row.status) == (
        1, team.ee, "EE Dhillon", "assigned")
    history = _history(gateway, gid)
    assert [a for a, _ in history] == ["file", "assign", "escalate"]
    assert history[-1][1] == "system:escalation"

    # The EE's phone gets the notice in Hindi (their language), the citizen gets theirs.
    gateway.settle()
    deadline = time.monotonic() + 10
    while len(_sms_inbox(gateway, EE_PHONE)) == received and time.monotonic() < deadline:
        time.sleep(0.05)
    (notice,) = _sms_inbox(gateway, EE_PHONE)[received:]
    assert gid in notice and DEVANAGARI.search(notice)
    assert "सफ़ाई" not in notice and "कचरा" in notice  # the category, named in Hindi
    citizen = wait_for(phone, re.compile(re.escape(gid)))
    assert DEVANAGARI.search(citizen.replace(gid, ""))
    with ctx.sessions() as db:
        notices = list(db.scalars(select(StaffNotice).order_by(StaffNotice.created_at)))
        assert [(n.staff_id, n.kind, n.level, n.channel) for n in notices] == [
            (filed.assignee_id, "assigned", 0, "none"), (team.ee, "escalated", 1, "sms")]
        sent = db.get(Message, db.scalars(select(Message.id).where(
            Message.contact_id != filed.contact_id, Message.direction == "out")).one())
        assert sent is not None and sent.language == "hi"

    # 48 hours later the Commissioner (no phone: the notice is only recorded) holds it.
    later = breached + timedelta(hours=48)
    done = run_escalations(ctx.sessions, ctx.crypto, ctx.dispatcher, clock=lambda: later)
    assert [(d.level, d.staff_id) for d in done] == [(2, team.commissioner)]
    assert run_escalations(ctx.sessions, ctx.crypto, ctx.dispatcher, clock=lambda: later) == []
    with ctx.sessions() as db:
        last = db.scalars(select(StaffNotice).where(StaffNotice.level == 2)).one()
        assert (last.staff_id, last.channel, last.outbox_id) == (team.commissioner, "none",
                                                                 None)
    assert [a for a, _ in _history(gateway, gid)] == ["file", "assign", "escalate",
                                                      "escalate"]


def test_resolved_grievances_are_not_escalated(gateway: LiveGateway, phone: SmsPhone,
                                               team: Team) -> None:
    gid = file_by_sms(gateway, phone, language="en")
    with gateway.ctx.sessions() as db:
        BuiltinRegistry(db, gateway.ctx.crypto).transition(
            scope=AMRITSAR, public_id=gid, action="resolve", actor="t", note="Lifted")
        db.commit()
    ctx = gateway.ctx
    assert run_escalations(ctx.sessions, ctx.crypto, ctx.dispatcher,
                           clock=lambda: utcnow() + timedelta(days=30)) == []


def test_a_required_location_is_asked_by_sms(gateway: LiveGateway, phone: SmsPhone) -> None:
    """SMS cannot share a location: a category that needs one asks for a landmark instead."""
    with gateway.ctx.sessions() as db:
        garbage = db.scalars(select(Category).where(Category.tenant_id == AMRITSAR,
                                                    Category.code == "garbage")).one()
        garbage.location_required = True
        db.commit()
        master = load_master_data(db, AMRITSAR)
        r = refs(db, AMRITSAR, "garbage", "hall-bazaar")
    gateway.ctx.master.clear()
    menu = menu_options(frozenset({BILLS_FEATURE}))  # the demo city takes payments
    phone.chat("hello")
    phone.chat(number_of(master.languages, "en"))
    phone.chat(number_of(menu, "grievance"))
    asked = phone.chat(number_of(master.categories, r.category_id))  # where, before the list
    assert "nearby landmark" in asked
    assert "needs its exact place" in phone.chat("skip")
    assert "choose the area" in phone.chat("Near the Golden Temple plaza gate")
    assert "describe the problem" in phone.chat(number_of(master.localities[:8], r.locality_id))
    phone.chat("Garbage heap blocking the lane for a week")
    gid = GRIEVANCE_ID.search(phone.chat("1"))
    assert gid is not None
    with gateway.ctx.sessions() as db:
        view = BuiltinRegistry(db, gateway.ctx.crypto).get(scope=AMRITSAR,
                                                           public_id=gid.group(0))
    assert view.evidence["location"] == {"text": "Near the Golden Temple plaza gate"}
