"""Short-lived signed links to a stored file, for staff browsers (no API key in the URL).

`/api/v1/media/{id}?exp=<unix seconds>&sig=<hex>`: the signature is an HMAC-SHA256 of the id
and the expiry under a key derived for this purpose alone from the key ring. Whoever holds the
link opens the file until it expires, and no longer; it is made only for staff whose key
covers the grievance.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

from services.security.crypto import Crypto

PURPOSE = b"media-link"
PATH = "/api/v1/media/"


class LinkRefused(Exception):
    """The link is not (or no longer) good; `code` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _mac(key: bytes, media_id: str, expires: int) -> str:
    """The signature of one id and expiry."""
    return hmac.new(key, f"{media_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def signed_path(crypto: Crypto, media_id: str, lifetime: int, now: float | None = None) -> tuple[
        str, int]:
    """The link's path and query, and its expiry (unix seconds)."""
    expires = int(now if now is not None else time.time()) + lifetime
    sig = _mac(crypto.purpose_keys(PURPOSE)[0], media_id, expires)
    return f"{PATH}{media_id}?{urlencode({'exp': expires, 'sig': sig})}", expires


def verify(crypto: Crypto, media_id: str, expires: int, sig: str,
           now: float | None = None) -> None:
    """Nothing when the link is good; LinkRefused `bad_signature` or `link_expired` else.

    The signature is checked first, so a tampered expiry is `bad_signature`, not a hint."""
    if not any(hmac.compare_digest(_mac(key, media_id, expires), sig)
               for key in crypto.purpose_keys(PURPOSE)):
        raise LinkRefused("bad_signature")
    if expires <= int(now if now is not None else time.time()):
        raise LinkRefused("link_expired")
