"""A shared webhook secret for providers that sign nothing (Exotel, MSG91).

The secret travels as `?token=` in the callback URL we give the provider, or as the password of
HTTP Basic credentials in that URL; webhook fields may come in the query and the body.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from channels.contract import WebhookRequest
from channels.errors import BadSignature, MalformedPayload

SECRET_PARAM = "token"  # noqa: S105  (the query parameter's name, not a secret)


def with_token(url: str, secret: str) -> str:
    """The URL with the webhook secret added as `token` to its query."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != SECRET_PARAM]
    return urlunsplit(parts._replace(query=urlencode([*query, (SECRET_PARAM, secret)])))


def with_basic(url: str, secret: str, user: str = "exotel") -> str:
    """The URL with the webhook secret as HTTP Basic credentials (`user:secret@host`)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(secret, safe='')}@{host}"))


def presented_secret(request: WebhookRequest) -> str | None:
    """The secret a webhook request carries: `token` in the URL, else a Basic password."""
    for key, value in parse_qsl(urlsplit(request.url).query, keep_blank_values=True):
        if key == SECRET_PARAM:
            return value
    auth = request.header("Authorization") or ""
    if not auth.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(auth[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, password = decoded.partition(":")
    return password if sep else None


def request_fields(request: WebhookRequest) -> dict[str, str]:
    """Form fields from the URL query and the body (the body wins); `token` left out."""
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedPayload("body is not UTF-8") from None
    fields = {k: v for k, v in parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
              if k != SECRET_PARAM}
    posted: dict[str, str] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        posted.setdefault(key, value)  # a repeated field counts once, as first sent
    return {**fields, **posted}


def check_secret(request: WebhookRequest, expected: str) -> None:
    """Refuse a request without our webhook secret (BadSignature, 403)."""
    presented = presented_secret(request)
    if not presented:
        raise BadSignature("no webhook secret in the URL or Basic credentials")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise BadSignature("webhook secret does not match")
