"""Who a DIGIT call is made as: the citizen, through the platform's OTP login, or the
connector's own system user (polling, bills, payment postings, staff actions).

A citizen is never logged in with a shared or default password: the platform texts them an
OTP (`/user-otp/v1/_send`), they type it into the conversation, and the token it buys is kept
encrypted per citizen until it expires. The system user's token is kept per process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.connectors.digit.client import DigitClient
from services.connectors.errors import Refused
from services.connectors.models import PlatformToken
from services.contacts.models import Contact
from services.db.base import aware, utcnow
from services.security.crypto import Crypto

T = TypeVar("T")
Auth = tuple[str, Mapping[str, Any]]
"""(access token, the platform's user record) — what `RequestInfo` carries."""
MARGIN = timedelta(seconds=60)
"""A token this close to expiry counts as expired (a call must not outlive it)."""
_SYSTEM: dict[tuple[str, str], tuple[float, Auth]] = {}
_LOCK = threading.Lock()


def mobile_of(crypto: Crypto, contact: Contact) -> str | None:
    """A contact's Indian mobile as the platform stores it (10 digits), or None (a web
    visitor, a foreign number)."""
    urn = crypto.decrypt(contact.urn_enc)
    digits = "".join(ch for ch in urn.partition(":")[2] if ch.isdigit())
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    return digits if len(digits) == 10 and digits[0] in "6789" else None


def _auth_of(answer: Mapping[str, Any]) -> tuple[Auth, float]:
    """The token, user and lifetime (seconds) of an OAuth answer."""
    token = str(answer.get("access_token") or "")
    if not token:
        raise Refused("platform_bad_answer")
    user = answer.get("UserRequest") if isinstance(answer.get("UserRequest"), Mapping) else {}
    return (token, dict(user or {})), float(answer.get("expires_in") or 3600)


def system_auth(client: DigitClient) -> Auth:
    """The connector's own login (its system user), reused until shortly before expiry."""
    config = client.settings.config
    key = (client.base, str(config["username"]))
    with _LOCK:
        held = _SYSTEM.get(key)
    if held is not None and held[0] > time.monotonic():
        return held[1]
    auth, lifetime = _auth_of(client.token(str(config["username"]), str(config["password"]),
                                           user_type=str(config.get("user_type", "EMPLOYEE"))))
    with _LOCK:
        _SYSTEM[key] = (time.monotonic() + lifetime - MARGIN.total_seconds(), auth)
    return auth


def forget_system(client: DigitClient) -> None:
    """Drop the system login (the platform said it expired)."""
    with _LOCK:
        _SYSTEM.pop((client.base, str(client.settings.config.get("username"))), None)


def as_system(client: DigitClient, call: Callable[[Auth], T]) -> T:
    """`call` with the system login; a login the platform no longer knows (401: expired,
    or the platform restarted) is dropped and made again, once."""
    try:
        return call(system_auth(client))
    except Refused as exc:
        if exc.status != 401:
            raise
        forget_system(client)
        return call(system_auth(client))


def start_login(client: DigitClient, crypto: Crypto, contact: Contact) -> bool:
    """Have the platform text the citizen an OTP; False when they have no Indian mobile."""
    mobile = mobile_of(crypto, contact)
    if mobile is None:
        return False
    client.send_otp(mobile)
    return True


def finish_login(db: Session, client: DigitClient, crypto: Crypto, contact: Contact,
                 otp: str) -> Auth:
    """Exchange the OTP the citizen typed for their token, kept encrypted until it expires
    (a refused OTP raises `Refused`)."""
    mobile = mobile_of(crypto, contact)
    if mobile is None:
        raise Refused("platform_login_unavailable")
    auth, lifetime = _auth_of(client.token(mobile, otp.strip(), user_type="CITIZEN"))
    db.execute(delete(PlatformToken).where(PlatformToken.tenant_id == contact.tenant_id,
                                           PlatformToken.contact_id == contact.id))
    db.add(PlatformToken(tenant_id=contact.tenant_id, contact_id=contact.id,
                         token_enc=crypto.encrypt_json({"access_token": auth[0],
                                                        "user": dict(auth[1])}),
                         expires_at=utcnow() + timedelta(seconds=lifetime)))
    db.flush()
    return auth


def citizen_auth(db: Session, crypto: Crypto, tenant_id: str, contact_id: str) -> Auth | None:
    """The citizen's live platform login, or None (never logged in, or expired)."""
    row = db.scalar(select(PlatformToken).where(PlatformToken.tenant_id == tenant_id,
                                                PlatformToken.contact_id == contact_id))
    if row is None or aware(row.expires_at) - MARGIN <= utcnow():
        return None
    held = crypto.decrypt_json(row.token_enc)
    return str(held["access_token"]), dict(held.get("user") or {})
