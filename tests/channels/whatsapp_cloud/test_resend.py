"""Meta reports a reply failed with 131047 (the 24-hour window had closed): the gateway sends
it once more as its approved template, and only once — on a live gateway with the fake Meta."""

from __future__ import annotations

import secrets
import time
from typing import Any

from channels.registry import terminal_phone
from channels.whatsapp_cloud import simulator
from services.messaging.models import Message
from services.templates.service import register
from tests.support.gateway import LiveGateway


def _sent(number: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """What the fake Meta accepted for a number, once there are `count` messages (or later)."""
    deadline = time.monotonic() + timeout
    while len(simulator.sent_to(number)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return simulator.sent_to(number)


def _outbound(gateway: LiveGateway) -> list[Message]:
    """The WhatsApp Cloud account's outbound log, oldest first."""
    account_id = gateway.account("whatsapp-cloud")["id"]
    with gateway.ctx.sessions() as db:
        return list(db.query(Message).filter_by(account_id=account_id, direction="out")
                    .order_by(Message.created_at, Message.id))


def test_a_reply_failed_for_the_window_goes_again_as_its_template_once(
        gateway: LiveGateway) -> None:
    options = 10  # nine languages and "more" in the first list
    with gateway.ctx.sessions() as db:  # the approved template of the first reply
        register(db, tenant_id="pb", channel_type="whatsapp-cloud", key="language.prompt",
                 language="en", provider_id="language_prompt", options=options,
                 text="Please choose your language: " + ", ".join(
                     f"{{{{{n}}}}}" for n in range(1, options + 1)),
                 variables=[f"choice.{n}" for n in range(1, options + 1)])
        db.commit()
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("whatsapp-cloud", gateway.base_url, number,
                           gateway.account("whatsapp-cloud"))
    simulator.script_delivery(number, "sent", "failed", error_code=131047)
    phone.send("नमस्ते")
    first, second = _sent(number, 2)[:2]
    assert first["body"]["type"] != "template"  # free-form: our log saw the window open
    assert second["body"]["type"] == "template"
    template = second["body"]["template"]
    assert (template["name"], template["language"]["code"]) == ("language_prompt", "en")
    (body,) = template["components"]
    assert [p["text"] for p in body["parameters"]][:2] == ["English", "हिन्दी"]
    assert second["body"]["to"] == first["body"]["to"]
    time.sleep(1.0)  # the copy fails the same way (scripted): it is not copied again
    gateway.settle()
    assert len(simulator.sent_to(number)) == 2
    deadline = time.monotonic() + 10
    while [m.status for m in _outbound(gateway)] != ["failed", "failed"]:
        assert time.monotonic() < deadline, [(m.status, m.error_code) for m in _outbound(gateway)]
        time.sleep(0.05)
    original, copy = _outbound(gateway)
    assert (original.error_code, copy.error_code) == ("131047", "131047")
    assert copy.extras["resend_of"] == original.id and copy.extras["template_only"] is True
    assert copy.body_enc == original.body_enc and copy.contact_id == original.contact_id


def test_other_failures_are_not_resent(gateway: LiveGateway) -> None:
    """An undeliverable number (131026) stays failed: only the window asks for the template."""
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("whatsapp-cloud", gateway.base_url, number,
                           gateway.account("whatsapp-cloud"))
    simulator.script_delivery(number, "sent", "failed", error_code=131026)
    phone.send("नमस्ते")
    deadline = time.monotonic() + 10
    while [m.status for m in _outbound(gateway)] != ["failed"]:
        assert time.monotonic() < deadline, [(m.status, m.error_code) for m in _outbound(gateway)]
        time.sleep(0.05)
    time.sleep(0.5)
    gateway.settle()
    assert len(simulator.sent_to(number)) == 1 and len(_outbound(gateway)) == 1
