"""Each adapter's provider sending limits, an account's `mps` override, and the docs' table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from channels.contract import RateLimit
from channels.errors import ConfigError
from channels.registry import adapter_class, build_adapter, channel_types

DOC = Path(__file__).resolve().parents[2] / "docs" / "channels.md"

# channel type -> (per account, per recipient) a default account gets
EXPECTED: dict[str, tuple[RateLimit | None, RateLimit | None]] = {
    "telegram": (RateLimit(30), RateLimit(3, 3.0)),
    "whatsapp-cloud": (RateLimit(80), RateLimit(45, 270.0)),
    "twilio-whatsapp": (RateLimit(80), RateLimit(45, 270.0)),
    "twilio-sms": (RateLimit(1), None),
    "exotel-sms": (RateLimit(3), None),
    "msg91-sms": (RateLimit(10), None),
    "webchat": (None, None),
    "twilio-voice": (RateLimit(1), None),  # outbound calls: 1 CPS per account
    "exotel-voice": (RateLimit(1), None),
}

CONFIGS: dict[str, dict[str, Any]] = {
    "telegram": {"bot_token": "7123456789:AAHk3Jx9Qm2Lr8Tz5Vb1Nc4Wd7Ye0Fg6Hu3",
                 "secret_token": "s3cret", "address": "CityBot"},
    "twilio-sms": {"account_sid": "AC" + "a" * 32, "auth_token": "t" * 32,
                   "address": "+12185550142"},
    "webchat": {"token_secret": "w" * 32},
}


def test_every_channel_type_is_listed() -> None:
    """A new adapter must say what its provider allows."""
    assert set(EXPECTED) == set(channel_types())


@pytest.mark.parametrize("channel_type", sorted(EXPECTED))
def test_provider_defaults(channel_type: str) -> None:
    """The class declares its provider's documented limits."""
    caps = adapter_class(channel_type).capabilities
    assert (caps.account_rate, caps.recipient_rate) == EXPECTED[channel_type]


@pytest.mark.parametrize(("mps", "expected"), [("10", RateLimit(10)), (25, RateLimit(25)),
                                               ("0.5", RateLimit(1, 2.0)),
                                               (2.7, RateLimit(2))])
def test_an_account_sets_its_own_rate(mps: object, expected: RateLimit) -> None:
    """A toll-free number or a short code has more than a long code: `mps` says how much."""
    sms = build_adapter("twilio-sms", {**CONFIGS["twilio-sms"], "mps": mps})
    assert sms.send_limits() == (expected, None)


def test_the_recipient_rate_is_the_providers() -> None:
    """`mps` changes the bot's rate, never the per-chat one Telegram imposes."""
    bot = build_adapter("telegram", {**CONFIGS["telegram"], "mps": "100"})
    assert bot.send_limits() == (RateLimit(100), RateLimit(3, 3.0))
    assert build_adapter("telegram", CONFIGS["telegram"]).send_limits() == EXPECTED["telegram"]


@pytest.mark.parametrize("mps", ["fast", "0", "-3", "nan", "inf", [1]])
def test_a_nonsense_rate_is_refused(mps: object) -> None:
    """An account with an unusable `mps` is not stored (ConfigError), never unlimited."""
    with pytest.raises(ConfigError):
        build_adapter("twilio-sms", {**CONFIGS["twilio-sms"], "mps": mps})


def test_channels_without_a_provider_rate_ignore_mps() -> None:
    """Web chat is our own server: nothing to pace."""
    assert build_adapter("webchat", {**CONFIGS["webchat"], "mps": "5"}).send_limits() == (
        None, None)


def _cell(limit: RateLimit | None) -> str:
    """How the docs write a limit."""
    return "—" if limit is None else f"{limit.count} / {limit.seconds:g} s"


@pytest.mark.parametrize("channel_type", sorted(EXPECTED))
def test_docs_table_matches(channel_type: str) -> None:
    """docs/channels.md's sending-limits table says what the code enforces."""
    caps = adapter_class(channel_type).capabilities
    row = (f"| `{channel_type}` | {_cell(caps.account_rate)} | "
           f"{_cell(caps.recipient_rate)} |")
    assert row in DOC.read_text(encoding="utf-8")
