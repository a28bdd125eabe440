"""The Twilio SDK client, pointed at a configurable API base, and its errors mapped to ours.

Each adapter keeps one SDK `Client` (`pooled_twilio`) whose `TwilioHttpClient` holds one
requests session: connections to the API are kept alive and reused across sends, up to
`POOL_SIZE` at once, and closed with the adapter.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
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
from channels.http import Pooled

TWILIO_API = "https://api.twilio.com"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
POOL_SIZE = 16
"""Kept-alive connections per scheme of one account's session (a worker's threads share it)."""
THROTTLE_DELAY = 5.0  # seconds; Twilio's 429 carries no Retry-After
_STOPPED = {21610}  # "Attempt to send to unsubscribed recipient"
_INVALID = {21211, 21612, 21614, 21265}
_CONFIG = {20003, 20404, 21408, 21606, 21659, 21660}  # 21408: geo permission off for the region


class _RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """The SDK's own HTTP client, with the API host replaced (local simulator in dev/tests)."""

    def __init__(self, api_base: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.api_base = api_base.rstrip("/")
        # requests takes (connect, read); the SDK passes its own timeout on as it is.
        self.timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        for scheme in ("https://", "http://"):
            self.session.mount(scheme, HTTPAdapter(pool_connections=1, pool_maxsize=POOL_SIZE))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        """Send the SDK's request to the configured base instead of api.twilio.com."""
        if url.startswith(TWILIO_API):
            url = self.api_base + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


def make_client(account_sid: str, auth_token: str, api_base: str | None,
                timeout: float = READ_TIMEOUT) -> Client:
    """A Twilio REST client; `api_base` overrides the API host, the process env never does."""
    http = _RebasedHttpClient(api_base or TWILIO_API, timeout)
    client = Client(account_sid, auth_token, http_client=http)
    # The SDK reads TWILIO_EDGE / TWILIO_REGION from os.environ and would then rewrite the host
    # to api.<edge>.<region>.twilio.com, past our rebasing: the account config alone decides.
    client.edge = None
    client.region = None
    return client


def close_client(client: Client) -> None:
    """Close the SDK client's session (its kept-alive connections)."""
    client.http_client.session.close()


def pooled_twilio(account_sid: str, auth_token: str, api_base: str | None,
                  timeout: float = READ_TIMEOUT) -> Pooled[Client]:
    """One SDK client for an account, made on first use and reused until closed."""
    return Pooled(lambda: make_client(account_sid, auth_token, api_base, timeout), close_client)


def _classify(status: int, code: int, detail: str) -> SendError:
    """The send error for an HTTP status and a Twilio error code."""
    if status == 429 or code == 20429:
        return Throttled(detail, retry_after=THROTTLE_DELAY)
    if code in _STOPPED:
        return ContactStopped(detail)
    if code in _INVALID:
        return RecipientInvalid(detail)
    if status in (401, 403) or code in _CONFIG:
        return ConfigError(detail)
    if status >= 500:
        return ProviderDown(detail)
    return ConfigError(detail)


def map_error(exc: Exception) -> SendError:
    """Translate an SDK or transport exception into the closed send-error set."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        status, code = int(exc.status or 0), int(exc.code or 0)
        return _classify(status, code, f"twilio {status}/{code}")
    if isinstance(exc, requests.exceptions.RequestException):
        return ConnectionFailed(type(exc).__name__)
    raise exc
