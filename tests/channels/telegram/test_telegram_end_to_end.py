"""A citizen on Telegram, end to end: the live gateway, the simulated Bot API, the terminal phone.

Language, menu, category, locality and confirmation are chosen by pressing inline buttons
(callback queries, answered in the webhook response); the description is typed.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx
from typer.testing import CliRunner

from channels.registry import terminal_phone
from channels.telegram import simulator
from channels.telegram.payloads import SECRET_HEADER
from channels.telegram.phone import DEMO_POINT, TerminalPhone, buttons_of, message_update
from services.cli import app
from services.grievances.models import Grievance
from services.messaging.models import Message
from tests.support.gateway import LiveGateway

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
DEVANAGARI = re.compile(r"[\u0900-\u097F]{3,}")


def phone_for(gateway: LiveGateway) -> TerminalPhone:
    """A new Telegram user (random chat id) on the demo city's simulated bot."""
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("telegram", gateway.base_url, number, gateway.account("telegram"))
    assert isinstance(phone, TerminalPhone)
    return phone


def say(phone: TerminalPhone, text: str) -> str:
    """Type a message and return the bot's reply as the terminal shows it."""
    phone.send(text)
    return "\n---\n".join(phone.receive(10))


def press(phone: TerminalPhone, *, label: str | None = None, data: str | None = None,
          index: int | None = None) -> str:
    """Press a button of the bot's last message (by label, callback data or position)."""
    assert phone.last is not None
    buttons = buttons_of(phone.last)
    if index is None:
        index = next(i for i, b in enumerate(buttons, start=1)
                     if b["text"] == label or b.get("callback_data") == data)
    phone.press(index)
    return "\n---\n".join(phone.receive(10))


def test_hindi_grievance_by_pressing_buttons(gateway: LiveGateway) -> None:
    """/start, हिन्दी, file a grievance, first category and locality, describe, yes: a number."""
    phone = phone_for(gateway)
    languages = say(phone, "/start")
    assert "हिन्दी" in languages and phone.last is not None
    assert all("callback_data" in b for b in buttons_of(phone.last))
    menu = press(phone, label="हिन्दी")
    assert DEVANAGARI.search(menu), menu
    categories = press(phone, data="grievance")
    assert DEVANAGARI.search(categories) and buttons_of(phone.last)
    press(phone, index=1)  # the first category: Telegram can share a location, so it is asked
    share, skip = buttons_of(phone.last)
    assert share.get("request_location") is True and "request_location" not in skip
    press(phone, index=1)  # the phone shares its (demo) location; no ward map: the list
    assert len(buttons_of(phone.last)) > 2
    description_prompt = press(phone, index=1)  # the first locality
    assert not buttons_of(phone.last)  # free text now
    photo_prompt = say(phone, "गली में तीन दिन से कचरा पड़ा है")
    assert photo_prompt and description_prompt
    confirm = press(phone, data="skip")  # no photo this time
    assert "गली में तीन दिन से कचरा पड़ा है" in confirm
    filed = press(phone, data="yes")
    found = GRIEVANCE_ID.search(filed)
    assert found, filed
    assert DEVANAGARI.search(filed)
    assert gateway.count(Grievance, Grievance.public_id == found.group(),
                         Grievance.channel == "telegram") == 1
    with gateway.ctx.sessions() as db:
        row = db.query(Grievance).filter_by(public_id=found.group()).one()
        evidence = gateway.ctx.crypto.decrypt_json(str(row.evidence_enc))
    assert evidence == {"location": {"lat": DEMO_POINT[0], "lon": DEMO_POINT[1]}}
    answers = [r for r in simulator.received_requests() if r["method"] == "answerCallbackQuery"]
    assert len(answers) >= 5  # every press was answered, as Telegram does with webhook replies
    account = gateway.account("telegram")
    assert all(r["token"] == account["bot_token"] for r in answers)


def _post(gateway: LiveGateway, update: dict[str, Any], secret: str | None) -> httpx.Response:
    """POST an update to the demo bot's webhook with the given secret header."""
    account = gateway.account("telegram")
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return gateway.http.post(account["webhook_url"], json=update, headers=headers)


def test_webhook_secret_and_dedupe_through_the_gateway(gateway: LiveGateway) -> None:
    """No or a wrong secret is 403 and stores nothing; a redelivered update has one effect."""
    secret = gateway.account("telegram")["secret_token"]
    update = message_update(5_555_000_111, 1, text="hello")
    before = gateway.count(Message)
    assert _post(gateway, update, None).status_code == 403
    assert _post(gateway, update, secret[:-1] + "x").status_code == 403
    assert gateway.count(Message) == before
    assert _post(gateway, {"update_id": "x"}, secret).status_code == 400
    assert _post(gateway, update, secret).status_code == 200
    assert _post(gateway, update, secret).status_code == 200
    assert gateway.count(Message, Message.direction == "in") == 1


def test_ignored_updates_are_acknowledged(gateway: LiveGateway) -> None:
    """An edited message is answered 200 (so Telegram does not retry) and changes nothing."""
    secret = gateway.account("telegram")["secret_token"]
    edited = message_update(5_555_000_222, 1, text="hello", edit_date=1717221660)
    edited["edited_message"] = edited.pop("message")
    assert _post(gateway, edited, secret).status_code == 200
    assert gateway.count(Message) == 0


def test_cli_chat_over_telegram(gateway: LiveGateway) -> None:
    """`nagarsetu chat --channel telegram`: typed numbers press the numbered buttons."""
    result = CliRunner().invoke(app, [
        "chat", "--channel", "telegram", "--from", "+919812345677",
        "--gateway", gateway.base_url, "--say", "/start", "--wait", "10"])
    assert result.exit_code == 0, result.output
    number = re.search(r"\[(\d)\] हिन्दी", result.output)
    assert number, result.output
    pressed = CliRunner().invoke(app, [
        "chat", "--channel", "telegram", "--from", "+919812345677",
        "--gateway", gateway.base_url, "--say", "/start", "--say", number.group(1),
        "--wait", "10"])
    assert pressed.exit_code == 0, pressed.output
    assert DEVANAGARI.search(pressed.output.split(f"> {number.group(1)}", 1)[1])
