"""The terminal phone, media downloads, the simulator's own checks, registry and redaction."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi import APIRouter
from twilio.request_validator import RequestValidator

from channels.base import REDACTED
from channels.contract import Choice, InboundEvent, Location, OutboundMessage, WebhookRequest
from channels.errors import (
    BadSignature,
    ConfigError,
    ConnectionFailed,
    ProviderDown,
    SendError,
)
from channels.registry import build_adapter, demo_accounts, simulator_routers, terminal_phone
from channels.twilio_whatsapp import simulator
from channels.twilio_whatsapp.adapter import Adapter
from channels.twilio_whatsapp.phone import TerminalPhone

if TYPE_CHECKING:
    from tests.channels.twilio_whatsapp.conftest import FakeWhatsApp, Hook

ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "5e0d1c2b3a4958677685a4b3c2d1e0f9"
CITIZEN = "+919876543210"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def built(config: dict[str, str]) -> Adapter:
    """The WhatsApp adapter for a config, through the registry."""
    adapter = build_adapter("twilio-whatsapp", config)
    assert isinstance(adapter, Adapter)
    return adapter


def setup(fake: FakeWhatsApp, interactive: bool = True) -> tuple[Adapter, TerminalPhone, str]:
    """The demo-style account (with content templates), its adapter and a citizen's phone."""
    config, _ = simulator.demo_account(fake.base_url)
    if not interactive:
        config = {k: v for k, v in config.items() if not k.endswith("_content_sids")}
    name = uuid.uuid4().hex
    config["webhook_url"] = fake.hook_url(name)
    simulator.register_account(config["account_sid"], config["auth_token"])
    adapter = built(config)
    phone = terminal_phone("twilio-whatsapp", fake.base_url, "whatsapp:" + CITIZEN, config)
    assert isinstance(phone, TerminalPhone)
    return adapter, phone, name


def received(adapter: Adapter, fake: FakeWhatsApp, name: str, count: int) -> InboundEvent:
    """The newest of `count` webhooks the phone posted, verified and parsed by the adapter."""
    hook: Hook = fake.wait_hooks(name, count)[-1]
    (event,) = adapter.handle_webhook(hook.as_request(), "inbound").events
    assert isinstance(event, InboundEvent)
    return event


LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"))
MENU = (Choice("grievance", "शिकायत दर्ज करें"), Choice("track", "स्थिति"),
        Choice("language", "भाषा"), Choice("help", "मदद"))


def test_phone_taps_buttons_and_list_rows(fake_whatsapp: FakeWhatsApp) -> None:
    """Text goes as text; `n` (or `#n`) taps option n and arrives as ButtonPayload or ListId."""
    adapter, phone, name = setup(fake_whatsapp)
    phone.send("नमस्ते")
    first = received(adapter, fake_whatsapp, name, 1)
    assert (first.sender, first.recipient, first.text, first.payload) == (
        CITIZEN, simulator.DEMO_NUMBER, "नमस्ते", None)
    adapter.send(OutboundMessage(CITIZEN, "भाषा चुनें", choices=LANGUAGES), None)
    assert phone.receive(timeout=2) == ["भाषा चुनें\n\n[1] English\n[2] हिन्दी"]
    phone.send("2")
    tapped = received(adapter, fake_whatsapp, name, 2)
    assert (tapped.text, tapped.payload) == ("हिन्दी", "hi")
    adapter.send(OutboundMessage(CITIZEN, "मुख्य मेनू", choices=MENU), None)
    assert phone.receive(timeout=2) == [
        "मुख्य मेनू\n\n☰\n[1] शिकायत दर्ज करें\n[2] स्थिति\n[3] भाषा\n[4] मदद"]
    phone.send("#1")
    picked = received(adapter, fake_whatsapp, name, 3)
    assert (picked.text, picked.payload) == ("शिकायत दर्ज करें", "grievance")
    hook = fake_whatsapp.wait_hooks(name, 3)[-1]
    assert hook.form["ListId"] == "grievance" and hook.form["MessageType"] == "interactive"
    phone.send("#9")  # no ninth option: plain text
    assert received(adapter, fake_whatsapp, name, 4).payload is None
    assert phone.receive(timeout=0) == []


def test_phone_without_content_shows_a_numbered_menu(fake_whatsapp: FakeWhatsApp) -> None:
    """Without content templates the choices arrive as text, and `1` is just text."""
    adapter, phone, name = setup(fake_whatsapp, interactive=False)
    adapter.send(OutboundMessage(CITIZEN, "भाषा चुनें", choices=LANGUAGES), None)
    assert phone.receive(timeout=2) == ["भाषा चुनें\n\n1. English\n2. हिन्दी"]
    phone.send("1")
    assert received(adapter, fake_whatsapp, name, 1).text == "1"


def test_phone_shares_a_location_and_a_photo(fake_whatsapp: FakeWhatsApp) -> None:
    """A pinned location becomes a Location; a photo a media URL the adapter can download."""
    adapter, phone, name = setup(fake_whatsapp)
    phone.share_location(31.6199722, 74.8765298, label="Golden Temple")
    located = received(adapter, fake_whatsapp, name, 1)
    assert located.location == Location(31.6199722, 74.8765298) and located.text == ""
    url = phone.send_photo(PNG, "image/png", caption="कचरा")
    photo = received(adapter, fake_whatsapp, name, 2)
    assert photo.media_urls == (url,) and photo.text == "कचरा"
    assert photo.external_id.startswith("MM")
    assert adapter.fetch_media(url) == (PNG, "image/png")


def test_media_needs_the_accounts_credentials(fake_whatsapp: FakeWhatsApp,
                                              closed_port_url: str) -> None:
    """Fetching media: Basic auth, this account's URLs only, bounded size, errors mapped."""
    adapter, _, _ = setup(fake_whatsapp)
    config = dict(adapter.config)
    url = simulator.store_media(config["api_base"], config["account_sid"], PNG, "image/png")
    assert httpx.get(url).status_code == 401  # not without credentials
    real = url.replace(config["api_base"], "https://api.twilio.com")
    assert adapter.fetch_media(real) == (PNG, "image/png")  # Twilio's host, rebased
    failures: dict[str, tuple[Adapter, str, type[SendError]]] = {
        "wrong_token": (built({**config, "auth_token": "0" * 32}), url, ConfigError),
        "other_account": (adapter, url.replace(config["account_sid"], "AC" + "0" * 32),
                          ConfigError),
        "other_host": (adapter, "https://evil.example/2010-04-01/Accounts/x/Messages/y",
                       ConfigError),
        "gone": (adapter, url[:-32] + "0" * 32, ConfigError),
        "no_server": (built({**config, "api_base": closed_port_url}),
                      url.replace(config["api_base"], closed_port_url), ConnectionFailed),
    }
    for case, (who, where, error) in failures.items():
        with pytest.raises(SendError) as caught:
            who.fetch_media(where)
        assert type(caught.value) is error, case
    from channels.twilio_whatsapp.client import fetch_media, media_client
    media = media_client()
    with pytest.raises(ConfigError, match="media_too_large"):
        fetch_media(media.get(), url, config["account_sid"], config["auth_token"],
                    config["api_base"], limit=100)
    media.close()


# request form -> the Twilio error code the simulator answers with
INVALID: dict[str, tuple[dict[str, str], int]] = {
    "sms_to": ({"To": CITIZEN, "From": "whatsapp:+14155238886", "Body": "x"}, 21211),
    "sms_from": ({"To": "whatsapp:" + CITIZEN, "From": "+14155238886", "Body": "x"}, 63007),
    "nothing_to_send": ({"To": "whatsapp:" + CITIZEN, "From": "whatsapp:+14155238886"}, 21602),
    "variables_without_content": ({"To": "whatsapp:" + CITIZEN, "From": "whatsapp:+14155238886",
                                   "ContentVariables": "{}"}, 21654),
    "bad_content_sid": ({"To": "whatsapp:" + CITIZEN, "From": "whatsapp:+14155238886",
                         "ContentSid": "HXnope"}, 21655),
    "empty_variable": ({"To": "whatsapp:" + CITIZEN, "From": "whatsapp:+14155238886",
                        "ContentSid": "HX" + "1" * 32, "ContentVariables": '{"1": ""}'}, 21656),
    "variables_not_json": ({"To": "whatsapp:" + CITIZEN, "From": "whatsapp:+14155238886",
                            "ContentSid": "HX" + "1" * 32, "ContentVariables": "{1: x"}, 21656),
    "too_long": ({"To": "whatsapp:" + CITIZEN, "From": "whatsapp:+14155238886",
                  "Body": "x" * 1601}, 21617),
}


@pytest.mark.parametrize(("form", "code"), INVALID.values(), ids=list(INVALID))
def test_simulator_refuses_what_twilio_refuses(fake_whatsapp: FakeWhatsApp,
                                               form: dict[str, str], code: int) -> None:
    """Requests the adapter never makes are refused in Twilio's error format."""
    url = f"{fake_whatsapp.api_base}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    response = httpx.post(url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert response.status_code == 400 and response.json()["code"] == code
    assert httpx.post(url, data=form, auth=("AC" + "0" * 32, AUTH_TOKEN)).status_code == 401


def test_registered_in_the_registry() -> None:
    """The channel type builds, its router is mounted, and the demo city gets an account."""
    assert simulator.router in simulator_routers()
    assert all(isinstance(r, APIRouter) for r in simulator_routers())
    (config, keep), = [(c, k) for t, c, k in demo_accounts("http://127.0.0.1:8000")
                       if t == "twilio-whatsapp"]
    assert keep == frozenset({"account_sid", "auth_token"})
    assert config["api_base"] == "http://127.0.0.1:8000/sim/twilio-whatsapp"
    adapter = build_adapter("twilio-whatsapp", config)
    assert adapter.address == simulator.DEMO_NUMBER
    assert adapter.capabilities.session_window_hours == 24 and adapter.capabilities.templates


def _chain(exc: BaseException) -> str:
    """str and repr of an exception and everything chained to it."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def test_logs_never_contain_the_auth_token(fake_whatsapp: FakeWhatsApp, closed_port_url: str,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """Refused webhooks, failed sends and downloads, logged at DEBUG with tracebacks and the
    redacted config, never show the auth token."""
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("tests.channels.twilio_whatsapp.redaction")
    config = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
              "address": "whatsapp:+14155238886", "api_base": fake_whatsapp.api_base}
    adapter = built(config)
    url = "https://nagarsetu.example.in/webhooks/twilio-whatsapp/acc-9"
    body = (b"MessageSid=SMx1&AccountSid=ACother&From=whatsapp%3A%2B919876543210"
            b"&To=whatsapp%3A%2B14155238886&Body=hi")
    forged = RequestValidator("0" * 32).compute_signature(url, {"Body": "hi"})
    failures: list[BaseException] = []
    with pytest.raises(BadSignature) as rejected:
        adapter.handle_webhook(WebhookRequest("POST", url, {"X-Twilio-Signature": forged}, body),
                               "inbound")
    failures.append(rejected.value)
    simulator.inject_faults(500)
    for account in (config, config, {**config, "api_base": closed_port_url}):
        with pytest.raises(SendError) as failed:
            build_adapter("twilio-whatsapp", account).send(OutboundMessage(CITIZEN, "hi"), None)
        failures.append(failed.value)
        simulator.register_account(ACCOUNT_SID, "another-token-entirely")
    media = simulator.store_media(fake_whatsapp.api_base, ACCOUNT_SID, PNG, "image/png")
    with pytest.raises(ConfigError) as download:
        adapter.fetch_media(media)
    failures.append(download.value)
    assert [type(f) for f in failures] == [BadSignature, ProviderDown, ConfigError,
                                           ConnectionFailed, ConfigError]
    redacted = adapter.redacted_config()
    assert redacted["auth_token"] == REDACTED and redacted["account_sid"] == ACCOUNT_SID
    for failure in failures:
        log.warning("failure %s %r config=%s", failure, failure, redacted, exc_info=failure)
        assert AUTH_TOKEN not in _chain(failure)
    assert "Twilio API Request" in caplog.text  # the SDK did log, at INFO
    assert AUTH_TOKEN not in caplog.text and AUTH_TOKEN not in repr(adapter)
    assert AUTH_TOKEN not in " ".join(str(r.args) for r in caplog.records)
