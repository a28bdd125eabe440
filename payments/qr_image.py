"""The UPI QR as a picture: a signed, expiring link to a PNG of the gateway's QR content.

Channels that show images (WhatsApp, Telegram, web chat) are sent this link as the
message's `media_url`; the provider (or the widget) fetches it. The PNG is drawn on request
with `qrcode` from the attempt's `qr_content` (the gateway's `image_content`: the single-use,
fixed-amount UPI string), so nothing is stored, and only while the attempt is open: a paid,
expired or cancelled attempt's QR is gone (410), so an old picture cannot take money again.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import time

import qrcode

from services.security.crypto import Crypto

PURPOSE = b"upi-qr-image"
QR_PATH = "/payments/qr/"


class QrRefused(Exception):
    """A QR link that is not (or no longer) good: `bad_signature` or `link_expired`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _mac(key: bytes, attempt_id: str, expires: int) -> str:
    """The signature of one attempt's link and its expiry."""
    return hmac.new(key, f"{attempt_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def qr_url(crypto: Crypto, base_url: str, attempt_id: str, expires: int) -> str:
    """The absolute link to an attempt's QR picture, good until `expires` (unix seconds)."""
    sig = _mac(crypto.purpose_keys(PURPOSE)[0], attempt_id, expires)
    return f"{base_url.rstrip('/')}{QR_PATH}{attempt_id}.png?exp={expires}&sig={sig}"


def check_qr_link(crypto: Crypto, attempt_id: str, expires: int, sig: str,
                  now: float | None = None) -> None:
    """Nothing for a good link; QrRefused otherwise (the signature is checked first)."""
    if not any(hmac.compare_digest(_mac(key, attempt_id, expires), sig)
               for key in crypto.purpose_keys(PURPOSE)):
        raise QrRefused("bad_signature")
    if expires < (time.time() if now is None else now):
        raise QrRefused("link_expired")


def qr_png(content: str) -> bytes:
    """The QR code of a UPI string (error correction M, big enough for a phone's camera)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10,
                         border=4)
    code.add_data(content)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image().save(buf)
    return buf.getvalue()
