"""The neutral contract: status order, the closed error set, the registry, redaction, menus."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import APIRouter
from twilio.request_validator import RequestValidator

from channels import errors
from channels.base import REDACTED, ChannelAdapter
from channels.contract import (
    Capabilities,
    Choice,
    DeliveryStatus,
    OutboundMessage,
    WebhookRequest,
)
from channels.errors import (
    BadSignature,
    ChannelError,
    ConfigError,
    ConnectionFailed,
    ContactStopped,
    MalformedPayload,
    OutOfBounds,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
    TokenExpired,
    WebhookRejected,
)
from channels.registry import (
    adapter_class,
    build_adapter,
    channel_types,
    simulator_routers,
    terminal_phone,
)
from channels.render import as_text, numbered_menu
from channels.twilio_sms import simulator

if TYPE_CHECKING:
    from tests.channels.conftest import FakeTwilio

AUTH_TOKEN = "9c1f0e2d3b4a59687766554433221100"
TOKEN_SECRET = "b7e0c5a1d2f3948576a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0"

# The lifecycle in order; a later callback never moves a message to a lower rank.
LIFECYCLE = [DeliveryStatus.PENDING, DeliveryStatus.QUEUED, DeliveryStatus.SENT,
             DeliveryStatus.DELIVERED, DeliveryStatus.READ]


def test_status_ranks_increase_along_the_lifecycle() -> None:
    """pending < queued < sent < delivered < read."""
    ranks = [s.rank for s in LIFECYCLE]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)


def test_failed_is_final() -> None:
    """FAILED outranks every live state, like READ, so nothing overwrites it."""
    assert all(DeliveryStatus.FAILED.rank > s.rank for s in LIFECYCLE[:-1])
    assert DeliveryStatus.FAILED.rank == DeliveryStatus.READ.rank


def test_every_status_has_a_rank() -> None:
    """A status added without a rank fails here, not in production."""
    assert {s: s.rank for s in DeliveryStatus}


# class -> (parent, code, retryable) ; the whole closed set, nothing more.
SEND_ERRORS: dict[type[SendError], tuple[str, bool]] = {
    Throttled: ("throttled", True),
    ConnectionFailed: ("connection_failed", True),
    ProviderDown: ("provider_down", True),
    ConfigError: ("config_error", False),
    RecipientInvalid: ("recipient_invalid", False),
    ContactStopped: ("contact_stopped", False),
}
REJECTIONS: dict[type[WebhookRejected], tuple[str, int]] = {
    BadSignature: ("bad_signature", 403),
    TokenExpired: ("token_expired", 401),
    MalformedPayload: ("malformed_payload", 400),
    OutOfBounds: ("out_of_bounds", 400),
}


@pytest.mark.parametrize(("cls", "expected"), SEND_ERRORS.items(),
                         ids=[c.__name__ for c in SEND_ERRORS])
def test_send_error_retry_semantics(cls: type[SendError], expected: tuple[str, bool]) -> None:
    """Each send error says whether the outbox may retry, under a stable code."""
    code, retryable = expected
    exc = cls("detail", retry_after=3.0)
    assert isinstance(exc, SendError) and isinstance(exc, ChannelError)
    assert (exc.code, exc.retryable, exc.retry_after, exc.detail) == (code, retryable, 3.0,
                                                                      "detail")
    assert cls().retry_after is None and str(cls()) == code


@pytest.mark.parametrize(("cls", "expected"), REJECTIONS.items(),
                         ids=[c.__name__ for c in REJECTIONS])
def test_webhook_rejections(cls: type[WebhookRejected], expected: tuple[str, int]) -> None:
    """Rejections carry the HTTP status the provider gets and are not send errors."""
    code, status = expected
    exc = cls()
    assert (exc.code, exc.http_status) == (code, status)
    assert not isinstance(exc, SendError)


def _subclasses(cls: type) -> set[type]:
    """Every class below `cls`."""
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_error_set_is_closed_and_drawn() -> None:
    """Exactly these errors exist, with unique codes, and the module docstring draws each."""
    assert _subclasses(SendError) == set(SEND_ERRORS)
    assert _subclasses(WebhookRejected) == set(REJECTIONS)
    everything = _subclasses(ChannelError) | {ChannelError}
    assert len({c.code for c in everything}) == len(everything)
    assert all(c.__name__ in (errors.__doc__ or "") for c in everything)


MINIMAL: dict[str, dict[str, str]] = {
    "twilio-sms": {"account_sid": "ACa1b2c3d4e5f60718293a4b5c6d7e8f90",
                   "auth_token": AUTH_TOKEN, "address": "+12185550142"},
    "webchat": {"token_secret": TOKEN_SECRET},
    "exotel-sms": {"account_sid": "nagarsetu1", "api_key": "4c0ffee15900d5e7a1b2c3d4e5f60718",
                   "api_token": AUTH_TOKEN, "webhook_secret": TOKEN_SECRET},
    "msg91-sms": {"auth_key": AUTH_TOKEN, "webhook_secret": TOKEN_SECRET},
    "telegram": {"bot_token": "7123456789:AAHk3Jx9Qm2Lr8Tz5Vb1Nc4Wd7Ye0Fg6Hu3",
                 "secret_token": "nagarsetu_pb-amritsar_9f8e7d6c5b4a",
                 "address": "NagarSetuAmritsarBot"},
    "whatsapp-cloud": {"phone_number_id": "106540352242922",
                       "access_token": "EAAJB7qZBx0ZAcBO4t2vU9wxyz",
                       "app_secret": "6f1d2c3b4a5968778695a4b3c2d1e0f9",
                       "verify_token": "meatyhamhock", "address": "+15550783881"},
    "twilio-whatsapp": {"account_sid": "ACa1b2c3d4e5f60718293a4b5c6d7e8f90",
                        "auth_token": AUTH_TOKEN, "address": "whatsapp:+14155238886"},
    "twilio-voice": {"account_sid": "ACa1b2c3d4e5f60718293a4b5c6d7e8f90",
                     "auth_token": AUTH_TOKEN, "address": "+12185550143"},
    "exotel-voice": {"token": TOKEN_SECRET, "address": "+918047100200"},
}


def test_every_channel_type_has_a_minimal_config_here() -> None:
    """Registering a channel type means adding it to this table."""
    assert sorted(channel_types()) == sorted(MINIMAL)


@pytest.mark.parametrize(("channel_type", "config"), MINIMAL.items(), ids=list(MINIMAL))
def test_every_type_builds(channel_type: str, config: dict[str, str]) -> None:
    """A minimal config builds an adapter that declares its type, medium and capabilities."""
    adapter = build_adapter(channel_type, config)
    assert isinstance(adapter, ChannelAdapter) and isinstance(adapter, adapter_class(channel_type))
    assert adapter.channel_type == channel_type
    assert isinstance(adapter.capabilities, Capabilities)
    assert adapter.required_fields <= set(config)


REQUIRED = [(t, f) for t, c in MINIMAL.items() for f in sorted(adapter_class(t).required_fields)]


@pytest.mark.parametrize(("channel_type", "missing"), REQUIRED,
                         ids=[f"{t}-{f}" for t, f in REQUIRED])
@pytest.mark.parametrize("how", ["absent", "empty"])
def test_missing_required_config(channel_type: str, missing: str, how: str) -> None:
    """Leaving out (or blanking) any required field is a ConfigError naming it."""
    config: dict[str, Any] = dict(MINIMAL[channel_type])
    if how == "absent":
        del config[missing]
    else:
        config[missing] = ""
    with pytest.raises(ConfigError, match=missing):
        build_adapter(channel_type, config)


@pytest.mark.parametrize("channel_type", ["", "twilio", "whatsapp", "TWILIO-SMS"])
def test_unknown_channel_type(channel_type: str) -> None:
    """An unregistered type is a ConfigError, not a KeyError or an import error."""
    with pytest.raises(ConfigError):
        adapter_class(channel_type)
    with pytest.raises(ConfigError):
        build_adapter(channel_type, {})


def test_simulators() -> None:
    """Simulators are found by convention; a type without one has no terminal phone."""
    routers = simulator_routers()
    assert simulator.router in routers and all(isinstance(r, APIRouter) for r in routers)
    with pytest.raises(ConfigError):
        terminal_phone("webchat", "http://127.0.0.1:1", "web:x", {})


def test_client_tokens_only_where_supported() -> None:
    """SMS issues no first-party tokens and verifies none."""
    sms = build_adapter("twilio-sms", MINIMAL["twilio-sms"])
    with pytest.raises(ConfigError):
        sms.issue_client_token("")
    with pytest.raises(BadSignature):
        sms.verify_client_token("anything")


SECRETS = {
    "twilio-sms": AUTH_TOKEN, "twilio-whatsapp": AUTH_TOKEN,
    "whatsapp-cloud": "EAAJB7qZBx0ZAcBO4t2vU9wxyz", "webchat": TOKEN_SECRET,
    "twilio-voice": AUTH_TOKEN, "exotel-voice": TOKEN_SECRET,
    "telegram": "7123456789:AAHk3Jx9Qm2Lr8Tz5Vb1Nc4Wd7Ye0Fg6Hu3",
    "exotel-sms": AUTH_TOKEN, "msg91-sms": AUTH_TOKEN,
}


@pytest.mark.parametrize("channel_type", list(MINIMAL))
def test_redacted_config_hides_secrets(channel_type: str) -> None:
    """The loggable config keeps every key but never a secret's value."""
    config = {**MINIMAL[channel_type], "address": "+12185550142", "api_base": "http://x"}
    adapter = build_adapter(channel_type, config)
    redacted = adapter.redacted_config()
    assert set(redacted) == set(config)
    assert SECRETS[channel_type] not in repr(redacted)
    assert all(redacted[k] == REDACTED for k in adapter.secret_fields if k in config)
    assert all(redacted[k] == v for k, v in config.items() if k not in adapter.secret_fields)
    assert SECRETS[channel_type] not in repr(adapter)


def _exception_text(exc: BaseException) -> str:
    """str and repr of an exception and everything chained to it."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def test_logs_never_contain_the_auth_token(fake_twilio: FakeTwilio, closed_port_url: str,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """A rejected webhook and failed sends, logged with tracebacks at DEBUG, show no secret."""
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("tests.channels.redaction")
    config = {**MINIMAL["twilio-sms"], "api_base": fake_twilio.api_base}
    sms = build_adapter("twilio-sms", config)
    url = "https://nagarsetu.example.in/webhooks/twilio-sms/acc-7"
    body = b"MessageSid=SMx1&AccountSid=ACother&From=%2B919876543210&To=%2B1&Body=hi"
    forged = RequestValidator("0" * 32).compute_signature(url, {"Body": "hi"})
    failures: list[BaseException] = []
    with pytest.raises(BadSignature) as rejected:
        sms.handle_webhook(WebhookRequest("POST", url, {"X-Twilio-Signature": forged}, body),
                           "inbound")
    failures.append(rejected.value)
    simulator.inject_faults(500)
    for account in (config, config, {**config, "api_base": closed_port_url}):
        with pytest.raises(SendError) as failed:
            build_adapter("twilio-sms", account).send(OutboundMessage("+919876543210", "hi"),
                                                      None)
        failures.append(failed.value)
        simulator.register_account(config["account_sid"], "another-token-entirely")
    assert [type(f) for f in failures] == [BadSignature, ProviderDown, ConfigError,
                                           ConnectionFailed]
    for failure in failures:
        log.warning("failure %s %r config=%s", failure, failure, sms.redacted_config(),
                    exc_info=failure)
        assert AUTH_TOKEN not in _exception_text(failure)
    assert "Twilio API Request" in caplog.text  # the SDK did log, at INFO
    assert AUTH_TOKEN not in caplog.text
    assert AUTH_TOKEN not in " ".join(str(r.args) for r in caplog.records)


def test_logs_never_contain_the_token_secret(caplog: pytest.LogCaptureFixture) -> None:
    """A refused web chat token, logged with its traceback, shows no secret."""
    caplog.set_level(logging.DEBUG)
    chat = build_adapter("webchat", MINIMAL["webchat"])
    with pytest.raises(BadSignature) as caught:
        chat.verify_client_token("web:abc.0000")
    logging.getLogger("tests.channels.redaction").warning("refused %r", caught.value,
                                                          exc_info=caught.value)
    assert TOKEN_SECRET not in caplog.text and TOKEN_SECRET not in _exception_text(caught.value)


LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"), Choice("pa", "ਪੰਜਾਬੀ"))
TEN = tuple(Choice(str(i), f"Ward {i}") for i in range(1, 11))

# (text, choices) -> numbered menu
MENUS: dict[str, tuple[str, tuple[Choice, ...], str]] = {
    "no_choices": ("Grievance registered.", (), "Grievance registered."),
    "languages": ("Choose your language", LANGUAGES,
                  "Choose your language\n\n1. English\n2. हिन्दी\n3. ਪੰਜਾਬੀ"),
    "no_text": ("", LANGUAGES[:2], "1. English\n2. हिन्दी"),
    "one_choice": ("Confirm?", (Choice("ok", "Yes"),), "Confirm?\n\n1. Yes"),
    "ten_choices": ("Ward?", TEN,
                    "Ward?\n\n" + "\n".join(f"{i}. Ward {i}" for i in range(1, 11))),
}


@pytest.mark.parametrize(("text", "choices", "expected"), MENUS.values(), ids=list(MENUS))
def test_numbered_menu(text: str, choices: tuple[Choice, ...], expected: str) -> None:
    """Choices are numbered from 1 in the given order, under the text and a blank line."""
    assert numbered_menu(OutboundMessage("+919876543210", text, choices=choices)) == expected


# buttons available, number of choices -> numbered menu used?
DEGRADE = [(0, 0, False), (0, 3, True), (3, 3, False), (10, 3, False), (2, 3, True)]


@pytest.mark.parametrize(("buttons", "count", "numbered"), DEGRADE,
                         ids=[f"{b}buttons-{c}choices" for b, c, _ in DEGRADE])
def test_as_text_degrades_by_buttons(buttons: int, count: int, numbered: bool) -> None:
    """Choices stay buttons while they fit, and become a numbered menu when they do not."""
    message = OutboundMessage("+919876543210", "Choose", choices=TEN[:count])
    expected = numbered_menu(message) if numbered else "Choose"
    assert as_text(message, Capabilities(buttons=buttons)) == expected
