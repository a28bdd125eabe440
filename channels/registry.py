"""Which channel types exist: one line per adapter, imported lazily by dotted path."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import TYPE_CHECKING, Any

from channels.contract import AccountConfig
from channels.errors import ConfigError

if TYPE_CHECKING:
    from fastapi import APIRouter

    from channels.base import ChannelAdapter
    from channels.terminal import TerminalPhone

# channel_type -> package holding adapter.py (class `Adapter`) and optionally simulator.py.
_PACKAGES: dict[str, str] = {
    "exotel-voice": "channels.exotel_voice",
    "telegram": "channels.telegram",
    "twilio-sms": "channels.twilio_sms",
    "twilio-voice": "channels.twilio_voice",
    "twilio-whatsapp": "channels.twilio_whatsapp",
    "webchat": "channels.webchat",
    "whatsapp-cloud": "channels.whatsapp_cloud",
    "exotel-sms": "channels.exotel_sms",
    "msg91-sms": "channels.msg91_sms",
}


def channel_types() -> tuple[str, ...]:
    """All registered channel types."""
    return tuple(_PACKAGES)


def adapter_class(channel_type: str) -> type[ChannelAdapter]:
    """The adapter class for a channel type; ConfigError when unknown."""
    try:
        package = _PACKAGES[channel_type]
    except KeyError:
        raise ConfigError(f"unknown channel type {channel_type!r}") from None
    cls: type[ChannelAdapter] = import_module(f"{package}.adapter").Adapter
    return cls


def build_adapter(channel_type: str, config: AccountConfig) -> ChannelAdapter:
    """An adapter instance configured for one channel account."""
    return adapter_class(channel_type)(config)


def _simulators() -> Iterator[tuple[str, object]]:
    """Simulator modules of the channel types that have one."""
    for channel_type, package in _PACKAGES.items():
        try:
            yield channel_type, import_module(f"{package}.simulator")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.simulator":
                raise


SIMULATED_MPS = 1000
"""A simulator takes whatever it is sent: the demo city's accounts are not paced like a real
long code (per-recipient limits still apply, as the provider's would)."""


def demo_accounts(base_url: str) -> list[tuple[str, dict[str, Any], frozenset[str]]]:
    """Simulated accounts for the demo city: (channel type, config, keys to keep once made).

    A simulator module offers one by defining `demo_account(base_url) -> (config, keep)`;
    `keep` names the generated credentials that must survive a restart.
    """
    found = []
    for channel_type, module in _simulators():
        make = getattr(module, "demo_account", None)
        if make is not None:
            config, keep = make(base_url)
            config = {"mps": SIMULATED_MPS, **config}
            found.append((channel_type, config, frozenset(keep)))
    return found


def simulator_routers() -> list[APIRouter]:
    """FastAPI routers of every provider simulator (mounted only in development and tests)."""
    return [module.router for _, module in _simulators()]  # type: ignore[attr-defined]


def terminal_phone(channel_type: str, gateway_url: str, sender: str,
                   account: dict[str, str]) -> TerminalPhone:
    """A terminal client that talks to the gateway the way the provider would."""
    for name, module in _simulators():
        if name == channel_type:
            phone: TerminalPhone = module.TerminalPhone(gateway_url, sender, account)  # type: ignore[attr-defined]
            return phone
    raise ConfigError(f"{channel_type} has no simulator")
