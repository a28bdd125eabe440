"""WhatsApp end to end on a live gateway: a grievance filed in Hindi by tapping buttons."""

from __future__ import annotations

import re
import secrets
import time
import uuid

from channels.registry import terminal_phone
from channels.twilio_whatsapp.phone import TerminalPhone
from services.grievances.models import Grievance
from services.messaging.models import Message
from tests.support.gateway import LiveGateway, SmsPhone

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
DEVANAGARI = re.compile(r"[\u0900-\u097F]{3,}")


def whatsapp(gateway: LiveGateway, number: str | None = None) -> TerminalPhone:
    """A citizen's WhatsApp talking to the demo city's simulated sender."""
    number = number or "+9197" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("twilio-whatsapp", gateway.base_url, "whatsapp:" + number,
                           gateway.account("twilio-whatsapp"))
    assert isinstance(phone, TerminalPhone)
    return phone


def chat(phone: TerminalPhone, text: str) -> str:
    """Send (or tap, for `#n`) and return the one reply."""
    phone.send(text)
    replies = phone.receive(timeout=10)
    assert len(replies) == 1, replies
    return replies[0]


def tap(phone: TerminalPhone, option_id: str) -> str:
    """Tap the option with this id on the latest buttons or list; return the reply."""
    ids = [option["id"] for option in phone.options]
    assert option_id in ids, ids
    return chat(phone, f"#{ids.index(option_id) + 1}")


def test_file_a_grievance_in_hindi_by_tapping(gateway: LiveGateway) -> None:
    phone = whatsapp(gateway)
    languages = chat(phone, "नमस्ते")
    assert "☰" in languages and "हिन्दी" in languages  # a list picker
    menu = tap(phone, "hi")
    assert DEVANAGARI.search(menu) and len(phone.options) == 6  # the demo city takes payments
    categories = tap(phone, "grievance")
    assert DEVANAGARI.search(categories)
    where = chat(phone, "#1")  # WhatsApp can share a location, so it is asked for first
    assert DEVANAGARI.search(where) and [o["id"] for o in phone.options] == ["__location__", "skip"]
    phone.share_location(31.6200, 74.8765)
    localities = phone.receive(timeout=10)[0]  # the demo city has no ward map: the list
    assert DEVANAGARI.search(localities) and len(phone.options) > 2
    assert DEVANAGARI.search(chat(phone, "#1"))  # now the description
    photo = chat(phone, "गली में तीन दिन से कचरा पड़ा है")
    assert [o["id"] for o in phone.options] == ["skip"]
    url = phone.send_photo(b"\xff\xd8\xff fake jpeg", caption="")
    confirm = phone.receive(timeout=10)[0]
    assert photo and "गली में तीन दिन से कचरा पड़ा है" in confirm
    assert [o["kind"] for o in phone.options] == ["button", "button"]  # yes / no buttons
    filed = tap(phone, "yes")
    found = GRIEVANCE_ID.search(filed)
    assert found, filed
    assert DEVANAGARI.search(filed)
    assert gateway.count(Grievance, Grievance.public_id == found.group(),
                         Grievance.channel == "whatsapp") == 1
    with gateway.ctx.sessions() as db:
        row = db.query(Grievance).filter_by(public_id=found.group()).one()
        evidence = gateway.ctx.crypto.decrypt_json(str(row.evidence_enc))
    assert evidence == {"location": {"lat": 31.62, "lon": 74.8765}, "photos": [url]}
    deadline = time.monotonic() + 10  # sent, delivered, read come back signed
    while gateway.count(Message, Message.direction == "out", Message.status == "read") < 9:
        assert time.monotonic() < deadline, "status callbacks did not arrive"
        time.sleep(0.1)


def test_a_redelivered_webhook_has_one_effect(gateway: LiveGateway) -> None:
    phone = whatsapp(gateway)
    sid = "SM" + uuid.uuid4().hex
    for _ in range(2):
        assert phone.post({"Body": "hello", "MessageSid": sid, "SmsSid": sid,
                           "SmsMessageSid": sid}).status_code == 200
    assert len(phone.receive(timeout=5)) == 1
    assert phone.receive(timeout=1) == []
    assert gateway.count(Message, Message.direction == "in") == 1


def test_forged_webhook_is_refused(gateway: LiveGateway) -> None:
    account = gateway.account("twilio-whatsapp")
    response = gateway.http.post(account["webhook_url"], data={
        "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": account["account_sid"],
        "From": "whatsapp:+919812345678", "To": account["address"], "Body": "hi"},
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    assert response.status_code == 403
    assert gateway.count(Message) == 0


def test_language_follows_the_number_from_sms(gateway: LiveGateway) -> None:
    """SMS and WhatsApp share `tel:` contacts: Hindi chosen by SMS greets on WhatsApp too."""
    sms = SmsPhone(gateway)
    sms.chat("hello")
    assert DEVANAGARI.search(sms.chat("हिन्दी"))
    phone = whatsapp(gateway, sms.number)
    menu = chat(phone, "नमस्ते")
    assert DEVANAGARI.search(menu) and "हिन्दी" not in menu.split("\n")[0]
    assert {o["id"] for o in phone.options} == {"grievance", "track", "bills", "payments",
                                                "language", "help"}
