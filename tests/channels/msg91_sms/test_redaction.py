"""The MSG91 auth key and webhook secret never reach logs, errors or the loggable config."""

from __future__ import annotations

import logging

import pytest

from channels.base import REDACTED
from channels.contract import OutboundMessage, TemplateRef, WebhookRequest
from channels.errors import BadSignature, ConfigError, ConnectionFailed, ProviderDown, SendError
from channels.msg91_sms import simulator
from channels.registry import build_adapter
from tests.channels.exotel_sms.server import SimServer, closed_port

AUTH_KEY = "341234AbCdEfGh5f6a7b8c9dP1"
SECRET = "Xk4mP9qR2sT7vW1yZ5bN8cF3"
SECRETS = (AUTH_KEY, SECRET)


def _text(exc: BaseException) -> str:
    """str and repr of an exception and everything chained to it."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def test_redacted_config_hides_both_secrets(fake_msg91: SimServer) -> None:
    """The loggable config keeps every key but neither secret's value."""
    config = {"auth_key": AUTH_KEY, "webhook_secret": SECRET, "api_base": fake_msg91.api_base}
    adapter = build_adapter("msg91-sms", config)
    redacted = adapter.redacted_config()
    assert redacted["auth_key"] == redacted["webhook_secret"] == REDACTED
    assert redacted["api_base"] == fake_msg91.api_base
    assert not any(s in repr(redacted) or s in repr(adapter) for s in SECRETS)


def test_logs_and_errors_never_contain_a_secret(fake_msg91: SimServer,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """Sends that succeed and fail, and a refused webhook, logged at DEBUG, show no secret."""
    caplog.set_level(logging.DEBUG)
    config = {"auth_key": AUTH_KEY, "webhook_secret": SECRET, "api_base": fake_msg91.api_base}
    outbound = OutboundMessage("+919876543210", "hi", template=TemplateRef(
        "1107161234567890123", "en", (), {"header": "NGRSTU"}))
    build_adapter("msg91-sms", config).send(outbound, None)
    failures: list[BaseException] = []
    simulator.inject_faults(500)
    for account in (config, {**config, "api_base": closed_port()}):
        with pytest.raises(SendError) as failed:
            build_adapter("msg91-sms", account).send(outbound, None)
        failures.append(failed.value)
    simulator.register_key("another-key")
    with pytest.raises(ConfigError) as refused:
        build_adapter("msg91-sms", config).send(outbound, None)
    failures.append(refused.value)
    request = WebhookRequest("POST", "https://x.example/webhooks/msg91-sms/a?token=wrong", {},
                             b"sender=919876543210&comments=hi")
    with pytest.raises(BadSignature) as rejected:
        build_adapter("msg91-sms", config).handle_webhook(request, "inbound")
    failures.append(rejected.value)
    assert [type(f) for f in failures] == [ProviderDown, ConnectionFailed, ConfigError,
                                           BadSignature]
    log = logging.getLogger("tests.channels.redaction")
    for failure in failures:
        log.warning("failure %r config=%s", failure,
                    build_adapter("msg91-sms", config).redacted_config(), exc_info=failure)
        assert not any(s in _text(failure) for s in SECRETS)
    ours = "\n".join(r.getMessage() for r in caplog.records if "_report" not in r.threadName)
    assert "HTTP Request" in ours  # httpx did log each request
    assert not any(s in ours for s in SECRETS)
