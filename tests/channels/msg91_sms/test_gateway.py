"""A long-code SMS that MSG91 forwards as a GET, on a live gateway (it used to get 405)."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from channels.registry import terminal_phone
from services.inbox.models import InboxEvent
from services.messaging.models import Message
from services.templates.demo import seed_demo_templates
from tests.support.gateway import LiveGateway

IST = ZoneInfo("Asia/Kolkata")


def _forward(number: str, long_code: str, text: str) -> dict[str, str]:
    """The long-code forward's query fields (numbers with the country code, no `+`)."""
    return {"inNumber": long_code.lstrip("+"), "sender": number.lstrip("+"), "keyword": "",
            "comments": text, "rcvd": datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")}


def test_a_long_code_sms_forwarded_as_a_get_is_answered(gateway: LiveGateway) -> None:
    with gateway.ctx.sessions() as db:
        seed_demo_templates(db)  # DLT SMS replies go out only as registered templates
        db.commit()
    account = gateway.account("msg91-sms")
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("msg91-sms", gateway.base_url, number, account)
    fields = _forward(number, account["address"], "नमस्ते")
    params = {**fields, "token": account["webhook_secret"]}
    answer = gateway.http.get(account["webhook_url"], params=params)
    assert answer.status_code == 200 and answer.text == ""
    replies = phone.receive(timeout=10)
    assert len(replies) == 1 and "1. English" in replies[0]
    assert gateway.http.get(account["webhook_url"], params=params).status_code == 200
    gateway.settle()
    assert phone.receive(timeout=0.5) == []  # a retried forward has one effect


def test_a_get_without_the_secret_is_refused(gateway: LiveGateway) -> None:
    account = gateway.account("msg91-sms")
    before = gateway.count(Message), gateway.count(InboxEvent)
    fields = _forward("+919876500000", account["address"], "menu")
    for params in (fields, {**fields, "token": "x" + account["webhook_secret"]}):
        refused = gateway.http.get(account["webhook_url"], params=params)
        assert refused.status_code == 403 and refused.json() == {"error": "bad_signature"}
    assert (gateway.count(Message), gateway.count(InboxEvent)) == before
    assert gateway.http.head(account["webhook_url"]).status_code == 405  # not a MSG91 method
