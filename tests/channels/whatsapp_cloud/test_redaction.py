"""Credentials never reach logs: access token, app secret and verify token stay out of them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from channels.base import REDACTED
from channels.contract import OutboundMessage, WebhookRequest
from channels.errors import (
    BadSignature,
    ChannelError,
    ConfigError,
    ConnectionFailed,
    MalformedPayload,
    ProviderDown,
)
from channels.registry import build_adapter
from channels.whatsapp_cloud import simulator
from channels.whatsapp_cloud.adapter import Adapter

if TYPE_CHECKING:
    from tests.channels.whatsapp_cloud.conftest import FakeMeta

ACCESS_TOKEN = "EAAJB7qZBx0ZAcBO4t2vU9wxyzSECRETTOKEN0123456789abcdef"
APP_SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
VERIFY_TOKEN = "v3r1fy-t0k3n-n0t-f0r-l0gs"
SECRETS = (ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN)
PHONE_NUMBER_ID = "106540352242922"


def _config(fake: FakeMeta, **overrides: str) -> dict[str, str]:
    """An account whose secrets the test then hunts for in the logs."""
    return {"phone_number_id": PHONE_NUMBER_ID, "access_token": ACCESS_TOKEN,
            "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "address": "+15550783881",
            "graph_base": fake.graph_base, "api_version": "v21.0", **overrides}


def _exception_text(exc: BaseException) -> str:
    """str and repr of an exception and everything chained to it."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def test_redacted_config_and_reprs() -> None:
    """The loggable config keeps every key but no secret; reprs show no secret either."""
    config = {"phone_number_id": PHONE_NUMBER_ID, "access_token": ACCESS_TOKEN,
              "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "address": "+1555"}
    adapter = build_adapter("whatsapp-cloud", config)
    assert isinstance(adapter, Adapter)
    redacted = adapter.redacted_config()
    assert set(redacted) == set(config)
    assert {k for k, v in redacted.items() if v == REDACTED} == {
        "access_token", "app_secret", "verify_token"} == adapter.secret_fields
    for secret in SECRETS:
        assert secret not in repr(redacted) and secret not in repr(adapter)
        assert secret not in repr(adapter.graph)


def test_logs_never_contain_credentials(fake_meta: FakeMeta, closed_port_url: str,
                                        caplog: pytest.LogCaptureFixture) -> None:
    """Refused webhooks and handshakes, sends and media fetches, failed or not, logged at DEBUG
    with tracebacks, show no credential."""
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("tests.channels.redaction")
    wa = build_adapter("whatsapp-cloud", _config(fake_meta))
    assert isinstance(wa, Adapter)
    failures: list[ChannelError] = []
    body = b'{"object": "whatsapp_business_account", "entry": []}'
    with pytest.raises(BadSignature) as forged:
        wa.handle_webhook(WebhookRequest("POST", "https://x/webhooks", {
            "X-Hub-Signature-256": "sha256=" + "0" * 64}, body), "inbound")
    failures.append(forged.value)
    with pytest.raises(BadSignature) as handshake:
        wa.verify_subscription({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN[:-1],
                                "hub.challenge": "1"})
    failures.append(handshake.value)
    wa.send(OutboundMessage("+919876543210", "hi"), None)  # a success is logged by httpx too
    wa.fetch_media(simulator.add_media(b"jpeg", "image/jpeg"))
    simulator.inject_faults(500)
    with pytest.raises(ProviderDown) as down:
        wa.send(OutboundMessage("+919876543210", "hi"), None)
    failures.append(down.value)
    simulator.register_app(PHONE_NUMBER_ID, "EAAanother", APP_SECRET)
    with pytest.raises(ConfigError) as refused:
        wa.send(OutboundMessage("+919876543210", "hi"), None)
    failures.append(refused.value)
    with pytest.raises(MalformedPayload) as garbage:
        wa.fetch_media("not a media id!")
    failures.append(garbage.value)
    offline = build_adapter("whatsapp-cloud", _config(fake_meta, graph_base=closed_port_url))
    with pytest.raises(ConnectionFailed) as unreachable:
        offline.send(OutboundMessage("+919876543210", "hi"), None)
    failures.append(unreachable.value)
    for failure in failures:
        log.warning("failure %s %r config=%s", failure, failure, wa.redacted_config(),
                    exc_info=failure)
        for secret in SECRETS:
            assert secret not in _exception_text(failure)
    assert "HTTP Request: POST" in caplog.text  # httpx did log, at INFO
    for secret in SECRETS:
        assert secret not in caplog.text
        assert secret not in " ".join(str(r.args) for r in caplog.records)
