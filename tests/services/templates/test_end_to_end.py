"""A citizen files a grievance by DLT SMS on the live gateway; every SMS matched its template."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import select

from channels.exotel_sms import simulator as exotel
from channels.msg91_sms import simulator as msg91
from channels.registry import terminal_phone
from channels.terminal import TerminalPhone
from i18n import translate
from services.grievances.models import Grievance
from services.messaging.models import Message
from services.templates.demo import DEMO_ENTITY_ID, DEMO_HEADER, seed_demo_templates
from services.templates.dlt import check_dlt
from services.templates.models import MessageTemplate
from tests.support.gateway import LiveGateway

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
DESCRIPTION = "पानी की पाइप टूटी है, मंदिर के पास सड़क पर पानी बह रहा है"


def _seeded(gateway: LiveGateway) -> dict[tuple[str, str], MessageTemplate]:
    """The demo templates (seeded here, in case the demo seed does not yet), by channel and id."""
    with gateway.ctx.sessions() as db:
        seed_demo_templates(db)
        db.commit()
        rows = db.scalars(select(MessageTemplate)).all()
        db.expunge_all()
    return {(row.channel_type, row.provider_id): row for row in rows}


def _chat(phone: TerminalPhone, text: str) -> str:
    """Send and return the one reply."""
    phone.send(text)
    (reply,) = phone.receive(timeout=10)
    return reply


def _settled(gateway: LiveGateway, account_id: str, count: int) -> list[Message]:
    """The account's outbound messages once `count` of them reported delivered."""
    deadline = time.monotonic() + 10
    while True:
        with gateway.ctx.sessions() as db:
            rows = db.query(Message).filter_by(account_id=account_id, direction="out").all()
        if len(rows) >= count and all(m.status == "delivered" for m in rows):
            return rows
        if time.monotonic() > deadline:
            pytest.fail(f"statuses: {[(m.status, m.error_code) for m in rows]}")
        time.sleep(0.05)


def test_grievance_over_exotel_sms_in_hindi(gateway: LiveGateway) -> None:
    templates = _seeded(gateway)
    exotel.reset()
    account = gateway.account("exotel-sms")
    number = "+919812300101"
    phone = terminal_phone("exotel-sms", gateway.base_url, number, account)
    assert "1. English" in _chat(phone, "नमस्ते")
    # the menu, in Hindi (with the bills entries "language set" costs no segment more: kept)
    assert translate("hi", "menu.prompt") in _chat(phone, "2")
    assert "श्रेणी" in _chat(phone, "1")  # file a complaint: the categories
    _chat(phone, "1")  # the first category: the localities
    _chat(phone, "1")  # the first locality: describe it
    confirm = _chat(phone, DESCRIPTION)
    assert DESCRIPTION in confirm
    filed = _chat(phone, "1")
    public_id = GRIEVANCE_ID.search(filed)
    assert public_id is not None
    assert gateway.count(Grievance, Grievance.public_id == public_id.group()) == 1

    requests: list[dict[str, Any]] = [r["form"] for r in exotel.received_requests()]
    assert len(requests) == 7 and all(form["To"] == number for form in requests)
    for form in requests:
        template = templates[("exotel-sms", form["DltTemplateId"])]
        check_dlt(form["Body"], template.text)
        assert exotel.scrub(form["Body"], template.text)  # the operator's view agrees
        assert (form["DltEntityId"], form["From"]) == (DEMO_ENTITY_ID, DEMO_HEADER)
        assert form["EncodingType"] == "unicode" and "token=" in form["StatusCallback"]
    keys = [templates[("exotel-sms", f["DltTemplateId"])].message_key for f in requests]
    assert keys == ["language.prompt", "language.set+menu.prompt", "grievance.ask_category",
                    "grievance.ask_locality", "grievance.ask_description",
                    "grievance.confirm", "grievance.filed"]
    _settled(gateway, account["id"], 7)  # Exotel's callbacks came back with our secret


def test_language_choice_over_msg91(gateway: LiveGateway) -> None:
    templates = _seeded(gateway)
    msg91.reset()
    account = gateway.account("msg91-sms")
    phone = terminal_phone("msg91-sms", gateway.base_url, "+919812300102", account)
    assert "1. English" in _chat(phone, "hi")
    assert "How can we help you today?" in _chat(phone, "1")
    sent = [r["json"] for r in msg91.received_requests()]
    assert [s["sms"][0]["to"] for s in sent] == [["919812300102"], ["919812300102"]]
    for body in sent:
        template = templates[("msg91-sms", body["DLT_TE_ID"])]
        check_dlt(body["sms"][0]["message"], template.text)
        assert body["sender"] == DEMO_HEADER
    _settled(gateway, account["id"], 2)  # delivery reports reached the status webhook
