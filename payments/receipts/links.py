"""The public verification URL (what the QR encodes) and short-lived signed PDF links."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

from services.security.crypto import Crypto

PDF_PURPOSE = b"receipt-pdf-link"
VERIFY_PATH = "/receipts/verify/"
PDF_PATH = "/receipts/pdf/"


class LinkRefused(Exception):
    """A PDF link that is not (or no longer) good; `code` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def verify_url(base_url: str, number: str, signature: str, lang: str | None = None) -> str:
    """Where anyone checks a receipt: its number and signature (the language only shapes the
    page; it is not part of what is checked)."""
    query = {"sig": signature, **({"lang": lang} if lang else {})}
    return f"{base_url.rstrip('/')}{VERIFY_PATH}{quote(number, safe='/')}?{urlencode(query)}"


def _mac(key: bytes, receipt_id: str, lang: str, expires: int) -> str:
    """The signature of one receipt, language and expiry."""
    return hmac.new(key, f"{receipt_id}.{lang}.{expires}".encode(), hashlib.sha256).hexdigest()


def pdf_path(crypto: Crypto, receipt_id: str, lang: str, lifetime: int,
             now: float | None = None) -> tuple[str, int]:
    """A link's path and query to a receipt's PDF in a language, and its expiry (unix s)."""
    expires = int(now if now is not None else time.time()) + lifetime
    sig = _mac(crypto.purpose_keys(PDF_PURPOSE)[0], receipt_id, lang, expires)
    return f"{PDF_PATH}{receipt_id}?{urlencode({'lang': lang, 'exp': expires, 'sig': sig})}", \
        expires


def check_pdf_link(crypto: Crypto, receipt_id: str, lang: str, expires: int, sig: str,
                   now: float | None = None) -> None:
    """Nothing for a good link; LinkRefused `bad_signature` (checked first) or `link_expired`."""
    if not any(hmac.compare_digest(_mac(key, receipt_id, lang, expires), sig)
               for key in crypto.purpose_keys(PDF_PURPOSE)):
        raise LinkRefused("bad_signature")
    if expires <= int(now if now is not None else time.time()):
        raise LinkRefused("link_expired")
