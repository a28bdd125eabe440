"""A caller hears of progress: status notices of a grievance filed by phone come by SMS.

The voice account answers only inside its webhook, so a notice queued on it could never be
sent (it failed `config_error`); it goes to the calling number on the city's SMS account, in
the language the caller chose, for calls through Twilio and through Exotel alike.
"""

from __future__ import annotations

import re

from i18n import translate
from services.messaging.models import Message
from tests.services.grievances.citizen import Staff, new_key, new_member
from tests.services.voice.conftest import (
    HINDI,
    account_row,
    exotel_call,
    inbox,
    messages,
    new_number,
    outbox_of,
    twilio_call,
)
from tests.support.gateway import LiveGateway

SPELLED_ID = re.compile(r"P B, A M R, (\d \d \d \d), (\d \d \d \d \d \d)")
NOTE = "सफ़ाई कर्मचारी ने कचरा उठा लिया है"


def _spelled(heard: str) -> str:
    """The grievance id a caller heard spelled out."""
    spelled = SPELLED_ID.search(heard)
    assert spelled, heard
    return "PB-AMR-{}-{}".format(*(g.replace(" ", "") for g in spelled.groups()))


def _file_by_twilio(gateway: LiveGateway, caller: str) -> str:
    """A Hindi caller files a garbage grievance by keypad and voice on Twilio; its id."""
    call = twilio_call(gateway, caller=caller)
    call.start()
    for key in (*HINDI, "1", "1", "1"):
        call.answer(key)
    call.answer("गली में तीन दिन से कचरा पड़ा है")
    return _spelled(" ".join(call.answer("1")))


def _file_by_exotel(gateway: LiveGateway, caller: str) -> str:
    """The same grievance through Exotel's applet flow; its id."""
    call = exotel_call(gateway, caller=caller)
    call.start()
    for key in (*HINDI, "1", "1", "1"):
        call.answer(key)
    call.answer("सीवर का पानी सड़क पर बह रहा है")
    return _spelled(call.answer("1")[0])


def _progress_reaches_the_caller(gateway: LiveGateway, caller: str, grievance_id: str,
                                 voice_type: str) -> None:
    """Assign and resolve over the staff API; each change arrives by SMS, in Hindi."""
    (filed,) = inbox(gateway, caller)  # the written copy of the number they heard
    assert grievance_id in filed
    officer = Staff(gateway, new_key(gateway))
    assigned = officer.act(grievance_id, "assign",
                           {"assignee": new_member(gateway, "JE Ward 1")})
    assert assigned.status_code == 200, assigned.text
    sms = inbox(gateway, caller, at_least=2)
    assert len(sms) == 2, sms
    assert grievance_id in sms[1] and translate("hi", "status.assigned") in sms[1]
    resolved = officer.act(grievance_id, "resolve", {"note": NOTE})
    assert resolved.status_code == 200, resolved.text
    sms = inbox(gateway, caller, at_least=3)
    assert len(sms) == 3, sms
    assert grievance_id in sms[2] and translate("hi", "status.resolved") in sms[2]
    assert translate("hi", "notify.office_note", {"note": NOTE}) in sms[2]
    voice = account_row(gateway, voice_type)
    assert outbox_of(gateway, voice.id) == 0  # nothing queued where it cannot be sent
    gateway.settle()
    with gateway.ctx.sessions() as db:
        failed = db.query(Message).filter_by(direction="out", status="failed").all()
    assert [m.error_code for m in failed] == []
    assert all(m.status == "delivered" for m in messages(gateway, voice.id, "out"))


def test_a_twilio_caller_is_told_of_each_change_by_sms(gateway: LiveGateway) -> None:
    caller = new_number()
    grievance_id = _file_by_twilio(gateway, caller)
    _progress_reaches_the_caller(gateway, caller, grievance_id, "twilio-voice")


def test_an_exotel_caller_is_told_of_each_change_by_sms(gateway: LiveGateway) -> None:
    caller = new_number()
    grievance_id = _file_by_exotel(gateway, caller)
    _progress_reaches_the_caller(gateway, caller, grievance_id, "exotel-voice")
