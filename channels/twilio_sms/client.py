"""The Twilio SDK client, pointed at a configurable API base, and its errors mapped to ours."""

from __future__ import annotations

from typing import Any

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from channels.errors import (
    ConfigError,
    ConnectionFailed,
    ContactStopped,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)

TWILIO_API = "https://api.twilio.com"
_STOPPED = {21610}  # "Attempt to send to unsubscribed recipient"
_INVALID = {21211, 21612, 21614, 21408, 21265}
_CONFIG = {20003, 20404, 21606, 21659, 21660}


class _RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """The SDK's own HTTP client, with the API host replaced (local simulator in dev/tests)."""

    def __init__(self, api_base: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.api_base = api_base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        """Send the SDK's request to the configured base instead of api.twilio.com."""
        if url.startswith(TWILIO_API):
            url = self.api_base + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


def make_client(account_sid: str, auth_token: str, api_base: str | None,
                timeout: float = 10.0) -> Client:
    """A Twilio REST client; `api_base` overrides the API host."""
    http = _RebasedHttpClient(api_base or TWILIO_API, timeout)
    return Client(account_sid, auth_token, http_client=http)


def map_error(exc: Exception) -> SendError:
    """Translate an SDK or transport exception into the closed send-error set."""
    if isinstance(exc, TwilioRestException):
        code = int(exc.code or 0)
        detail = f"twilio {exc.status}/{code}"
        if exc.status == 429 or code == 20429:
            return Throttled(detail, retry_after=5.0)
        if code in _STOPPED:
            return ContactStopped(detail)
        if code in _INVALID:
            return RecipientInvalid(detail)
        if exc.status in (401, 403) or code in _CONFIG:
            return ConfigError(detail)
        if exc.status >= 500:
            return ProviderDown(detail)
        return ConfigError(detail)
    if isinstance(exc, requests.exceptions.RequestException):
        return ConnectionFailed(type(exc).__name__)
    raise exc
