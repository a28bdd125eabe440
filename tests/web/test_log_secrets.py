"""A full run's logs hold none of the secrets or phone numbers it used.

A gateway serves several channels (Twilio SMS, WhatsApp Cloud with its verify handshake,
Telegram, Exotel SMS with its URL secret, Exotel voice applets over GET) while every log record
of the server's threads is captured at INFO: uvicorn's access log, the app's loggers and the
HTTP clients'.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from channels.registry import terminal_phone
from tests.support.gateway import LiveGateway, SmsPhone, free_port, make_settings

CAPTURED = ("", "uvicorn", "uvicorn.access", "uvicorn.error")


class Capture(logging.Handler):
    """Keeps every formatted record emitted outside the test's own thread (the clients)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.main = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        """Format and keep a server-side record."""
        if record.thread != self.main:
            self.lines.append(self.format(record))


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[tuple[LiveGateway, Capture]]:
    """A live gateway whose loggers all emit INFO into one capture."""
    port = free_port()
    live = LiveGateway(make_settings(tmp_path, port), port)
    capture = Capture()
    levels = {}
    for name in CAPTURED:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(capture)
    live.start()
    yield live, capture
    live.stop()
    for name in CAPTURED:
        logging.getLogger(name).removeHandler(capture)
        logging.getLogger(name).setLevel(levels[name])


def number() -> str:
    """A fresh Indian mobile number."""
    return "+9198" + str(secrets.randbelow(10**8)).zfill(8)


def test_no_secret_or_number_in_any_log_line(logged: tuple[LiveGateway, Capture]) -> None:
    gateway, capture = logged
    used: list[str] = []

    sms = SmsPhone(gateway, number())
    assert sms.chat("hello")
    used += [sms.number, sms.account["auth_token"]]

    cloud = gateway.account("whatsapp-cloud")
    challenge = secrets.token_hex(8)
    query = {"hub.mode": "subscribe", "hub.verify_token": cloud["verify_token"],
             "hub.challenge": challenge}
    handshake = gateway.http.get(cloud["webhook_url"] + "?" + urlencode(query))
    assert handshake.status_code == 200 and handshake.text == challenge
    wrong = gateway.http.get(cloud["webhook_url"] + "?" + urlencode(
        {**query, "hub.verify_token": "Wr0ng-" + cloud["verify_token"]}))
    assert wrong.status_code == 403
    whatsapp = terminal_phone("whatsapp-cloud", gateway.base_url, number(), cloud)
    whatsapp.send("hello")
    assert whatsapp.receive(10)
    used += [cloud["verify_token"], cloud["app_secret"], cloud["access_token"],
             whatsapp.sender]  # type: ignore[attr-defined]

    bot = gateway.account("telegram")
    chat_id = str(5_550_000_000 + secrets.randbelow(10**6))
    telegram = terminal_phone("telegram", gateway.base_url, chat_id, bot)
    telegram.send("hello")
    assert telegram.receive(10)
    used += [chat_id, bot["bot_token"], bot["secret_token"]]

    exotel = gateway.account("exotel-sms")
    sender = number()
    inbound = {"SmsSid": secrets.token_hex(16), "From": "0" + sender[3:],
               "To": "0" + exotel["address"][3:], "Body": "my private complaint text"}
    got = gateway.http.post(
        exotel["webhook_url"] + "?" + urlencode({"token": exotel["webhook_secret"]}),
        data=inbound)
    assert got.status_code == 200, got.text
    used += [exotel["webhook_secret"], exotel["api_key"], exotel["api_token"], sender,
             sender[3:], "my private complaint text", "private+complaint"]

    voice = gateway.account("exotel-voice")
    caller = number()
    call = {"token": voice["token"], "CallSid": secrets.token_hex(16),
            "CallFrom": "0" + caller[3:], "CallTo": "0" + voice["address"][3:],
            "From": "0" + caller[3:], "To": "0" + voice["address"][3:],
            "Direction": "incoming", "CallType": "call-attempt"}
    started = gateway.http.get(voice["webhook_url"] + "?" + urlencode(call))
    assert started.status_code < 400, started.text
    prompt = gateway.http.get(voice["webhook_url"] + "/prompt?" + urlencode(call))
    assert prompt.status_code == 200, prompt.text
    pressed = gateway.http.get(voice["webhook_url"] + "?" + urlencode({**call, "digits": '"1"'}))
    assert pressed.status_code < 400, pressed.text
    in_path = {k: v for k, v in call.items() if k != "token"}
    secret_url = f"{voice['webhook_url']}/s/{voice['token']}"
    again = gateway.http.get(secret_url + "/prompt?" + urlencode(in_path))  # the secret in the path
    assert again.status_code == 200, again.text
    assert gateway.http.get(secret_url + "/prompt/route?" + urlencode(in_path)).status_code < 400
    used += [voice["token"], caller, caller[3:]]

    time.sleep(1.0)  # let the dispatcher's sends (and their client log lines) finish
    text = "\n".join(capture.lines)
    assert "GET /webhooks/whatsapp-cloud/" in text  # the access log was captured
    assert "POST /webhooks/twilio-sms/" in text
    leaked = [value for value in used if value in text]
    assert not leaked, [line for line in capture.lines if any(v in line for v in leaked)][:5]
