"""The small contract each provider adapter implements: receive, send, status."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from channels.contract import (
    AccountConfig,
    Capabilities,
    InboundEvent,
    MediaFile,
    Medium,
    OutboundMessage,
    RateLimit,
    SendResult,
    WebhookRequest,
    WebhookResponse,
    WebhookResult,
)
from channels.errors import BadSignature, ConfigError
from channels.render import as_text

if TYPE_CHECKING:
    from i18n.voice import Clip

REDACTED = "***"


def per_second(mps: float) -> RateLimit:
    """A rate of `mps` messages a second, as whole messages per window (0.5: 1 per 2 s)."""
    if mps >= 1:
        return RateLimit(math.floor(mps))
    return RateLimit(1, 1.0 / mps)


def account_rate(config: AccountConfig, default: RateLimit | None) -> RateLimit | None:
    """The account's own rate (`mps` in its config) where the channel has one, else `default`.

    A channel without a provider rate (web chat, IVR) ignores `mps`.
    """
    value = config.get("mps")
    if default is None or value in (None, ""):
        return default
    try:
        mps = float(value)
    except (TypeError, ValueError):
        raise ConfigError("mps must be a number of messages per second") from None
    if not math.isfinite(mps) or mps <= 0:
        raise ConfigError("mps must be a positive number of messages per second")
    return per_second(mps)


class ClipSource(Protocol):
    """Public URLs of audio clips, rendered on demand where missing (IVR without provider TTS)."""

    def urls(self, language: str, clips: Sequence[Clip]) -> list[str]:
        """One URL per clip, in order; empty when the clips cannot be made."""

    def joined(self, language: str, pieces: Sequence[tuple[str, Clip]]) -> str | None:
        """One URL playing (language, clip) pieces in order, for providers taking one file."""


@dataclass(frozen=True)
class ReplyContext:
    """What a synchronous adapter needs to put replies into its webhook response."""

    kind: str
    """The webhook kind answered: "inbound" (after a turn) or "prompt" (the current prompt)."""
    webhook_url: str
    """The account's public inbound webhook URL (action URLs are built from it)."""
    clips: ClipSource
    no_input: int = 0
    """How many times in a row the caller let this prompt time out (IVR repeats it once)."""
    page: int = 0
    """The voice page of the prompt's menu the caller is at (`channels.voice.pages`)."""


class ChannelAdapter(ABC):
    """One provider's translation between its wire format and the neutral contract."""

    channel_type: ClassVar[str]
    medium: ClassVar[Medium]
    capabilities: ClassVar[Capabilities]
    secret_fields: ClassVar[frozenset[str]] = frozenset()
    required_fields: ClassVar[frozenset[str]] = frozenset()
    webhook_methods: ClassVar[frozenset[str]] = frozenset({"POST"})
    """HTTP methods the provider calls the webhooks with (Exotel's applets also use GET)."""
    media_by_url: ClassVar[bool] = False
    """Media references are URLs fetched with the account's credentials: the core fetches
    only those whose host is on its allow-list (`NAGARSETU_MEDIA_FETCH_HOSTS`)."""
    path_secret: ClassVar[bool] = False
    """The webhook URLs carry the account's secret as a path segment (`…/s/<secret>`)."""

    def __init__(self, config: AccountConfig) -> None:
        missing = sorted(f for f in self.required_fields if not config.get(f))
        if missing:
            raise ConfigError("missing config: " + ", ".join(missing))
        self.config = config
        self._account_rate = account_rate(config, self.capabilities.account_rate)

    @property
    def address(self) -> str:
        """Our own address on this channel (a phone number, a bot name…)."""
        return str(self.config.get("address", ""))

    @abstractmethod
    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Verify and parse a webhook (`kind` is "inbound" or "status"); raise WebhookRejected."""

    @abstractmethod
    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Hand one message to the provider; raise a SendError subclass on failure."""

    def fetch_media(self, ref: str) -> MediaFile:
        """The bytes behind one of an event's `media_urls`, fetched with this account's
        credentials (the core copies them into its own store, in a worker).

        Raises a SendError subclass: retryable ones (Throttled, ConnectionFailed, ProviderDown)
        are tried again later; anything else marks the media missing.
        """
        raise ConfigError("media_unsupported")

    def respond(self, event: InboundEvent, replies: Sequence[OutboundMessage],
                context: ReplyContext) -> WebhookResponse:
        """The webhook response carrying a turn's replies (`capabilities.synchronous`: IVR)."""
        raise ConfigError(f"{self.channel_type} replies through the outbox")

    @classmethod
    def render_text(cls, message: OutboundMessage) -> str:
        """The text this channel shows for a message (choices degraded to fit)."""
        return as_text(message, cls.capabilities)

    def issue_client_token(self, address: str) -> str:
        """A credential for a first-party client (web chat); other channels have none."""
        raise ConfigError(f"{self.channel_type} issues no client tokens")

    def verify_client_token(self, token: str) -> str:
        """The address a first-party client token belongs to; BadSignature when invalid."""
        raise BadSignature(f"{self.channel_type} issues no client tokens")

    def client_ref(self, external_id: str) -> str:
        """The id a first-party client chose for its message, inside the event id it got."""
        return external_id

    def send_limits(self) -> tuple[RateLimit | None, RateLimit | None]:
        """This account's sending limits (per account, per recipient), enforced by delivery.

        The per-account rate is the provider's default unless the config sets `mps`
        (messages per second the provider granted this account, e.g. a short code).
        """
        return self._account_rate, self.capabilities.recipient_rate

    def close(self) -> None:
        """Release pooled connections (the process is shutting down or the config changed)."""
        return None

    def redacted_config(self) -> dict[str, Any]:
        """The account config safe to log: secrets replaced."""
        return {k: (REDACTED if k in self.secret_fields else v) for k, v in self.config.items()}
