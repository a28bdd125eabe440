"""The signed Twilio SMS webhook end to end on a live gateway: reject, dedupe, converse."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import pytest
from sqlalchemy import select

from services.grievances.models import Grievance
from services.inbox.models import InboxEvent
from services.messaging.models import Message, OutboxItem
from services.tenancy.models import Tenant
from tests.support.gateway import LiveGateway, SmsPhone

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")


def _stored(gateway: LiveGateway) -> tuple[int, int, int]:
    """Messages, outbox rows and grievances in the database."""
    return gateway.count(Message), gateway.count(OutboxItem), gateway.count(Grievance)


def test_unsigned_webhook_is_rejected_and_nothing_is_stored(gateway: LiveGateway,
                                                            phone: SmsPhone) -> None:
    before = _stored(gateway)
    response = phone.post(phone.form("hello"), signature=None)
    assert response.status_code == 403
    assert response.json() == {"error": "bad_signature"}
    assert _stored(gateway) == before


def test_badly_signed_webhook_is_rejected_and_nothing_is_stored(gateway: LiveGateway,
                                                                phone: SmsPhone) -> None:
    before = _stored(gateway)
    form = phone.form("hello")
    signed_for_other_body = phone.sign({**form, "Body": "something else"})
    assert phone.post(form, signature=signed_for_other_body).status_code == 403
    signed_for_other_url = phone.sign(form, url="http://127.0.0.1:1/webhooks/x")
    assert phone.post(form, signature=signed_for_other_url).status_code == 403
    assert phone.post(form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert _stored(gateway) == before
    assert phone.receive(at_least=1, timeout=0.5) == []


def test_unknown_account_is_404(gateway: LiveGateway, phone: SmsPhone) -> None:
    response = gateway.http.post("/webhooks/twilio-sms/nope", data=phone.form("hi"))
    assert response.status_code == 404


def test_authentic_garbage_is_400(gateway: LiveGateway, phone: SmsPhone) -> None:
    form = phone.form("hello")
    del form["MessageSid"]
    assert phone.post(form).status_code == 400


def test_first_message_asks_for_a_language_with_a_numbered_menu(phone: SmsPhone) -> None:
    shown = phone.chat("hi")
    assert "1. English" in shown
    assert "2. हिन्दी" in shown


def _file_in_hindi(phone: SmsPhone, sid_for_confirm: str | None = None) -> str:
    """Walk the Hindi grievance conversation by SMS; returns the last reply."""
    phone.chat("नमस्ते")
    menu = phone.chat("2")
    assert DEVANAGARI.search(menu)
    assert DEVANAGARI.search(phone.chat("१"))  # file a grievance, typed with a Devanagari digit
    assert DEVANAGARI.search(phone.chat("1"))  # first category
    assert DEVANAGARI.search(phone.chat("1"))  # first locality
    confirm = phone.chat("सड़क पर तीन दिन से कचरा पड़ा है, बदबू आ रही है")
    assert "सड़क पर तीन दिन से कचरा पड़ा है" in confirm
    phone.send("हाँ", sid=sid_for_confirm)
    return "\n".join(phone.receive(1))


def test_hindi_conversation_files_a_grievance(gateway: LiveGateway, phone: SmsPhone) -> None:
    filed = _file_in_hindi(phone)
    found = GRIEVANCE_ID.search(filed)
    assert found, filed
    assert DEVANAGARI.search(filed)
    assert gateway.count(Grievance, Grievance.public_id == found.group()) == 1
    with gateway.ctx.sessions() as db:
        grievance = db.query(Grievance).filter_by(public_id=found.group()).one()
        assert grievance.channel == "sms"
        assert "कचरा" not in grievance.description_enc  # stored encrypted


def test_same_message_sid_twice_files_one_grievance(gateway: LiveGateway,
                                                    phone: SmsPhone) -> None:
    sid = "SM" + "d" * 32
    _file_in_hindi(phone, sid_for_confirm=sid)
    assert gateway.count(Grievance) == 1
    replies_before = len(phone.inbox())
    again = phone.post(phone.form("हाँ", sid=sid))
    assert again.status_code == 200
    assert phone.receive(at_least=1, timeout=1.0) == []
    assert len(phone.inbox()) == replies_before
    assert gateway.count(Grievance) == 1
    assert gateway.count(Message, Message.external_id == sid) == 1


def test_status_callbacks_move_messages_forward_only(gateway: LiveGateway,
                                                     phone: SmsPhone) -> None:
    phone.chat("hi")
    deadline = time.monotonic() + 10
    while True:  # the phone may show the reply before the sender recorded Twilio's sid
        with gateway.ctx.sessions() as db:
            out = db.query(Message).filter_by(direction="out").one()
            sid = out.external_id
        if sid or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert sid and sid.startswith("SM")
    status_url = phone.account["webhook_url"] + "/status"
    base = {"MessageSid": sid, "AccountSid": phone.account["account_sid"],
            "From": phone.account["address"], "To": phone.number, "ApiVersion": "2010-04-01"}

    def post(status: str) -> int:
        form = {**base, "MessageStatus": status}
        signature = phone.sign(form, url=status_url)
        return gateway.http.post(status_url, data=form,
                                 headers={"X-Twilio-Signature": signature}).status_code

    assert post("delivered") == 200
    assert post("sent") == 200  # late and out of order: must not move the message back
    with gateway.ctx.sessions() as db:
        assert db.get_one(Message, out.id).status == "delivered"
    unsigned = gateway.http.post(status_url, data={**base, "MessageStatus": "failed"})
    assert unsigned.status_code == 403
    with gateway.ctx.sessions() as db:
        assert db.get_one(Message, out.id).status == "delivered"


def test_help_menu_and_nonsense_work_anywhere(phone: SmsPhone) -> None:
    phone.chat("hello")
    menu = phone.chat("1")
    assert "1." in menu
    phone.chat("1")  # into the grievance flow: category question
    help_text = phone.chat("help", replies=1)
    assert help_text
    nonsense = phone.chat("purple elephant")
    assert "1." in nonsense  # re-asked with the options
    back = phone.chat("0")
    assert back in menu


def test_session_expiring_mid_flow_resumes_at_the_menu(gateway: LiveGateway,
                                                       phone: SmsPhone) -> None:
    phone.chat("hi")
    menu = phone.chat("1")
    phone.chat("1")  # now inside the grievance flow, asked for a category
    store = gateway.ctx.store
    keys = [k for k in store._data]  # type: ignore[attr-defined]
    assert len(keys) == 1
    store.expire(keys[0])  # type: ignore[attr-defined]
    resumed = phone.chat("3")
    menu_only = menu.split("\n\n", 1)[1]
    assert resumed.endswith(menu_only)  # told it timed out, then the menu — no crash, no guess
    assert resumed != menu_only


def test_single_language_city_skips_the_language_question(gateway: LiveGateway,
                                                          phone: SmsPhone) -> None:
    with gateway.ctx.sessions() as db:
        db.get_one(Tenant, "pb.amritsar").languages = ["hi"]
        db.commit()
    gateway.ctx.master.clear()
    first = phone.chat("hello")
    assert "English" not in first
    assert DEVANAGARI.search(first)
    assert "1." in first and "2." in first  # straight to the (Hindi) main menu


class _FailOnce:
    """Wraps the bot engine: the first step raises, as a crash mid-turn would."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.failed = False

    def step(self, *args: Any) -> Any:
        """Raise once, then behave."""
        if not self.failed:
            self.failed = True
            raise RuntimeError("crash in the middle of a turn")
        return self.engine.step(*args)


def test_a_turn_that_crashes_is_done_again_once_from_the_inbox(
        gateway: LiveGateway, phone: SmsPhone) -> None:
    gateway.ctx.bot = _FailOnce(gateway.ctx.bot)  # type: ignore[assignment]
    assert phone.post(phone.form("hello")).status_code == 200  # recorded before any turn ran
    assert "2. हिन्दी" in "\n".join(phone.receive(1))  # the sweeper ran the turn again
    time.sleep(1.5)  # three more sweeps: nothing runs twice
    assert len(phone.inbox()) == 1
    assert gateway.count(Message, Message.direction == "in") == 1
    with gateway.ctx.sessions() as db:
        row = db.scalars(select(InboxEvent)).one()
    assert (row.status, row.attempts) == ("done", 1)  # one failed turn, then done


def test_logs_never_show_the_citizens_number_or_words(gateway: LiveGateway, phone: SmsPhone,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    phone.chat("नमस्ते")
    phone.chat("2")
    phone.post(phone.form("bad signature"), signature="x")
    logged = "\n".join(
        r.getMessage() for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))  # this test's own client
        and "/sim/twilio/phones/" not in r.getMessage())  # the dev-only simulated handset
    assert "webhook rejected" in logged  # the gateway did log
    national = phone.number[3:]
    assert national not in logged
    assert phone.number not in logged
    assert "नमस्ते" not in logged
    assert phone.account["auth_token"] not in logged


def test_each_sms_records_its_encoding_and_segment_count(gateway: LiveGateway,
                                                         phone: SmsPhone) -> None:
    phone.chat("hi")
    phone.chat("2")  # Hindi from here on
    with gateway.ctx.sessions() as db:
        sent = db.query(Message).filter_by(direction="out").order_by(Message.created_at).all()
        costs = [m.extras["sms"] for m in sent]
    assert costs[0]["encoding"] == "UCS-2"  # the language menu shows हिन्दी
    assert costs[1]["encoding"] == "UCS-2"
    assert all(c["segments"] >= 1 for c in costs)
