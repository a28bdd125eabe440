"""The Graph API over httpx (swappable transport), and its error answers mapped to ours.

Graph errors look like `{"error": {"message", "type", "code", "error_data": {"details"},
"fbtrace_id"}}`; we decide on `code` first (Meta's advice), then on the HTTP status. Details
and titles are not copied into our errors: they may quote the citizen's number.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from channels.contract import MediaFile
from channels.errors import (
    ConfigError,
    ConnectionFailed,
    ContactStopped,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)
from channels.http import TIMEOUT, pooled_http

GRAPH = "https://graph.facebook.com"
API_VERSION = "v21.0"
THROTTLE_DELAY = 30.0
"""Seconds to wait on a 429 without a known code or Retry-After."""

# Graph error code -> seconds to wait before retrying (Meta sends no Retry-After).
THROTTLE_CODES: dict[int, float] = {
    4: 60.0,  # app-level API call rate limit
    80007: 60.0,  # WhatsApp Business Account rate limit
    130429: 5.0,  # Cloud API throughput reached
    131048: 300.0,  # spam rate limit: the number's quality restricts sending
    131056: 10.0,  # pair rate limit: too many messages to the same recipient
    131057: 15.0,  # maintenance: a throughput upgrade, the number unusable for up to a minute
}
WINDOW_CLOSED = {131047}  # re-engagement: more than 24 h since the citizen wrote
STOPPED = {131050}  # the citizen stopped marketing messages from us
RECIPIENT = {131021, 131026, 131030}  # sender=recipient, undeliverable, not on the test list
DOWN = {1, 2, 131000, 131016, 133004}  # unknown/service errors, "something went wrong"
CONFIG = {0, 3, 10, 33, 100, 190, 368, 130497, 131008, 131009, 131031, 131042, 131045,
          131051, 132000, 132001, 132005, 132007, 132012, 132015, 132016, 133010}
"""Credentials, permissions, policy blocks, invalid parameters, template problems."""


def _code(response: httpx.Response) -> int | None:
    """The Graph error code of a response; None when it has none (an HTML 502 from a proxy)."""
    try:
        error = response.json().get("error")
        return int(error["code"]) if isinstance(error, Mapping) else None
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


def _retry_after(response: httpx.Response) -> float | None:
    """A Retry-After in seconds, if the answer carried one."""
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def classify(status: int, code: int | None, retry_after: float | None = None) -> SendError:
    """The send error for an HTTP status and a Graph error code (None: the answer had none)."""
    detail = f"graph {status}/{'-' if code is None else code}"
    if code in THROTTLE_CODES or status == 429:
        delay = retry_after if retry_after is not None else THROTTLE_CODES.get(code or 0)
        return Throttled(detail, retry_after=THROTTLE_DELAY if delay is None else delay)
    if code in WINDOW_CLOSED:
        return ConfigError("template_required")
    if code in STOPPED:
        return ContactStopped(detail)
    if code in RECIPIENT:
        return RecipientInvalid(detail)
    if code in DOWN:
        return ProviderDown(detail)
    if code in CONFIG or status in (401, 403):
        return ConfigError(detail)
    if status >= 500:
        return ProviderDown(detail)
    return ConfigError(detail)


def map_response(response: httpx.Response) -> SendError:
    """The send error for an unsuccessful Graph answer."""
    return classify(response.status_code, _code(response), _retry_after(response))


def map_transport_error(exc: httpx.HTTPError) -> SendError:
    """Network trouble (refused, reset, timeout, TLS) is retryable."""
    return ConnectionFailed(type(exc).__name__)


class GraphClient:
    """Calls on the Graph API for one business phone number, authenticated by bearer token.

    One pooled httpx client per GraphClient (so per adapter), closed by `close`; proxies from
    the environment are honoured, as httpx does by default.
    """

    def __init__(self, *, access_token: str, graph_base: str | None = None,
                 api_version: str | None = None, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout = TIMEOUT) -> None:
        self.base = f"{(graph_base or GRAPH).rstrip('/')}/{api_version or API_VERSION}"
        self.pool = pooled_http(transport=transport, timeout=timeout, trust_env=True,
                                headers={"Authorization": f"Bearer {access_token}"})

    def close(self) -> None:
        """Close the pooled connections."""
        self.pool.close()

    def __repr__(self) -> str:
        """Where it talks to, never with what token."""
        return f"GraphClient({self.base!r})"

    @contextmanager
    def _http(self) -> Iterator[httpx.Client]:
        """The pooled client for one operation; httpx errors mapped."""
        try:
            yield self.pool.get()
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from None

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        """A successful answer's JSON object; the mapped error otherwise."""
        if not response.is_success:
            raise map_response(response)
        try:
            data = response.json()
        except ValueError:
            raise ProviderDown(f"graph {response.status_code}/not json") from None
        if not isinstance(data, dict):
            raise ProviderDown(f"graph {response.status_code}/not an object")
        return data

    def send_message(self, phone_number_id: str, body: Mapping[str, Any]) -> str:
        """POST a message; the WhatsApp message id (wamid) Meta assigned."""
        with self._http() as http:
            data = self._json(http.post(f"{self.base}/{phone_number_id}/messages", json=body))
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise ProviderDown("graph 200/no message id") from None

    def fetch_media(self, media_id: str, phone_number_id: str) -> MediaFile:
        """A media file's bytes and type: its short-lived URL first, then the download."""
        with self._http() as http:
            meta = self._json(http.get(f"{self.base}/{media_id}",
                                       params={"phone_number_id": phone_number_id}))
            url = meta.get("url")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise ProviderDown("graph 200/no media url")
            download = http.get(url)
            if not download.is_success:
                raise map_response(download)
        content_type = str(meta.get("mime_type") or download.headers.get("content-type", ""))
        return MediaFile(download.content, content_type)
