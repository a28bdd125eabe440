"""Which payment gateways exist: one line each, imported lazily (the core never imports one)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from payments.gateway import PaymentGateway, WebhookVerifier

_PACKAGES: dict[str, str] = {
    "razorpay": "payments.razorpay",
}
SECRET_FIELDS = ("key_secret", "webhook_secret")
"""Config keys never shown after they are stored."""


class UnknownGateway(Exception):
    """No gateway of that name."""

    code = "unknown_gateway"


def gateway_names() -> tuple[str, ...]:
    """Every registered gateway."""
    return tuple(_PACKAGES)


def _package(name: str) -> str:
    """The package of a gateway; UnknownGateway when there is none."""
    try:
        return _PACKAGES[name]
    except KeyError:
        raise UnknownGateway(name) from None


def build_gateway(name: str, config: dict[str, Any]) -> PaymentGateway:
    """A client for one account of a gateway."""
    gateway: PaymentGateway = import_module(f"{_package(name)}.gateway").Gateway(config)
    return gateway


def webhook_verifier(name: str) -> WebhookVerifier:
    """The gateway's webhook check-and-parse function."""
    verify: WebhookVerifier = import_module(f"{_package(name)}.webhook").verify_and_parse
    return verify


def check_config(name: str, config: dict[str, Any]) -> None:
    """Refuse a config the gateway cannot use (ValueError with a code)."""
    import_module(f"{_package(name)}.gateway").check_config(config)


def simulator_router(name: str) -> Any | None:
    """The gateway simulator's router (development and tests), if it has one."""
    try:
        return import_module(f"{_package(name)}.simulator").router
    except ModuleNotFoundError:
        return None


def webhook_parser(name: str) -> Any:
    """The gateway's parser of an already verified webhook body (JSON) into a notice."""
    return import_module(f"{_package(name)}.webhook").parse
