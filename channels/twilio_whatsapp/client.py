"""The SMS channel's Twilio client reused, WhatsApp's error codes, and fetching inbound media.

Media downloads go through the adapter's pooled httpx client (`media_client`).

Most WhatsApp failures (63xxx) are not refusals of the create request: Twilio accepts the message
and later reports `failed` with an ErrorCode in the status callback. The same table classifies
both, so the outbox and the message log speak of them alike (`error_for_code`).
"""

from __future__ import annotations

import httpx
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

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
from channels.http import LIMITS, Pooled, pooled_http
from channels.twilio_sms.client import THROTTLE_DELAY, TWILIO_API, pooled_twilio
from channels.twilio_sms.client import map_error as map_sms_error

__all__ = ["OUTSIDE_WINDOW", "WHATSAPP_ERRORS", "error_for_code", "fetch_media", "map_error",
           "media_client", "pooled_twilio"]

MAX_MEDIA_BYTES = 16 * 1024 * 1024  # WhatsApp's largest media (audio, video); images are 5 MB
MEDIA_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0)
CHANNEL_THROTTLE_DELAY = 60.0  # seconds; 63018 is WhatsApp's own per-sender limit

# Twilio error code -> the send error it means and a reason kept in the error's detail.
WHATSAPP_ERRORS: dict[int, tuple[type[SendError], str]] = {
    63016: (ConfigError, "outside_window"),  # free text after 24 h: a template is required
    63024: (RecipientInvalid, "invalid_recipient"),
    63003: (RecipientInvalid, "unknown_recipient"),
    63014: (ContactStopped, "blocked_by_user"),
    63018: (Throttled, "channel_rate_limit"),
    63017: (Throttled, "account_rate_limit"),
    63007: (ConfigError, "unknown_sender"),  # From is not a WhatsApp sender of this account
    63027: (ConfigError, "template_missing"),  # no such template for the language
    63028: (ConfigError, "template_parameters"),  # ContentVariables do not fit the template
    21655: (ConfigError, "content_sid_invalid"),
    21656: (ConfigError, "content_variables_invalid"),
    63012: (ProviderDown, "channel_internal_error"),
}
OUTSIDE_WINDOW = "63016"
"""The ErrorCode of free text sent after the 24-hour window closed."""
_DELAYS = {63018: CHANNEL_THROTTLE_DELAY, 63017: THROTTLE_DELAY}


def error_for_code(code: str | int | None) -> type[SendError] | None:
    """The send error a Twilio error code (as in a status callback's ErrorCode) stands for."""
    try:
        known = WHATSAPP_ERRORS.get(int(code or 0))
    except ValueError:
        return None
    return known[0] if known else None


def map_error(exc: Exception) -> SendError:
    """An SDK or transport exception as one of the closed set: WhatsApp's codes first, then
    the SMS channel's table (HTTP status, auth, carrier codes, network errors)."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        status, code = int(exc.status or 0), int(exc.code or 0)
        known = WHATSAPP_ERRORS.get(code)
        if known is not None:
            cls, reason = known
            return cls(f"{reason}: twilio {status}/{code}", retry_after=_DELAYS.get(code))
    return map_sms_error(exc)


def _http_error(status: int) -> SendError:
    """The error for a media download answered with an HTTP error status."""
    if status == 429:
        return Throttled(f"media http {status}", retry_after=THROTTLE_DELAY)
    if status >= 500:
        return ProviderDown(f"media http {status}")
    return ConfigError(f"media http {status}")


def media_client(transport: httpx.BaseTransport | None = None) -> Pooled[httpx.Client]:
    """The pooled client media downloads use (redirects followed to Twilio's media store)."""
    return pooled_http(transport=transport, timeout=MEDIA_TIMEOUT, limits=LIMITS,
                       trust_env=True, follow_redirects=True)


def fetch_media(http: httpx.Client, url: str, account_sid: str, auth_token: str,
                api_base: str | None, limit: int = MAX_MEDIA_BYTES) -> MediaFile:
    """Download an inbound attachment with the account's credentials: (bytes, content type).

    Only URLs of this account's messages on the Twilio API (or its configured `api_base`) are
    fetched, so the credentials never go to another host; Twilio redirects to its media store,
    and httpx drops the Authorization header on that cross-origin redirect.
    """
    base = (api_base or TWILIO_API).rstrip("/")
    if url.startswith(TWILIO_API + "/"):
        url = base + url[len(TWILIO_API):]
    if not url.startswith(f"{base}/2010-04-01/Accounts/{account_sid}/Messages/"):
        raise ConfigError("media_url_foreign")
    try:
        with http.stream("GET", url, auth=(account_sid, auth_token)) as response:
            if response.status_code >= 400:
                raise _http_error(response.status_code)
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
