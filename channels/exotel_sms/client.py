"""Exotel's SMS API over httpx (HTTP Basic: API key and token), its errors mapped to ours.

The adapter holds one pooled client (channels/http.py) whose transport is injectable (tests);
proxies from the process environment are ignored so that the account's `api_base` alone
decides where credentials go.
"""

from __future__ import annotations

from typing import Any

import httpx

from channels.errors import (
    ConfigError,
    ConnectionFailed,
    ContactStopped,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)

EXOTEL_API = "https://api.exotel.com"
"""Singapore cluster; Mumbai accounts use https://api.in.exotel.com."""
THROTTLE_DELAY = 5.0
"""Seconds to wait after a 429 without Retry-After (Exotel allows 200 SMS per minute)."""
_INVALID = frozenset({"INVALID_TO", "INVALID_NUMBER", "FAILED_INVALID_NUMBER"})
_STOPPED = frozenset({"DND", "FAILED_DND", "BLACKLISTED", "FAILED_BLACKLISTED"})


def send_url(api_base: str | None, account_sid: str) -> str:
    """The Send SMS resource of an account (JSON answers)."""
    return f"{(api_base or EXOTEL_API).rstrip('/')}/v1/Accounts/{account_sid}/Sms/send.json"


def _retry_after(response: httpx.Response) -> float:
    """The provider's Retry-After in seconds, else our default."""
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return THROTTLE_DELAY


def _code(response: httpx.Response) -> str:
    """The RestException code of an error answer ("" when there is none)."""
    try:
        data = response.json()
    except ValueError:
        return ""
    exc = data.get("RestException") if isinstance(data, dict) else None
    return str(exc.get("Code") or "") if isinstance(exc, dict) else ""


def classify(response: httpx.Response) -> SendError:
    """The send error for an Exotel error answer."""
    status, code = response.status_code, _code(response)
    detail = f"exotel {status}/{code or '-'}"
    if status == 429:
        return Throttled(detail, retry_after=_retry_after(response))
    if status in (401, 403):
        return ConfigError(detail)
    if status >= 500:
        return ProviderDown(detail)
    if code.upper() in _INVALID:
        return RecipientInvalid(detail)
    if code.upper() in _STOPPED:
        return ContactStopped(detail)
    return ConfigError(detail)


def post_form(client: httpx.Client, url: str, form: dict[str, str],
              auth: tuple[str, str]) -> dict[str, Any]:
    """POST a form with Basic auth on the pooled client; the JSON answer, or a SendError."""
    try:
        response = client.post(url, data=form, auth=auth)
    except httpx.HTTPError as exc:
        raise ConnectionFailed(type(exc).__name__) from exc
    if not response.is_success:
        raise classify(response)
    try:
        data = response.json()
    except ValueError:
        raise ProviderDown("exotel answered without JSON") from None
    if not isinstance(data, dict):
        raise ProviderDown("exotel answered with unexpected JSON")
    return data
