"""Downloading a provider's file (a call recording, an MMS attachment): streamed, bounded,
errors of the closed set.

Shared by the voice adapters' `fetch_media` and Twilio's media fetch
(channels/twilio_sms/media.py). Which hosts a recording may come from at all is the
core's decision (`NAGARSETU_MEDIA_RECORDING_HOSTS`, checked before an adapter is asked); an
adapter only adds its credentials, and only for its own provider's host. A redirect is followed
(Twilio's recordings move to its media store), and httpx drops the credentials when it leaves
the first host.
"""

from __future__ import annotations

import httpx

from channels.contract import MediaFile
from channels.errors import ConfigError, ConnectionFailed, ProviderDown, SendError, Throttled
from channels.http import LIMITS, Pooled, pooled_http

MAX_RECORDING_BYTES = 16 * 1024 * 1024
"""Two minutes of telephone audio are well under 2 MB; this only stops a runaway download."""
RECORDING_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0)
THROTTLE_DELAY = 30.0


def recording_client(transport: httpx.BaseTransport | None = None) -> Pooled[httpx.Client]:
    """The pooled client recording downloads use (a few redirects followed)."""
    return pooled_http(transport=transport, timeout=RECORDING_TIMEOUT, limits=LIMITS,
                       follow_redirects=True)


def _http_error(status: int, what: str, throttle_delay: float) -> SendError:
    """The error for a download of `what` answered with an HTTP error status."""
    if status == 429:
        return Throttled(f"{what} http {status}", retry_after=throttle_delay)
    if status >= 500:
        return ProviderDown(f"{what} http {status}")
    return ConfigError(f"{what} http {status}")


def download(http: httpx.Client, url: str, auth: tuple[str, str] | None = None,
             limit: int = MAX_RECORDING_BYTES, throttle_delay: float = THROTTLE_DELAY,
             what: str = "recording") -> MediaFile:
    """The file's bytes and declared type (the core checks the bytes themselves)."""
    if not url.startswith(("https://", "http://")):
        raise ConfigError("media_url_foreign")
    try:
        with http.stream("GET", url, auth=auth) as response:
            if response.status_code >= 400:
                raise _http_error(response.status_code, what, throttle_delay)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ConfigError("media_too_large")
                chunks.append(chunk)
            kind = response.headers.get("content-type", "application/octet-stream")
            return MediaFile(b"".join(chunks), kind.split(";")[0].strip())
    except httpx.HTTPError as exc:
        raise ConnectionFailed(type(exc).__name__) from exc
