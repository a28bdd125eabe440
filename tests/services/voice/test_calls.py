"""A call's replies in the message log: replayed for retries, numbered after the prompt served."""

from __future__ import annotations

import logging

from channels.contract import Ask, Choice, InboundEvent, MessagePart, OutboundMessage
from services.contacts.service import get_or_create
from services.voice.calls import (
    latest,
    log_reply,
    numbered,
    replies_to,
    serve,
    served_step,
    step_of,
)
from services.web.access_log import HIDE_QUERY_STRINGS
from tests.services.voice.conftest import account_row
from tests.support.gateway import LiveGateway

CALL = "c0ffee"


def test_step_of() -> None:
    assert [step_of(x) for x in ("CA1:0", "CA1:12", "CA1:end", "CA1", None, "")] == [
        0, 12, None, None, None, None]


def test_replies_are_logged_replayed_and_served_in_turn(gateway: LiveGateway) -> None:
    ctx = gateway.ctx
    account = account_row(gateway, "exotel-voice")
    reply = OutboundMessage("+919876543210", "Pick one", (Choice("a", "A"),), Ask.CHOICE, "hi",
                            parts=(MessagePart("grievance.filed", {"id": "PB-AMR-2026-000001",
                                                                   "due": "3 दिसंबर"}),))
    bare = InboundEvent(CALL, "+919876543210", "+918047100200", text="1", session=CALL)
    with ctx.sessions() as db:
        contact = get_or_create(db, ctx.crypto, account.tenant_id, "tel:+919876543210")
        assert numbered(db, account.id, bare).external_id == f"{CALL}:1"  # nothing served yet
        for step in (0, 1):
            log_reply(db, ctx.crypto, account=account, contact=contact, message=reply,
                      external_id=f"{CALL}:{step}")
        db.commit()
        assert served_step(db, account.id, CALL) == 0
        row = latest(db, account.id, CALL)
        assert row is not None and row.external_id == f"{CALL}:1"
        assert "PB-AMR" not in str(row.extras)  # parameters are encrypted like the body
        serve(row)
        db.commit()
        assert served_step(db, account.id, CALL) == 1
        assert numbered(db, account.id, bare).external_id == f"{CALL}:2"
        numbered_already = InboundEvent(f"{CALL}:7", "+919876543210", "x", session=CALL)
        assert numbered(db, account.id, numbered_already) is numbered_already
        (again,) = replies_to(db, ctx.crypto, account.id, f"{CALL}:1", "+919876543210")
        assert (again.text, again.choices, again.ask, again.parts, again.language) == (
            reply.text, reply.choices, reply.ask, reply.parts, "hi")
        assert replies_to(db, ctx.crypto, account.id, f"{CALL}:9", "+91") == ()


def test_access_logs_hide_the_exotel_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5555", "GET",
         "/webhooks/exotel-voice/a1/prompt?token=5e0c3a9b1d7f&CallSid=x&digits=%221%22", "1.1",
         200), None)
    assert HIDE_QUERY_STRINGS.filter(record)
    line = record.getMessage()
    assert "5e0c3a9b1d7f" not in line
    assert '"GET /webhooks/exotel-voice/a1/prompt HTTP/1.1" 200' in line
