"""Purposes of processing a contact's number, and whether each needs the citizen's own grant.

A city messaging its citizens about their own grievance, bill or a public service is a
legitimate use of the number they gave (DPDP Act s. 7): allowed until they withdraw. Anything
promotional is allowed only once granted. An unknown purpose needs a grant (fail closed).
"""

from __future__ import annotations

from channels.contract import Medium
from channels.errors import ConfigError
from channels.registry import adapter_class
from services.consent.models import ANY

TRANSACTIONAL = "transactional"
"""Replies, grievance updates, receipts."""
REMINDER = "reminder"
"""Bill-due and similar reminders about the citizen's own dues."""
ANNOUNCEMENT = "announcement"
"""Public-service notices: water-supply interruptions, camps, vaccination drives."""
PROMOTIONAL = "promotional"
"""Anything the citizen must have asked for."""

OPT_OUT = frozenset({TRANSACTIONAL, REMINDER, ANNOUNCEMENT})
"""Purposes allowed until withdrawn; every other purpose needs a grant."""
MAX_PURPOSE = 32
MEDIA = frozenset(m.value for m in Medium)


def needs_grant(purpose: str) -> bool:
    """Whether a purpose is allowed only after the citizen granted it."""
    return purpose not in OPT_OUT


def check_purpose(purpose: str) -> str:
    """A purpose code as stored; ValueError for an empty or too long one."""
    clean = purpose.strip()
    if not clean or len(clean) > MAX_PURPOSE:
        raise ValueError("purpose")
    return clean


def channel_of(channel_type: str) -> str:
    """The medium consent is kept for: a channel type (`exotel-sms`) becomes its medium
    (`sms`), so a STOP sent to one SMS provider holds on every SMS provider; a medium or
    `*` stays as it is. ValueError for anything else."""
    if channel_type == ANY or channel_type in MEDIA:
        return channel_type
    try:
        return adapter_class(channel_type).medium.value
    except ConfigError:
        raise ValueError("channel_type") from None
