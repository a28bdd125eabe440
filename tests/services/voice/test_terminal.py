"""`nagarsetu chat --channel ivr`: a call from the terminal, keys typed, the prompts printed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from i18n import translate
from services.cli import app
from tests.services.voice.conftest import new_number
from tests.support.gateway import LiveGateway


@pytest.mark.parametrize("provider", ["twilio-voice", "exotel-voice"])
def test_a_call_from_the_terminal(gateway: LiveGateway, provider: str) -> None:
    result = CliRunner().invoke(app, [
        "chat", "--channel", "ivr", "--provider", provider, "--from", new_number(),
        "--gateway", gateway.base_url, "--say", "9", "--say", "1", "--say", "1",
        "--say", "hangup",
        "--wait", "0.2"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "[plays " in result.output  # the other languages: Urdu, Odia… come from clips
    assert translate("hi", "menu.prompt")[:20] in result.output
    assert translate("hi", "grievance.ask_category")[:20] in result.output
    assert "[call ended: completed]" in result.output


def test_ivr_without_a_provider_picks_one(gateway: LiveGateway) -> None:
    result = CliRunner().invoke(app, [
        "chat", "--channel", "ivr", "--from", new_number(), "--gateway", gateway.base_url,
        "--say", "9", "--say", "1", "--wait", "0.2"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert translate("hi", "menu.prompt")[:20] in result.output
