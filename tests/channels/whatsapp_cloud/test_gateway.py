"""End to end on a live gateway: a citizen files a grievance in Hindi by tapping buttons/lists."""

from __future__ import annotations

import json
import re
import secrets
import time

from typer.testing import CliRunner

from channels.registry import terminal_phone
from channels.whatsapp_cloud.payloads import SIGNATURE_HEADER, envelope, signature
from channels.whatsapp_cloud.phone import TerminalPhone
from services.cli import app
from services.grievances.models import Grievance
from services.messaging.models import Message
from tests.support.gateway import LiveGateway

DEVANAGARI = re.compile(r"[\u0900-\u097F]{3,}")
GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")


def _phone(gateway: LiveGateway) -> TerminalPhone:
    """A fresh citizen's WhatsApp talking to the demo city's simulated number."""
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("whatsapp-cloud", gateway.base_url, number,
                           gateway.account("whatsapp-cloud"))
    assert isinstance(phone, TerminalPhone)
    return phone


def _say(phone: TerminalPhone, text: str) -> str:
    """Send and return the one reply of the turn."""
    phone.send(text)
    replies = phone.receive(timeout=10)
    assert len(replies) == 1, f"expected one reply to {text!r}, got {replies}"
    return replies[0]


def _tap(phone: TerminalPhone, option_id: str) -> str:
    """Tap the button or list row with this id in the last message; the reply."""
    ids = [o["id"] for o in phone.options]
    assert option_id in ids, f"{option_id!r} not offered: {ids}"
    return _say(phone, str(ids.index(option_id) + 1))


def test_hindi_grievance_by_taps(gateway: LiveGateway) -> None:
    """Language list, menu list, category list, landmark, locality list, yes: a grievance id."""
    phone = _phone(gateway)
    languages = _say(phone, "नमस्ते")
    assert phone.reply_kind == "list" and "हिन्दी" in languages
    menu = _tap(phone, "hi")
    assert DEVANAGARI.search(menu) and phone.options
    categories = _tap(phone, "grievance")
    assert DEVANAGARI.search(categories) and phone.reply_kind == "list"
    where = _tap(phone, phone.options[0]["id"])  # the first category; the location first
    assert where.endswith("[📍]") and not phone.options  # WhatsApp's own location button
    localities = _say(phone, "Near the water tank")  # a typed landmark stands for it
    assert len(phone.options) == 10 and phone.options[-1]["id"] == "__more__"
    assert DEVANAGARI.search(localities)
    _tap(phone, phone.options[0]["id"])  # the first locality
    photo = _say(phone, "सड़क पर तीन दिन से कचरा पड़ा है, बदबू आ रही है")
    assert DEVANAGARI.search(photo) and [o["id"] for o in phone.options] == ["skip"]
    confirm = _tap(phone, "skip")
    assert "सड़क पर तीन दिन से कचरा पड़ा है" in confirm and phone.reply_kind == "button"
    filed = _tap(phone, "yes")
    found = GRIEVANCE_ID.search(filed)
    assert found, filed
    with gateway.ctx.sessions() as db:
        grievance = db.query(Grievance).filter_by(public_id=found.group()).one()
        assert grievance.channel == "whatsapp"
        inbound = db.query(Message).filter_by(direction="in").all()
        assert inbound and all(str(m.external_id).startswith("wamid.") for m in inbound)


def test_same_wamid_twice_has_one_effect(gateway: LiveGateway) -> None:
    """Meta delivers at least once: a repeated message id is acknowledged and ignored."""
    phone = _phone(gateway)
    account = phone.account
    message = {"from": phone.sender.lstrip("+"), "id": "wamid.HBgMRFVQTElDQVRFAA==",
               "timestamp": str(int(time.time())), "type": "text", "text": {"body": "hi"}}
    body = json.dumps(envelope(account["phone_number_id"], account["address"], {
        "contacts": [{"profile": {"name": "x"}, "wa_id": message["from"]}],
        "messages": [message]})).encode()
    headers = {SIGNATURE_HEADER: signature(account["app_secret"], body),
               "Content-Type": "application/json"}
    for _ in range(2):
        answer = gateway.http.post(account["webhook_url"], content=body, headers=headers)
        assert answer.status_code == 200, answer.text
    assert len(phone.receive(timeout=10)) == 1
    assert phone.receive(timeout=1) == []
    assert gateway.count(Message, Message.external_id == message["id"]) == 1


def test_forged_webhook_is_403(gateway: LiveGateway) -> None:
    """A body not signed with the account's app secret is refused before anything is stored."""
    account = gateway.account("whatsapp-cloud")
    before = gateway.count(Message)
    answer = gateway.http.post(account["webhook_url"], content=b'{"object": "x"}', headers={
        SIGNATURE_HEADER: signature("not-the-app-secret", b'{"object": "x"}')})
    assert answer.status_code == 403 and answer.json() == {"error": "bad_signature"}
    assert gateway.count(Message) == before


def test_handshake_and_statuses_through_the_gateway(gateway: LiveGateway) -> None:
    """Meta's GET handshake is answered, so the simulator reports statuses up to `read`."""
    account = gateway.account("whatsapp-cloud")
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444",
             "hub.verify_token": account["verify_token"]}
    answer = gateway.http.get(account["webhook_url"], params=query)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    wrong = gateway.http.get(account["webhook_url"], params={**query, "hub.verify_token": "x"})
    assert wrong.status_code == 403
    phone = _phone(gateway)
    assert phone.subscribed
    _say(phone, "नमस्ते")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with gateway.ctx.sessions() as db:
            statuses = [m.status for m in db.query(Message).filter_by(direction="out")]
        if statuses == ["read"]:
            break
        time.sleep(0.05)
    assert statuses == ["read"]


def test_terminal_chat_over_whatsapp(gateway: LiveGateway) -> None:
    """`nagarsetu chat --channel whatsapp` shows buttons as [n] lines and taps them by number."""
    result = CliRunner().invoke(app, [
        "chat", "--channel", "whatsapp", "--provider", "whatsapp-cloud",
        "--from", "+919812300001", "--gateway", gateway.base_url,
        "--say", "नमस्ते", "--say", "2", "--wait", "10"])
    assert result.exit_code == 0, result.output
    assert "[2] हिन्दी" in result.output
    assert DEVANAGARI.search(result.output.split("> 2", 1)[1])
    assert "(no reply yet)" not in result.output
