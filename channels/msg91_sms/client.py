"""MSG91's send API over httpx (the `authkey` header), its answers and errors mapped to ours.

MSG91 answers many errors with HTTP 200 and `{"type": "error", "code": …}`; the documented
codes decide between a wrong recipient and a configuration problem. The adapter holds one
pooled client (channels/http.py, transport injectable); proxies from the environment are
ignored.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from channels.errors import (
    ConfigError,
    ConnectionFailed,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)
from channels.msg91_sms.payloads import SendAnswer

MSG91_API = "https://api.msg91.com"
SEND_PATH = "/api/v2/sendsms"
THROTTLE_DELAY = 5.0
_INVALID = frozenset({"101", "202"})  # missing / invalid mobile number
# Everything else documented is about our account: 102 missing message, 103 missing sender,
# 106/207 auth key, 107 route, 203 sender id, 208/418 IP not allowed, 301 balance, 302/303
# account, 306 route hours, 310 too long, 311 duplicate within 10 s (already sent: no retry).


def send_url(api_base: str | None) -> str:
    """The v2 send endpoint."""
    return (api_base or MSG91_API).rstrip("/") + SEND_PATH


def classify(status: int, code: str, retry_after: str | None = None) -> SendError:
    """The send error for an HTTP status and an MSG91 error code."""
    detail = f"msg91 {status}/{code or '-'}"
    if status == 429:
        try:
            delay = max(0.0, float(retry_after or ""))
        except ValueError:
            delay = THROTTLE_DELAY
        return Throttled(detail, retry_after=delay)
    if status >= 500:
        return ProviderDown(detail)
    if code in _INVALID:
        return RecipientInvalid(detail)
    return ConfigError(detail)


def post_json(client: httpx.Client, url: str, payload: dict[str, Any], auth_key: str) -> str:
    """POST a send request on the pooled client; MSG91's request id, or a SendError."""
    headers = {"authkey": auth_key, "accept": "application/json"}
    try:
        response = client.post(url, json=payload, headers=headers)
    except httpx.HTTPError as exc:
        raise ConnectionFailed(type(exc).__name__) from exc
    try:
        answer: SendAnswer | None = SendAnswer.model_validate(response.json())
    except (ValueError, ValidationError):
        answer = None
    if response.is_success and answer is not None and answer.type == "success" and answer.message:
        return answer.message
    code = str(answer.code) if answer is not None and answer.code is not None else ""
    if response.is_success and answer is None:
        raise ProviderDown("msg91 answered without a request id")
    raise classify(response.status_code, code, response.headers.get("retry-after"))
