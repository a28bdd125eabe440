"""When a campaign may send: quiet hours by purpose, in India's time (IST).

Promotional and service-explicit messages go out only from 10:00 to 21:00 IST; transactional
ones at any time. A campaign running into 21:00 stops sending and carries on at 10:00.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from services.campaigns.spec import Purpose
from services.db.base import IST

OPENS = time(10, 0)
CLOSES = time(21, 0)


def may_send(purpose: str, moment: datetime) -> bool:
    """Whether a message of this purpose may go out at this moment."""
    if purpose == Purpose.TRANSACTIONAL:
        return True
    local = moment.astimezone(IST).time()
    return OPENS <= local < CLOSES


def next_window(purpose: str, moment: datetime) -> datetime:
    """The first moment at or after `moment` when this purpose may send."""
    if may_send(purpose, moment):
        return moment
    local = moment.astimezone(IST)
    opens = datetime.combine(local.date(), OPENS, IST)
    if local.time() >= CLOSES:
        opens += timedelta(days=1)
    return opens


def parse_ist(text: str) -> datetime:
    """A staff member's time: ISO 8601, read as IST unless it names its own offset."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=IST)
