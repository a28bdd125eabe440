"""Opaque, signed cursors for keyset paging of the staff grievance list.

A cursor names a position in the newest-first order (a grievance's filing time in microseconds
since the epoch and its public id) and carries an HMAC under the key ring's current key, so a
client can hand it back but not make or alter one: `<base64url(1:<micros>:<id>)>.<mac>`. A
cursor is only a position, valid with any filters; it does not outlive a key rotation.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import UTC, datetime, timedelta

from services.grievances.registry import Position
from services.security.crypto import Crypto

VERSION = "1"
MAC_CHARS = 32
"""Hex characters of the HMAC kept (128 bits)."""
MAX_LENGTH = 200
"""No cursor the gateway issues is longer; the query parameter is bounded by it."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_ID = 40
"""`grievances.public_id`."""


class InvalidCursor(ValueError):
    """A cursor the gateway did not issue, altered, malformed or signed by a retired key."""

    code = "invalid_cursor"


def _mac(crypto: Crypto, payload: str) -> str:
    """The cursor's HMAC, bound to its purpose so no other signed token passes as one."""
    return crypto.sign("grievance-cursor:" + payload)[:MAC_CHARS]


def encode(crypto: Crypto, position: Position) -> str:
    """The cursor that resumes the list after `position`."""
    micros = (position.created_at.astimezone(UTC) - EPOCH) // timedelta(microseconds=1)
    payload = f"{VERSION}:{micros}:{position.id}"
    body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{body}.{_mac(crypto, payload)}"


def decode(crypto: Crypto, cursor: str) -> Position:
    """The position a cursor names; InvalidCursor unless it is one this gateway issued."""
    body, _, mac = cursor.partition(".")
    if not body or len(cursor) > MAX_LENGTH:
        raise InvalidCursor(cursor[:16])
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor(cursor[:16]) from None
    if not hmac.compare_digest(mac.encode(), _mac(crypto, payload).encode()):
        raise InvalidCursor(cursor[:16])
    version, _, rest = payload.partition(":")
    micros, _, public_id = rest.partition(":")
    if (version != VERSION or not micros.isdigit() or len(micros) > 17
            or not 0 < len(public_id) <= MAX_ID):
        raise InvalidCursor(cursor[:16])
    at = EPOCH + timedelta(microseconds=int(micros))
    if not EARLIEST <= at < LATEST:
        raise InvalidCursor(cursor[:16])
    return Position(at, public_id)
