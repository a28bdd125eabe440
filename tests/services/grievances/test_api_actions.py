"""Staff API actions: the workflow over HTTP and the citizen's SMS notification in Hindi."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from services.grievances.models import Grievance
from services.messaging.models import Message, OutboxItem
from tests.services.grievances.citizen import (
    DEVANAGARI,
    Staff,
    file_by_sms,
    file_direct,
    history_of,
    new_key,
    new_member,
    wait_for,
)
from tests.support.gateway import LiveGateway, SmsPhone


@pytest.fixture
def officer(gateway: LiveGateway) -> Staff:
    """An Amritsar officer's key."""
    return Staff(gateway, new_key(gateway))


def test_assign_then_resolve_notifies_the_citizen_in_hindi(
        gateway: LiveGateway, phone: SmsPhone, officer: Staff) -> None:
    """Filed by SMS in Hindi; each staff action reaches the same phone, in Devanagari."""
    gid = file_by_sms(gateway, phone, language="hi")
    about_it = re.compile(re.escape(gid))

    assigned = officer.act(gid, "assign", {"assignee": new_member(gateway, "inspector.kaur")})
    assert assigned.status_code == 200
    assert (assigned.json()["status"], assigned.json()["assignee"]) == (
        "assigned", "inspector.kaur")
    first = wait_for(phone, about_it)
    assert DEVANAGARI.search(first)

    note = "Garbage lifted by truck PB02-1234 at 10:40"
    resolved = officer.act(gid, "resolve", {"note": note})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    sms = wait_for(phone, re.compile(re.escape(note)))
    assert gid in sms
    assert DEVANAGARI.search(sms.replace(note, "")), sms
    assert sms != first


def test_english_speaker_gets_no_devanagari(gateway: LiveGateway, phone: SmsPhone,
                                            officer: Staff) -> None:
    """The notification follows the citizen's chosen language."""
    gid = file_by_sms(gateway, phone, language="en")
    note = "Water tanker sent to your street"
    assert officer.act(gid, "resolve", {"note": note}).status_code == 200
    sms = wait_for(phone, re.compile(re.escape(note)))
    assert gid in sms and not DEVANAGARI.search(sms)


def test_start_and_reopen(gateway: LiveGateway, phone: SmsPhone, officer: Staff) -> None:
    """`start` needs no body; `reopen` brings a closed grievance back, and both notify."""
    gid = file_by_sms(gateway, phone)
    assert officer.act(gid, "assign", {"assignee": new_member(gateway, "a")}).status_code == 200
    started = officer.act(gid, "start")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    assert officer.act(gid, "reject", {"note": "Duplicate"}).status_code == 200
    reopened = officer.act(gid, "reopen", {"note": "Not a duplicate after all"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    assert wait_for(phone, re.compile("Not a duplicate after all"))
    assert officer.act(gid, "start", {"note": "On site"}).json()["status"] == "in_progress"
    assert history_of(gateway, gid) == ["file", "assign", "start", "reject", "reopen", "start"]


@pytest.mark.parametrize("action", ["reject", "resolve", "reopen"])
@pytest.mark.parametrize("body", [None, {}, {"note": ""}, {"note": "   "}, {"note": None}])
def test_closing_actions_require_a_note(gateway: LiveGateway, officer: Staff, action: str,
                                        body: dict[str, object] | None) -> None:
    """Without a note for the citizen: 422, and nothing changes."""
    gid = file_direct(gateway).id
    if action == "reopen":
        assert officer.act(gid, "resolve", {"note": "done"}).status_code == 200
    before = officer.get(gid).json()
    assert officer.act(gid, action, body).status_code == 422
    assert officer.get(gid).json() == before


def test_reject_with_a_note(gateway: LiveGateway, officer: Staff) -> None:
    """A reason makes the rejection go through and is kept (trimmed) in the history."""
    gid = file_direct(gateway).id
    response = officer.act(gid, "reject", {"note": "  Outside municipal limits  "})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["history"][-1]["note"] == "Outside municipal limits"


@pytest.mark.parametrize("body", [{}, {"assignee": ""}, {"assignee": "  "}, {"note": "x"}])
def test_assign_requires_an_assignee(gateway: LiveGateway, officer: Staff,
                                     body: dict[str, str]) -> None:
    """Assigning to nobody is a validation error."""
    gid = file_direct(gateway).id
    assert officer.act(gid, "assign", body).status_code == 422


def _member_of(gateway: LiveGateway, body: dict[str, str] | None) -> dict[str, str] | None:
    """The body with its assignee name replaced by that staff member's id."""
    if body and "assignee" in body:
        return {**body, "assignee": new_member(gateway, body["assignee"])}
    return body


@pytest.mark.parametrize(("setup", "action", "body"), [
    ([("resolve", {"note": "done"})], "resolve", {"note": "again"}),
    ([], "reopen", {"note": "why"}),
    ([], "start", None),
    ([("reject", {"note": "no"})], "assign", {"assignee": "a"}),
    ([("assign", {"assignee": "a"}), ("start", None)], "start", None),
])
def test_invalid_transition_is_409_and_notifies_nobody(
        gateway: LiveGateway, officer: Staff, setup: list[tuple[str, dict[str, str] | None]],
        action: str, body: dict[str, str] | None) -> None:
    """A refused action answers 409 with a code, writes no history and queues no message."""
    gid = file_direct(gateway).id
    for step, step_body in setup:
        assert officer.act(gid, step, _member_of(gateway, step_body)).status_code == 200
    history = history_of(gateway, gid)
    messages = gateway.count(OutboxItem)
    response = officer.act(gid, action, _member_of(gateway, body))
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "invalid_transition"
    assert history_of(gateway, gid) == history
    assert gateway.count(OutboxItem) == messages


def test_unknown_grievance_action_is_404(officer: Staff) -> None:
    """Acting on an id that does not exist is 404 with a code."""
    response = officer.act("PB-AMR-2026-999999", "resolve", {"note": "x"})
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "not_found"


def test_opted_out_citizen_is_not_notified(gateway: LiveGateway, phone: SmsPhone,
                                           officer: Staff) -> None:
    """After STOP, status changes still happen but no message is queued to the citizen."""
    gid = file_by_sms(gateway, phone)
    phone.send("STOP")
    phone.receive(1)
    to_citizen = (Message.direction == "out", Message.contact_id.in_(
        select(Grievance.contact_id).where(Grievance.public_id == gid)))
    before = gateway.count(Message, *to_citizen)
    assert before > 0  # the filing's replies and the STOP confirmation
    assert officer.act(gid, "resolve", {"note": "done"}).status_code == 200
    assert gateway.count(Message, *to_citizen) == before


def test_grievance_without_a_contact_changes_silently(gateway: LiveGateway,
                                                      officer: Staff) -> None:
    """A grievance filed by staff (no citizen channel) can still be worked."""
    gid = file_direct(gateway).id
    before = gateway.count(OutboxItem)
    assert officer.act(gid, "resolve", {"note": "done"}).status_code == 200
    assert gateway.count(OutboxItem) == before
