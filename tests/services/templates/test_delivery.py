"""Delivery on a live gateway: DLT SMS is refused before the provider, never sent off-template."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from channels.contract import OutboundMessage, SendResult
from channels.exotel_sms import simulator
from channels.registry import terminal_phone
from channels.twilio_sms.adapter import Adapter as TwilioSms
from i18n import translate
from services.accounts.models import ChannelAccount
from services.db.base import utcnow
from services.messaging.models import Message, OutboxItem
from services.templates.models import MessageTemplate
from services.templates.service import register
from services.tenancy.models import Tenant
from services.tenancy.service import greeting_languages
from tests.support.gateway import LiveGateway, SmsPhone


def language_menu(db: Session, options: int) -> str:
    """The language question (a line in each of the demo state's languages, the default
    first) with `options` numbered options, as a template."""
    greeting = greeting_languages(db, db.get_one(Tenant, "pb"))
    return "\n".join(translate(code, "language.prompt") for code in greeting) + "\n\n" + (
        "\n".join(f"{n}. {{#var#}}" for n in range(1, options + 1)))


def _outbound(gateway: LiveGateway, account_id: str, timeout: float = 10.0,
              until: tuple[str, ...] = ("failed", "delivered")) -> list[Message]:
    """Outbound messages of an account once all of them reached one of `until`."""
    deadline = time.monotonic() + timeout
    while True:
        with gateway.ctx.sessions() as db:
            rows = db.query(Message).filter_by(account_id=account_id, direction="out").all()
            if rows and all(m.status in until for m in rows):
                return rows
        if time.monotonic() > deadline:
            pytest.fail(f"outbound messages still pending: {[m.status for m in rows]}")
        time.sleep(0.05)


@pytest.fixture
def exotel(gateway: LiveGateway) -> dict[str, str]:
    """The demo city's simulated Exotel account, with no template registered anywhere."""
    simulator.reset()
    with gateway.ctx.sessions() as db:
        db.execute(delete(MessageTemplate))
        db.commit()
    return gateway.account("exotel-sms")


def test_a_mismatched_sms_is_refused_and_never_reaches_the_provider(
        gateway: LiveGateway, exotel: dict[str, str]) -> None:
    with gateway.ctx.sessions() as db:
        register(db, tenant_id="pb.amritsar", channel_type="exotel-sms", key="language.prompt",
                 language="en", provider_id="1107000000000000001", options=5,
                 text=language_menu(db, 5).replace("Please choose", "Kindly pick"),
                 variables=[f"choice.{n}" for n in range(1, 6)],
                 extra={"entity_id": "1101000000000004242", "header": "NGRSTU"})
        db.commit()
    phone = terminal_phone("exotel-sms", gateway.base_url, "+919812300001", exotel)
    phone.send("hello")
    (message,) = _outbound(gateway, exotel["id"])
    assert (message.status, message.error_code) == ("failed", "template_mismatch")
    with gateway.ctx.sessions() as db:
        item = db.query(OutboxItem).filter_by(message_id=message.id).one()
        assert (item.status, item.attempts, item.last_error) == ("failed", 1,
                                                                 "template_mismatch")
    assert simulator.received_requests() == []
    assert phone.receive(timeout=0.5) == []


def test_a_reply_without_a_template_is_refused(gateway: LiveGateway,
                                               exotel: dict[str, str]) -> None:
    phone = terminal_phone("exotel-sms", gateway.base_url, "+919812300002", exotel)
    phone.send("hello")
    (message,) = _outbound(gateway, exotel["id"])
    assert (message.status, message.error_code) == ("failed", "template_missing")
    assert simulator.received_requests() == []


def test_the_matching_template_goes_out_with_its_dlt_fields(gateway: LiveGateway,
                                                            exotel: dict[str, str]) -> None:
    with gateway.ctx.sessions() as db:
        register(db, tenant_id="pb", channel_type="exotel-sms", key="language.prompt",
                 language="en", provider_id="1107000000000000002", options=5,
                 text=language_menu(db, 5), variables=[f"choice.{n}" for n in range(1, 6)],
                 extra={"entity_id": "1101000000000004242", "header": "NGRSTU"})
        db.commit()
    phone = terminal_phone("exotel-sms", gateway.base_url, "+919812300003", exotel)
    phone.send("hello")
    assert "1. English" in phone.receive(timeout=10)[0]
    (request,) = simulator.received_requests()
    assert {k: request["form"][k] for k in ("DltTemplateId", "DltEntityId", "From")} == {
        "DltTemplateId": "1107000000000000002", "DltEntityId": "1101000000000004242",
        "From": "NGRSTU"}
    (message,) = _outbound(gateway, exotel["id"])  # the status callback carried our secret
    assert (message.status, message.error_code) == ("delivered", None)


def test_a_session_window_channel_gets_a_template_only_outside_its_window(
        gateway: LiveGateway, phone: SmsPhone, monkeypatch: pytest.MonkeyPatch) -> None:
    """A WhatsApp-like channel (monkeypatched Twilio SMS): free text inside the window, the
    registered template once the citizen has been silent longer than the window."""
    seen: list[OutboundMessage] = []
    original = TwilioSms.send

    def spy(self: TwilioSms, message: OutboundMessage, callback: str | None) -> SendResult:
        seen.append(message)
        return original(self, message, callback)
    monkeypatch.setattr(TwilioSms, "capabilities", replace(
        TwilioSms.capabilities, templates=True, session_window_hours=24))
    monkeypatch.setattr(TwilioSms, "send", spy)
    with gateway.ctx.sessions() as db:
        options = TwilioSms.capabilities.page_size + 1
        register(db, tenant_id="pb", channel_type="twilio-sms", key="language.prompt",
                 language="en", provider_id="language_prompt", options=options,
                 text=language_menu(db, options),
                 variables=[f"choice.{n}" for n in range(1, options + 1)])
        db.commit()
    phone.chat("hello")
    assert [m.template for m in seen] == [None]
    with gateway.ctx.sessions() as db:
        account = db.query(ChannelAccount).filter_by(channel_type="twilio-sms").one()
        inbound = db.query(Message).filter_by(account_id=account.id, direction="in").one()
        inbound.created_at = utcnow() - timedelta(hours=25)
        last = db.query(Message).filter_by(account_id=account.id, direction="out").one()
        copy: dict[str, Any] = {k: getattr(last, k) for k in (
            "tenant_id", "account_id", "contact_id", "body_enc", "extras", "language")}
        again = Message(direction="out", **copy)
        db.add(again)
        db.flush()
        db.add(OutboxItem(tenant_id=again.tenant_id, message_id=again.id))
        db.commit()
    deadline = time.monotonic() + 10
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(seen) == 2 and seen[1].template is not None
    assert seen[1].template.name == "language_prompt"
    assert seen[1].template.variables[:2] == ("English", "हिन्दी")
