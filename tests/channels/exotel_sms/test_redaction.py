"""Exotel credentials and the webhook secret never reach logs, errors or the loggable config."""

from __future__ import annotations

import logging

import pytest

from channels.base import REDACTED
from channels.contract import OutboundMessage, TemplateRef, WebhookRequest
from channels.errors import BadSignature, ConfigError, ConnectionFailed, ProviderDown, SendError
from channels.exotel_sms import simulator
from channels.registry import build_adapter
from tests.channels.exotel_sms.server import SimServer, closed_port

API_TOKEN = "9c1f0e2d3b4a59687766554433221100"
SECRET = "pQ7vN2kX9sLm4TzR8wYb3HcJ"
SECRETS = (API_TOKEN, SECRET)


def _config(fake: SimServer) -> dict[str, str]:
    """An account with both secrets set."""
    return {"account_sid": "nagarsetu1", "api_key": "4c0ffee15900d5e7a1b2c3d4e5f60718",
            "api_token": API_TOKEN, "webhook_secret": SECRET, "address": "+918047091234",
            "api_base": fake.api_base}


def _text(exc: BaseException) -> str:
    """str and repr of an exception and everything chained to it."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def test_redacted_config_hides_both_secrets(fake_exotel: SimServer) -> None:
    """The loggable config keeps every key but neither secret's value."""
    adapter = build_adapter("exotel-sms", _config(fake_exotel))
    redacted = adapter.redacted_config()
    assert redacted["api_token"] == redacted["webhook_secret"] == REDACTED
    assert set(redacted) == set(_config(fake_exotel))
    assert not any(s in repr(redacted) or s in repr(adapter) for s in SECRETS)


def test_logs_and_errors_never_contain_a_secret(fake_exotel: SimServer,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """Sends that succeed and fail, and a refused webhook, logged at DEBUG, show no secret."""
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("tests.channels.redaction")
    config = _config(fake_exotel)
    ref = TemplateRef("1107161234567890123", "en", (), {"entity_id": "1101", "header": "NGRSTU"})
    outbound = OutboundMessage("+919876543210", "hi", template=ref)
    build_adapter("exotel-sms", config).send(outbound, fake_exotel.hook_url("status"))
    failures: list[BaseException] = []
    simulator.inject_faults(500)
    for account in (config, {**config, "api_base": closed_port()}):
        with pytest.raises(SendError) as failed:
            build_adapter("exotel-sms", account).send(outbound, fake_exotel.hook_url("s"))
        failures.append(failed.value)
    simulator.register_account("nagarsetu1", "4c0ffee15900d5e7a1b2c3d4e5f60718", "other")
    with pytest.raises(ConfigError) as refused:
        build_adapter("exotel-sms", config).send(outbound, None)
    failures.append(refused.value)
    request = WebhookRequest("POST", "https://x.example/webhooks/exotel-sms/a?token=" + "0" * 24,
                             {}, b"SmsSid=1&From=1&To=2&Body=hi")
    with pytest.raises(BadSignature) as rejected:
        build_adapter("exotel-sms", config).handle_webhook(request, "inbound")
    failures.append(rejected.value)
    assert [type(f) for f in failures] == [ProviderDown, ConnectionFailed, ConfigError,
                                           BadSignature]
    for failure in failures:
        log.warning("failure %r config=%s", failure, build_adapter(
            "exotel-sms", config).redacted_config(), exc_info=failure)
        assert not any(s in _text(failure) for s in SECRETS)
    # The simulator, playing the provider, logs the callback URL it calls: that is Exotel's
    # side of the wire, so its thread is left out.
    ours = "\n".join(r.getMessage() for r in caplog.records if "_report" not in r.threadName)
    assert "HTTP Request" in ours  # httpx did log each request
    assert not any(s in ours for s in SECRETS)
