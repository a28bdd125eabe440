"""`nagarsetu chat` talks to a running gateway as an SMS phone, with signed webhooks."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from services.cli import app
from services.messaging.models import Message
from tests.support.gateway import LiveGateway

DEVANAGARI = re.compile(r"[\u0900-\u097F]{3,}")


def test_terminal_chat_round_trips_in_hindi(gateway: LiveGateway) -> None:
    result = CliRunner().invoke(app, [
        "chat", "--channel", "sms", "--from", "+919812345678", "--gateway", gateway.base_url,
        "--say", "नमस्ते", "--say", "2", "--say", "मदद", "--wait", "10"])
    assert result.exit_code == 0, result.output
    assert "हिन्दी" in result.output  # the language menu
    after_choice = result.output.split("> 2", 1)[1]
    assert DEVANAGARI.search(after_choice)  # Hindi in, Hindi out
    assert "(no reply yet)" not in result.output
    assert gateway.count(Message, Message.direction == "in") == 3
    assert gateway.count(Message, Message.direction == "out", Message.status == "pending") == 0


def test_terminal_chat_explains_a_missing_gateway() -> None:
    result = CliRunner().invoke(app, ["chat", "--gateway", "http://127.0.0.1:9", "--say", "hi"],
                                terminal_width=200)
    assert result.exit_code != 0
    said = " ".join(result.output.replace("│", " ").split())
    assert "no gateway answers at http://127.0.0.1:9" in said
    assert "--gateway URL" in said  # how to point it at a running one
    assert "./dev run" in said  # and how to start one


def test_terminal_chat_rejects_an_unknown_channel(gateway: LiveGateway) -> None:
    result = CliRunner().invoke(app, ["chat", "--channel", "fax", "--gateway", gateway.base_url,
                                      "--say", "hi"])
    assert result.exit_code != 0
    assert "no simulated fax account" in result.output
    assert "telegram" in result.output  # the error lists the channels there are
