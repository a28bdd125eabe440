"""Bucket keys for the global rate limiter: per provider account, per account and recipient.

Keys reach Redis as they are, so they never hold a phone number or chat id: the recipient is
given as the contact's lookup hash (a keyed HMAC, `Crypto.lookup_hash`), never in clear.
"""

from __future__ import annotations

import re

_HASH = re.compile(r"[0-9a-f]{32,128}")
"""A lookup hash: far longer than any phone number (E.164 has at most 15 digits)."""


def account_key(account_id: str) -> str:
    """The bucket of everything one provider account sends."""
    return f"acct:{account_id}"


def recipient_key(account_id: str, recipient_hash: str) -> str:
    """The bucket of what one account sends to one recipient (by lookup hash, never clear)."""
    if not _HASH.fullmatch(recipient_hash):
        raise ValueError("recipient_key takes a lookup hash (hex), not an address")
    return f"acct:{account_id}:to:{recipient_hash}"
