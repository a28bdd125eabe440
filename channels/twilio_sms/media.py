"""Fetching an inbound attachment (MMS, WhatsApp through Twilio) with the account's credentials.

A `MediaUrl<n>` is on Twilio's API and needs the account's Basic auth; Twilio answers with a
redirect to its media store, where httpx drops the Authorization header (another origin).
"""

from __future__ import annotations

import httpx

from channels.contract import MediaFile
from channels.errors import ConfigError
from channels.http import LIMITS, Pooled, pooled_http
from channels.recordings import download
from channels.twilio_sms.client import THROTTLE_DELAY, TWILIO_API

MAX_MEDIA_BYTES = 16 * 1024 * 1024  # WhatsApp's largest media (audio, video); MMS is 5 MB
MEDIA_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0)


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
    return download(http, url, auth=(account_sid, auth_token), limit=limit,
                    throttle_delay=THROTTLE_DELAY, what="media")
