"""On a running gateway, as citizens meet it: one notice per change the citizen can see, an
officer's standard note in the citizen's language and a written one marked as the office's
own words; the citizen says "not fixed" from "track" and reopens, then rates (SMS in Hindi,
web chat in Tamil)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from i18n import KNOWN, Keyword, translate
from i18n.normalize import keyword_words
from services.grievances.builtin import BuiltinRegistry
from services.messaging.models import OutboxItem
from tests.services.grievances.citizen import Staff, new_key, new_member
from tests.support.gateway import LiveGateway, SmsPhone, WebVisitor

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
DIGITS = {"hi": "०१२३४५६७८९", "ta": "௦௧௨௩௪௫௬௭௮௯"}
WORDS = {
    "hi": ("गली में तीन दिन से कचरा पड़ा है", "कचरा अब भी वहीं पड़ा है", "देर से हुआ"),
    "ta": ("தெருவில் மூன்று நாட்களாக குப்பை கிடக்கிறது", "குப்பை இன்னும் அங்கேயே உள்ளது",
           "தாமதமாக நடந்தது"),
}


class Citizen:
    """One citizen on one channel: say something and read the answer; read notices."""

    def __init__(self, gateway: LiveGateway, channel: str) -> None:
        self.gateway = gateway
        self.sms = SmsPhone(gateway) if channel == "sms" else None
        self.web = WebVisitor(gateway) if channel == "webchat" else None

    def say(self, text: str) -> str:
        """Send and return the reply (or replies) as shown."""
        if self.sms is not None:
            return self.sms.chat(text)
        assert self.web is not None
        return self.web.chat(text)

    def skip_media(self, code: str) -> None:
        """Press Skip at a location or photo question (only the web chat asks them)."""
        if self.web is not None:
            self.web.chat(translate(code, "common.skip"), "skip")

    def notices(self) -> str:
        """What arrived without being asked for (the office's notices), waiting for one."""
        self.gateway.settle()
        if self.sms is not None:
            return "\n".join(self.sms.receive(1))
        assert self.web is not None
        return "\n".join(m["text"] for m in self.web.replies())


def outbox(gateway: LiveGateway) -> int:
    """How many messages were queued so far."""
    return gateway.count(OutboxItem)


def file(citizen: Citizen, code: str) -> str:
    """Choose the language by name, file with native digits and the word for yes; the id."""
    one = DIGITS[code][1]
    citizen.say("hello")
    citizen.say(KNOWN[code].endonym)
    citizen.say(one)
    citizen.say(one)
    citizen.skip_media(code)  # no location
    citizen.say(one)
    citizen.say(WORDS[code][0])
    citizen.skip_media(code)  # no photo
    found = GRIEVANCE_ID.search(citizen.say(keyword_words(code, Keyword.YES)[0]))
    assert found is not None
    return found.group()


def track(citizen: Citizen, code: str, gid: str) -> str:
    """From the menu, track this grievance; the status with what may be done."""
    citizen.say(keyword_words(code, Keyword.MENU)[0])
    citizen.say(DIGITS[code][2])
    return citizen.say(gid)


def history(gateway: LiveGateway, gid: str) -> list[Any]:
    """The stored history."""
    with gateway.ctx.sessions() as db:
        return list(BuiltinRegistry(db, gateway.ctx.crypto).get(scope="pb",
                                                                  public_id=gid).history)


@pytest.mark.parametrize(("channel", "code"), [("sms", "hi"), ("webchat", "ta")])
def test_notes_reopen_and_rating(gateway: LiveGateway, channel: str, code: str) -> None:
    citizen, officer = Citizen(gateway, channel), Staff(gateway, new_key(gateway))
    gid = file(citizen, code)
    digit: Callable[[int], str] = lambda n: DIGITS[code][n]  # noqa: E731

    # One notice for the assignment; none for handing it to someone else.
    assert officer.act(gid, "assign", {"assignee": new_member(gateway, "JE Gill")}
                       ).status_code == 200
    assert gid in citizen.notices()
    queued = outbox(gateway)
    assert officer.act(gid, "assign", {"assignee": new_member(gateway, "JE Sandhu")}
                       ).status_code == 200
    gateway.settle()
    assert outbox(gateway) == queued

    # A standard note reaches the citizen in their language, with the invitation.
    resolved = officer.act(gid, "resolve", {"note_key": "note.team_visited"})
    assert resolved.status_code == 200, resolved.text
    notice = citizen.notices()
    assert translate(code, "note.team_visited") in notice
    assert translate(code, "menu.track") in notice and gid in notice

    # "Not fixed": reopened from track, in the citizen's words, the citizen the actor.
    status = track(citizen, code, gid)
    assert translate(code, "track.reopen") in status and translate(code, "track.rate") in status
    assert translate(code, "reopen.ask_reason") in citizen.say(digit(1))
    assert gid in citizen.say(WORDS[code][1])
    last = history(gateway, gid)[-1]
    assert (last.action, last.to_status, last.note) == ("reopen", "reopened", WORDS[code][1])
    assert last.actor.startswith("citizen:")
    assert officer.get(gid).json()["status"] == "reopened"

    # A written note is marked as the office's own words; then the citizen rates.
    note = "Cleared again by truck PB02-1234"
    assert officer.act(gid, "resolve", {"note": note}).status_code == 200
    assert translate(code, "notify.office_note", {"note": note}) in citizen.notices()
    track(citizen, code, gid)
    assert translate(code, "rate.ask") in citizen.say(digit(2))
    assert translate(code, "rate.ask_comment") in citizen.say(digit(4))
    assert translate(code, "rate.thanks") in citizen.say(WORDS[code][2])
    detail = officer.get(gid).json()
    assert (detail["rating"]["stars"], detail["rating"]["comment"]) == (4, WORDS[code][2])
    again = track(citizen, code, gid)  # rated once per resolution: only reopen is left
    assert translate(code, "track.rate") not in again
    assert translate(code, "track.reopen") in again


def test_reopen_window_is_the_citys(gateway: LiveGateway) -> None:
    """A city with no reopen window offers only the rating."""
    from services.tenancy.models import Tenant
    with gateway.ctx.sessions() as db:
        db.get_one(Tenant, "pb.amritsar").reopen_days = 0
        db.commit()
    citizen, officer = Citizen(gateway, "sms"), Staff(gateway, new_key(gateway))
    gid = file(citizen, "hi")
    assert officer.act(gid, "resolve", {"note_key": "note.work_scheduled"}).status_code == 200
    notice = citizen.notices()
    assert translate("hi", "note.work_scheduled") in notice
    status = track(citizen, "hi", gid)
    assert translate("hi", "track.reopen") not in status
    assert translate("hi", "track.rate") in status


def test_standard_notes_are_listed_and_checked(gateway: LiveGateway) -> None:
    officer = Staff(gateway, new_key(gateway))
    citizen = Citizen(gateway, "sms")
    gid = file(citizen, "hi")
    detail = officer.get(gid).json()
    keys = [n["key"] for n in detail["notes"]]
    assert detail["category"] == "animals"  # the first in the menu
    assert "note.team_visited" in keys and "note.light_repaired" not in keys
    assert detail["rating"] is None
    wrong = officer.act(gid, "resolve", {"note_key": "note.light_repaired"})
    assert (wrong.status_code, wrong.json()["detail"]["code"]) == (422, "invalid_note_key")
    both = officer.act(gid, "resolve", {"note": "x", "note_key": "note.team_visited"})
    assert (both.status_code, both.json()["detail"]["code"]) == (422, "note_and_note_key")
    assert officer.get(gid).json()["status"] == "open"
