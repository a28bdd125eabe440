"""Incoming SMS the way Exotel documents it, on a live gateway: a HEAD probe, then a GET.

Exotel's reply applet checks with HEAD that the URL answers `text/plain` "and nothing else",
then sends the SMS's fields in a GET query; both used to be refused with 405.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from channels.exotel_sms import simulator as exotel
from channels.registry import terminal_phone
from channels.webhook_secret import with_token
from services.inbox.models import InboxEvent
from services.messaging.models import Message
from services.templates.demo import seed_demo_templates
from tests.support.gateway import LiveGateway

IST = ZoneInfo("Asia/Kolkata")


def _number() -> str:
    """A fresh citizen's mobile number."""
    return "+9198" + str(secrets.randbelow(10**8)).zfill(8)


def _fields(number: str, exophone: str, body: str) -> dict[str, str]:
    """The query Exotel's applet sends (Indian numbers with a leading 0, India time)."""
    return {"SmsSid": uuid.uuid4().hex, "From": exotel.national(number),
            "To": exotel.national(exophone), "Body": body,
            "Date": datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")}


def test_a_head_probe_then_a_get_reaches_the_conversation(gateway: LiveGateway) -> None:
    with gateway.ctx.sessions() as db:
        seed_demo_templates(db)  # DLT SMS replies go out only as registered templates
        db.commit()
    account = gateway.account("exotel-sms")
    number = _number()
    phone = terminal_phone("exotel-sms", gateway.base_url, number, account)
    url = with_token(account["webhook_url"], account["webhook_secret"])
    probe = gateway.http.head(url)
    assert probe.status_code == 200 and probe.headers["content-type"] == "text/plain"
    assert probe.content == b""
    fields = _fields(number, account["address"], "नमस्ते")
    url += "&" + urlencode(fields)  # the applet URL (with our secret) plus Exotel's fields
    answer = gateway.http.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/plain"
    assert answer.text == ""  # a body would go back to the citizen as a second SMS
    replies = phone.receive(timeout=10)
    assert len(replies) == 1 and "1. English" in replies[0]
    again = gateway.http.get(url)  # Exotel retries: one effect
    assert again.status_code == 200
    gateway.settle()
    assert gateway.count(InboxEvent, InboxEvent.external_id == fields["SmsSid"]) == 1
    assert phone.receive(timeout=0.5) == []


def test_probe_and_get_without_the_secret_are_refused(gateway: LiveGateway) -> None:
    account = gateway.account("exotel-sms")
    before = gateway.count(Message), gateway.count(InboxEvent)
    fields = _fields(_number(), account["address"], "menu")
    wrong = with_token(account["webhook_url"], "not-" + account["webhook_secret"])
    for url in (account["webhook_url"], wrong):
        assert gateway.http.head(url).status_code == 403
        refused = gateway.http.get(url + ("&" if "?" in url else "?") + urlencode(fields))
        assert refused.status_code == 403 and refused.json() == {"error": "bad_signature"}
    assert (gateway.count(Message), gateway.count(InboxEvent)) == before


def test_the_terminal_phone_talks_like_exotel(gateway: LiveGateway) -> None:
    """`nagarsetu chat --provider exotel-sms` sends HEAD then GET, as Exotel does."""
    with gateway.ctx.sessions() as db:
        seed_demo_templates(db)
        db.commit()
    phone = terminal_phone("exotel-sms", gateway.base_url, _number(),
                           gateway.account("exotel-sms"))
    phone.send("hello")
    assert "1. English" in phone.receive(timeout=10)[0]


def test_head_is_refused_where_the_provider_never_sends_it(gateway: LiveGateway) -> None:
    account = gateway.account("twilio-sms")
    assert gateway.http.head(account["webhook_url"]).status_code == 405
