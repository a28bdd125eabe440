"""The bot token lives in Bot API URLs; no log line (DEBUG included) or error may ever show it."""

from __future__ import annotations

import logging

import pytest

from channels.base import REDACTED
from channels.contract import Choice, OutboundMessage, WebhookRequest
from channels.errors import BadSignature, ChannelError
from channels.registry import build_adapter
from channels.telegram import simulator
from channels.telegram.adapter import Adapter
from channels.telegram.payloads import SECRET_HEADER
from channels.telegram.simulator import Fault
from tests.channels.telegram.support import (
    BOT_TOKEN,
    CITIZEN,
    SECRET,
    FakeTelegram,
)

SECRETS = (BOT_TOKEN, BOT_TOKEN.split(":", 1)[1], SECRET)


def _exception_text(exc: BaseException) -> str:
    """str and repr of an exception and everything chained to it."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen), repr(getattr(seen, "args", ()))]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def _adapter(config: dict[str, str]) -> Adapter:
    """An adapter from the registry."""
    built = build_adapter("telegram", config)
    assert isinstance(built, Adapter)
    return built


def test_logs_and_errors_never_contain_the_token(fake_telegram: FakeTelegram,
                                                 closed_port_url: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """Sends that succeed and fail, a download and a refused webhook, logged with tracebacks
    at DEBUG (PTB logs every call's URL base and parameters there, httpx every URL at INFO)."""
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("tests.channels.telegram.redaction")
    config = fake_telegram.account()
    bot = _adapter(config)
    failures: list[ChannelError] = []
    forged = WebhookRequest("POST", "https://nagarsetu.example.in/webhooks/telegram/acc-9",
                            {SECRET_HEADER: SECRET[:-1]}, b'{"update_id": 1}')
    try:
        bot.handle_webhook(forged, "inbound")
    except BadSignature as exc:
        failures.append(exc)
    bot.send(OutboundMessage(CITIZEN, "Choose", choices=(Choice("hi", "हिन्दी"),)), None)
    simulator.add_file("f1", b"\xff\xd8jpeg", "photos/file_1.jpg")
    assert bot.fetch_media("tg-file:f1")[0] == b"\xff\xd8jpeg"
    simulator.inject_faults(Fault(429, retry_after=3), Fault(401), Fault(500))
    for _ in range(3):
        try:
            bot.send(OutboundMessage(CITIZEN, "hello"), None)
        except ChannelError as exc:
            failures.append(exc)
    for broken in ({**config, "api_base": closed_port_url + "/bot"},):
        try:
            _adapter(broken).send(OutboundMessage(CITIZEN, "hello"), None)
        except ChannelError as exc:
            failures.append(exc)
    try:
        bot.fetch_media("tg-file:missing")
    except ChannelError as exc:
        failures.append(exc)
    assert [f.code for f in failures] == ["bad_signature", "throttled", "config_error",
                                          "provider_down", "connection_failed", "config_error"]
    for failure in failures:
        log.warning("failure %s %r config=%s", failure, failure, bot.redacted_config(),
                    exc_info=failure)
        for secret in SECRETS:
            assert secret not in _exception_text(failure)
    log.debug("objects %r %r %r", bot, bot.client, bot.client.bot())
    assert "HTTP Request: POST" in caplog.text  # httpx logged every call, at INFO…
    assert "/botREDACTED/sendMessage" in caplog.text  # …with the token masked
    assert "Calling Bot API endpoint" in caplog.text  # PTB logged at DEBUG
    everything = caplog.text + " ".join(str(r.args) + r.getMessage() for r in caplog.records)
    for secret in SECRETS:
        assert secret not in everything


def test_redacted_config_hides_both_secrets(fake_telegram: FakeTelegram) -> None:
    """The loggable config keeps every key but neither the bot token nor the webhook secret."""
    bot = _adapter(fake_telegram.account())
    redacted = bot.redacted_config()
    assert redacted["bot_token"] == redacted["secret_token"] == REDACTED
    assert redacted["api_base"] == fake_telegram.api_base
    for secret in SECRETS:
        assert secret not in repr(redacted) and secret not in repr(bot)
        assert secret not in repr(bot.client) and secret not in repr(bot.client.bot())
