"""`nagarsetu chat --channel ivr`: a call from the terminal, keys typed, the prompts printed."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from i18n import translate
from i18n.voice import clip_texts
from services.cli import app
from tests.services.voice.conftest import exotel_call, new_number
from tests.support.gateway import LiveGateway


@pytest.mark.parametrize("provider", ["twilio-voice", "exotel-voice"])
def test_a_call_from_the_terminal(gateway: LiveGateway, provider: str) -> None:
    result = CliRunner().invoke(app, [
        "chat", "--channel", "ivr", "--provider", provider, "--from", new_number(),
        "--gateway", gateway.base_url, "--say", "9", "--say", "1", "--say", "1",
        "--say", "hangup",
        "--wait", "0.2"], terminal_width=200)
    assert result.exit_code == 0, result.output
    # the language menu's Urdu comes from clips: the caller reads their words, not clip ids
    assert "اردو" in result.output and "[plays " not in result.output
    assert translate("hi", "menu.prompt")[:20] in result.output
    assert translate("hi", "grievance.ask_category")[:20] in result.output
    assert "[call ended: completed]" in result.output


def test_ivr_without_a_provider_picks_one(gateway: LiveGateway) -> None:
    result = CliRunner().invoke(app, [
        "chat", "--channel", "ivr", "--from", new_number(), "--gateway", gateway.base_url,
        "--say", "9", "--say", "1", "--wait", "0.2"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert translate("hi", "menu.prompt")[:20] in result.output



def test_what_a_clip_says_is_known_to_the_simulators(gateway: LiveGateway) -> None:
    """The terminal caller reads clips through `/sim/audio/…`: catalog clips, and a joined
    Exotel prompt once rendered; anything else is a 404 with a code."""
    (heard,) = exotel_call(gateway).start()
    played = re.fullmatch(r"\[plays audio (en/prompt\.[0-9a-f]+)\]", heard)
    assert played is not None, heard
    said = gateway.http.get(f"/sim/audio/{played[1]}").json()["text"]
    assert said.startswith("Please choose your language.\n") and "press 9" in said
    ivr_press = clip_texts("ur")["ivr.press.2"]
    assert gateway.http.get("/sim/audio/ur/ivr.press.2").json()["text"] == ivr_press
    for path in ("/sim/audio/ur/no.such.clip", "/sim/audio/xx/digit.4", "/sim/audio/ur/a..b"):
        answer = gateway.http.get(path)
        assert (answer.status_code, answer.json()) == (404, {"detail": {"code": "clip_not_found"}})
