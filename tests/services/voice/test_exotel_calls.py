"""Calls to the demo city's ExoPhone through Exotel's applet flow, end to end on a live gateway."""

from __future__ import annotations

import re
import wave
from io import BytesIO
from urllib.parse import urlsplit

from sqlalchemy import select

from i18n import translate
from services.grievances.models import Grievance
from services.messaging.models import Message
from tests.services.audio.conftest import require_espeak
from tests.services.voice.conftest import (
    HINDI,
    account_row,
    exotel_call,
    inbox,
    messages,
    new_number,
    press,
)
from tests.support.gateway import LiveGateway

MENU_SECONDS = 12
"""The first language menu's bound, measured on the espeak-ng clips."""
SPELLED_ID = re.compile(r"P B, A M R, (\d \d \d \d), (\d \d \d \d \d \d)")


def test_a_call_without_the_token_is_refused_and_nothing_is_stored(gateway: LiveGateway) -> None:
    acc = gateway.account("exotel-voice")
    before = gateway.count(Message)
    for secret, query in (("", ""), ("", "token="), ("", "token=" + "0" * 32),
                          ("/s/" + "0" * 32, ""), ("/s/" + "0" * 32, "token=" + acc["token"])):
        for path in ("", "/prompt", "/prompt/route", "/status"):
            if path == "/prompt/route" and not secret:
                continue
            response = gateway.http.get(f"{acc['webhook_url']}{secret}{path}?{query}&CallSid=x"
                                        "&CallFrom=09876543210&digits=%221%22")
            assert response.status_code == 403
            assert response.json() == {"error": "bad_signature"}
    assert gateway.count(Message) == before


def test_the_language_menu_is_one_telephone_wav(gateway: LiveGateway) -> None:
    require_espeak()
    call = exotel_call(gateway)
    (heard,) = call.start()
    assert heard.startswith("[plays audio en/prompt.")
    audio = urlsplit(call.gather["gather_prompt"]["audio_url"])
    response = gateway.http.get(audio.path)
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    with wave.open(BytesIO(response.content)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        seconds = w.getnframes() / w.getframerate()
    print(f"language menu: {seconds:.1f} s")
    # English alone, then "press 9 for other languages" (it was a dozen languages: ~38 s)
    assert 2 < seconds <= MENU_SECONDS
    assert call.gather["max_input_digits"] == 1


def test_a_hindi_caller_files_a_grievance_and_records_the_description(
        gateway: LiveGateway) -> None:
    caller = new_number()
    call = exotel_call(gateway, caller=caller)
    call.start()
    (menu,) = press(call, HINDI)
    assert menu.startswith(translate("hi", "language.set"))
    assert call.gather["gather_prompt"]["text"] == menu  # Exotel speaks Hindi itself
    assert translate("hi", "grievance.ask_category") in call.answer("1")[0]
    assert translate("hi", "grievance.ask_locality") in call.answer("1")[0]
    (ask,) = call.answer("1")
    assert translate("hi", "ivr.record_hint") in ask
    assert call.gather["input_timeout"] <= 3
    confirm = call.answer("सीवर का पानी सड़क पर बह रहा है")
    assert confirm[0] == "[beep]" and "http" not in confirm[1]
    filed = call.answer("1")[0]
    spelled = SPELLED_ID.search(filed)
    assert spelled, filed
    grievance_id = "PB-AMR-{}-{}".format(*(g.replace(" ", "") for g in spelled.groups()))
    with gateway.ctx.sessions() as db:
        grievance = db.scalar(select(Grievance).where(Grievance.public_id == grievance_id))
        assert grievance is not None and grievance.channel == "voice"
        # Exotel does not say the prompt's language: the gateway names the recording in it
        description = gateway.ctx.crypto.decrypt(grievance.description_enc)
        assert description == translate("hi", "ivr.recording") and "http" not in description
    assert grievance_id in inbox(gateway, caller)[0]
    assert call.answer("silence") == ["[flow greeting: goodbye]"]
    exotel = account_row(gateway, "exotel-voice")
    ended = [m for m in messages(gateway, exotel.id, "in") if m.external_id == f"{call.sid}:end"]
    assert len(ended) == 1


def test_a_passthru_sent_twice_is_one_answer(gateway: LiveGateway) -> None:
    call = exotel_call(gateway)
    call.start()
    call.answer("9")  # the other languages: Hindi is the first of them
    exotel = account_row(gateway, "exotel-voice")
    assert call.passthru(digits='"1"').status_code == 200
    inbound = len(messages(gateway, exotel.id, "in"))
    assert call.passthru(digits='"1"').status_code == 200  # Exotel's retry: no prompt between
    assert len(messages(gateway, exotel.id, "in")) == inbound
    ids = [m.external_id for m in messages(gateway, exotel.id, "out")
           if (m.external_id or "").startswith(call.sid)]
    assert ids == [f"{call.sid}:0", f"{call.sid}:1"]
    (menu,) = call.fetch_prompt()
    assert menu.startswith(translate("hi", "language.set"))
    call.passthru(digits='"2"')  # after a new prompt the same key is a new answer: "track"
    # asks for a number, in the words written for the ear ("enter", not "type")
    assert call.fetch_prompt()[0].startswith(translate("hi", "voice.track.ask_id"))
    assert call.gather["max_input_digits"] == 15
    assert len(messages(gateway, exotel.id, "in")) == inbound + 1


def test_a_missed_call_to_the_exophone_is_answered_by_sms(gateway: LiveGateway) -> None:
    caller = new_number()
    call = exotel_call(gateway, caller=caller, missed=True)
    assert call.start() == []
    sms = inbox(gateway, caller)
    assert len(sms) == 1 and "1. English" in sms[0]


def test_a_gather_fetched_first_starts_the_call(gateway: LiveGateway) -> None:
    """A flow without the starting Passthru still works: the first prompt fetch starts it."""
    call = exotel_call(gateway)
    heard = call.fetch_prompt()
    assert heard[0].startswith("[plays audio en/prompt.")
    exotel = account_row(gateway, "exotel-voice")
    assert [m.external_id for m in messages(gateway, exotel.id, "in")
            if (m.external_id or "").startswith(call.sid)] == [f"{call.sid}:0"]


def test_a_secret_path_is_only_for_exotel(gateway: LiveGateway) -> None:
    acc = gateway.account("twilio-voice")
    response = gateway.http.post(f"{acc['webhook_url']}/s/whatever", data={"CallSid": "CA1"})
    assert response.status_code == 405


def test_the_old_query_token_still_works(gateway: LiveGateway) -> None:
    call = exotel_call(gateway)
    call.query_token = True
    call.start()
    (menu,) = press(call, HINDI)
    assert menu.startswith(translate("hi", "language.set"))


def test_a_gather_without_digits_repeats_the_prompt_then_says_goodbye(
        gateway: LiveGateway) -> None:
    """Nothing pressed, and Exotel sends no `digits` at all: that is no input, not a new call
    (which used to replay the greeting and loop)."""
    call = exotel_call(gateway)
    call.no_digits_when_silent = True
    call.start()
    (menu,) = press(call, HINDI)
    (again,) = call.answer("silence")
    assert again == translate("hi", "ivr.no_input") + " " + menu
    assert call.answer("silence") == ["[flow greeting: goodbye]"]
    exotel = account_row(gateway, "exotel-voice")
    started = [m for m in messages(gateway, exotel.id, "in")
               if m.external_id == f"{call.sid}:0"]
    assert len(started) == 1


def test_a_key_after_a_repeat_is_answered(gateway: LiveGateway) -> None:
    call = exotel_call(gateway)
    call.start()
    press(call, HINDI)
    call.answer("silence")  # digits="": the same prompt once more
    assert translate("hi", "grievance.ask_category") in call.answer("1")[0]
