"""Calls to the demo city's Twilio number, end to end on a live gateway."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from i18n import translate
from services.audio.render import build
from services.audio.store import ClipStore, audio_root
from services.contacts.models import Contact
from services.grievances.models import Grievance
from services.messaging.models import Message, OutboxItem
from tests.services.audio.conftest import require_espeak
from tests.services.voice.conftest import (
    HINDI,
    URDU,
    account_row,
    add_account,
    inbox,
    messages,
    new_number,
    outbox_of,
    press,
    twilio_call,
)
from tests.support.gateway import LiveGateway

SPELLED_ID = re.compile(r"P B, A M R, (\d \d \d \d), (\d \d \d \d \d \d)")


def _stored(gateway: LiveGateway) -> tuple[int, int, int, int]:
    """Messages, outbox rows, contacts and grievances in the database."""
    return (gateway.count(Message), gateway.count(OutboxItem), gateway.count(Contact),
            gateway.count(Grievance))


def test_forged_calls_are_refused_and_nothing_is_stored(gateway: LiveGateway) -> None:
    acc = gateway.account("twilio-voice")
    real = twilio_call(gateway)
    real.start()
    url, params, headers = real.last_request or ("", {}, {})
    before = _stored(gateway)
    forged = twilio_call(gateway, account={**acc, "auth_token": "0" * 32})
    with pytest.raises(Exception, match="403"):
        forged.start()
    unsigned = gateway.http.post(acc["webhook_url"], data=params)
    assert unsigned.status_code == 403 and unsigned.json() == {"error": "bad_signature"}
    answer = {**params, "Digits": "2"}
    signature = RequestValidator(acc["auth_token"]).compute_signature(url + "?step=1", answer)
    for other_url in (url + "?step=2", url + "?step=1&menu=1"):  # the step is signed too
        moved = gateway.http.post(other_url, data=answer,
                                  headers={**headers, "X-Twilio-Signature": signature})
        assert moved.status_code == 403
    changed = gateway.http.post(url + "?step=1", data={**answer, "Digits": "3"},
                                headers={**headers, "X-Twilio-Signature": signature})
    assert changed.status_code == 403
    assert _stored(gateway) == before


def test_a_hindi_call_files_a_grievance_by_keypad(gateway: LiveGateway) -> None:
    caller = new_number()
    call = twilio_call(gateway, caller=caller)
    first = " ".join(call.start())
    assert first.startswith("Please choose your language. For English, press 1.")
    assert first.endswith("For other languages, press 9.")  # the state's default alone first
    menu = " ".join(press(call, HINDI))
    assert translate("hi", "menu.prompt") in menu
    assert "शिकायत दर्ज करने के लिए 1 दबाएँ।" in menu  # written for the ear
    assert translate("hi", "grievance.ask_category") in " ".join(call.answer("1"))
    assert translate("hi", "grievance.ask_locality") in " ".join(call.answer("1"))
    ask = call.answer("1")
    assert translate("hi", "ivr.record_hint") in " ".join(ask) and ask[-1] == "[beep]"
    confirm = " ".join(call.answer("गली में तीन दिन से कचरा पड़ा है"))
    assert translate("hi", "ivr.recording") in confirm and "http" not in confirm
    filed = " ".join(call.answer("1"))
    spelled = SPELLED_ID.search(filed)
    assert spelled, filed
    grievance_id = "PB-AMR-{}-{}".format(*(g.replace(" ", "") for g in spelled.groups()))
    assert translate("hi", "ivr.sms_copy") in filed
    assert filed.endswith(translate("hi", "ivr.menu_hint"))

    with gateway.ctx.sessions() as db:
        grievance = db.scalar(select(Grievance).where(Grievance.public_id == grievance_id))
        assert grievance is not None and grievance.channel == "voice"
        description = gateway.ctx.crypto.decrypt(grievance.description_enc)
    assert description == translate("hi", "ivr.recording")  # the recording is media

    sms = inbox(gateway, caller)
    assert len(sms) == 1 and grievance_id in sms[0]
    head = translate("hi", "grievance.filed", {"id": grievance_id, "due": "\0"}).split("\0")[0]
    assert sms[0].startswith(head)

    voice = account_row(gateway, "twilio-voice")
    replies = messages(gateway, voice.id, "out")
    assert replies and all(m.status == "delivered" for m in replies)
    assert outbox_of(gateway, voice.id) == 0  # spoken replies never go through the outbox
    # answers 1-7; "9" (the other languages) turned a page of the menu and logged no reply
    assert [m.external_id for m in replies][-3:] == [f"{call.sid}:{n}" for n in (5, 6, 7)]
    assert f"{call.sid}:1" not in [m.external_id for m in replies]


def test_a_retried_webhook_gets_the_same_twiml_and_steps_once(gateway: LiveGateway) -> None:
    call = twilio_call(gateway)
    call.start()
    assert call.retry().text == call.twiml[-1]
    press(call, HINDI)
    voice = account_row(gateway, "twilio-voice")
    before = len(messages(gateway, voice.id, "in")), len(messages(gateway, voice.id, "out"))
    for _ in range(3):
        again = call.retry()
        assert again.status_code == 200 and again.text == call.twiml[-1]
    after = len(messages(gateway, voice.id, "in")), len(messages(gateway, voice.id, "out"))
    assert after == before
    # Stepped once: the next key picks from the main menu, not from a menu seen twice.
    assert translate("hi", "grievance.ask_category") in " ".join(call.answer("1"))


def test_0_goes_back_to_the_main_menu(gateway: LiveGateway) -> None:
    call = twilio_call(gateway)
    call.start()
    press(call, HINDI)
    call.answer("1")
    assert translate("hi", "menu.prompt") in " ".join(call.answer("0"))


def test_speech_picks_an_option(gateway: LiveGateway) -> None:
    call = twilio_call(gateway)
    call.start()
    press(call, HINDI)
    assert translate("hi", "grievance.ask_category") in " ".join(call.answer("शिकायत"))


def test_no_answer_is_asked_once_more_then_the_call_ends_politely(gateway: LiveGateway) -> None:
    call = twilio_call(gateway)
    call.start()
    press(call, HINDI)
    again = call.answer("silence")
    assert again[0] == translate("hi", "ivr.no_input")
    assert translate("hi", "menu.prompt") in again[1]
    assert call.answer("silence") == [translate("hi", "ivr.goodbye")]
    assert call.ended == "completed"
    voice = account_row(gateway, "twilio-voice")
    ended = [m for m in messages(gateway, voice.id, "in") if m.external_id == f"{call.sid}:end"]
    assert len(ended) == 1 and ended[0].extras == {"payload": "completed"}


def test_the_end_of_a_call_is_only_logged(gateway: LiveGateway) -> None:
    call = twilio_call(gateway)
    call.start()
    voice = account_row(gateway, "twilio-voice")
    out_before = len(messages(gateway, voice.id, "out"))
    call.answer("hangup")
    call.report("completed")  # Twilio may report a status twice: it is logged once
    ends = [m for m in messages(gateway, voice.id, "in") if m.external_id == f"{call.sid}:end"]
    assert len(ends) == 1
    assert len(messages(gateway, voice.id, "out")) == out_before


def test_an_urdu_call_plays_clips_that_exist(gateway: LiveGateway) -> None:
    require_espeak()
    build(ClipStore(audio_root(gateway.settings)), ["ur"])
    call = twilio_call(gateway)
    call.start()
    press(call, URDU)
    gather = ET.fromstring(call.twiml[-1])[0]
    assert gather.tag == "Gather" and gather.get("language") == "ur-IN"
    plays = [child.text or "" for child in gather]
    assert plays and {child.tag for child in gather} == {"Play"}
    built = [u for u in plays if "/free." not in u]
    assert built and all("v=" in u for u in built)  # prebuilt clips are versioned
    assert any("/ur/menu.prompt.0.wav" in u for u in plays)
    for url in plays:
        split = urlsplit(url)
        assert parse_qs(split.query)["tenant"] == ["pb.amritsar"]
        response = gateway.http.get(split.path + "?" + split.query)
        assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
        assert response.content[:4] == b"RIFF"


def test_a_missed_call_is_answered_by_sms(gateway: LiveGateway) -> None:
    missed = add_account(gateway, "twilio-voice", {
        "account_sid": "AC" + "7" * 32, "auth_token": "8" * 32, "address": "+15005550011",
        "missed_call": True})
    caller = new_number()
    call = twilio_call(gateway, caller=caller, account=missed)
    assert call.start() == []
    assert [(c.tag, c.attrib) for c in ET.fromstring(call.twiml[-1])] == [
        ("Reject", {"reason": "busy"})]
    assert call.ended == "busy"
    sms = inbox(gateway, caller)
    assert len(sms) == 1 and "1. English" in sms[0] and "2. हिन्दी" in sms[0]
    logged = messages(gateway, missed["id"], "in")
    assert [m.external_id for m in logged] == [f"{call.sid}:missed", f"{call.sid}:end"]
    assert messages(gateway, missed["id"], "out") == []
    assert call.retry().status_code == 200  # Twilio's retry: no second SMS
    assert len(inbox(gateway, caller, at_least=2, timeout=1.0)) == 1


def test_the_sms_conversation_goes_on_after_a_missed_call(gateway: LiveGateway) -> None:
    from tests.support.gateway import SmsPhone

    missed = add_account(gateway, "twilio-voice", {
        "account_sid": "AC" + "5" * 32, "auth_token": "6" * 32, "address": "+15005550012",
        "missed_call": "true"})
    caller = new_number()
    twilio_call(gateway, caller=caller, account=missed).start()
    phone = SmsPhone(gateway, caller)
    assert "1. English" in phone.receive()[0]
    assert translate("hi", "menu.prompt") in phone.chat("2")


def test_sms_webhooks_still_take_only_post(gateway: LiveGateway) -> None:
    acc = gateway.account("twilio-sms")
    assert gateway.http.get(acc["webhook_url"]).status_code == 405
    assert gateway.http.post(acc["webhook_url"] + "/prompt").status_code == 405


def test_logs_never_show_the_auth_token(gateway: LiveGateway,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    acc = gateway.account("twilio-voice")
    forged = twilio_call(gateway, account={**acc, "auth_token": "0" * 32})
    with pytest.raises(Exception, match="403"):
        forged.start()
    call = twilio_call(gateway)
    call.start()
    press(call, HINDI)
    call.answer("hangup")
    assert "bad_signature" in caplog.text
    assert acc["auth_token"] not in caplog.text
    assert acc["auth_token"] not in " ".join(str(r.args) for r in caplog.records)
    row = account_row(gateway, "twilio-voice")
    assert acc["auth_token"] not in row.config_enc  # encrypted at rest
    assert gateway.ctx.crypto.decrypt_json(row.config_enc)["auth_token"] == acc["auth_token"]


def test_the_terminal_phone_plays_the_call(gateway: LiveGateway) -> None:
    from channels.registry import terminal_phone

    caller = new_number()
    phone = terminal_phone("twilio-voice", gateway.base_url, caller,
                           gateway.account("twilio-voice"))
    (first,) = phone.receive(0.1)
    assert "Please choose your language." in first and "press 9" in first  # a clip's words
    phone.send(HINDI[0])
    (others,) = phone.receive(0.1)
    assert "اردو" in others and "[plays " not in others  # Urdu, from a clip: its words
    phone.send(HINDI[1])
    (menu,) = phone.receive(0.1)
    assert translate("hi", "menu.prompt") in menu
    phone.send("hangup")
    assert phone.receive(0.1) == ["[call ended: completed]"]



def test_a_long_menu_is_heard_four_at_a_time_and_key_5_turns_the_page(
        gateway: LiveGateway) -> None:
    """The demo city has eight categories: four, then "more" on 5, then the next four; the key
    picks what the caller heard on the page they are at."""
    call = twilio_call(gateway)
    call.start()
    press(call, HINDI)
    first = " ".join(call.answer("1"))  # file a grievance: the categories
    more = translate("hi", "ivr.key.more", {"digit": 5})
    assert first.endswith(more)
    assert " 6 दबाएँ" not in first and first.count("दबाएँ") == 5  # four and "more"
    voice = account_row(gateway, "twilio-voice")
    logged = len(messages(gateway, voice.id, "out"))
    second = " ".join(call.answer("5"))
    assert len(messages(gateway, voice.id, "out")) == logged  # a page, not a turn
    assert second.startswith(translate("hi", "grievance.ask_category"))
    fifth = second.split(translate("hi", "grievance.ask_category"), 1)[1]
    assert " 1 दबाएँ।" in fifth and translate("hi", "grievance.ask_locality") not in fifth
    asked = " ".join(call.answer("1"))  # the fifth category, as heard: on to the locality
    assert translate("hi", "grievance.ask_locality") in asked
    assert "ivr.key" not in asked
