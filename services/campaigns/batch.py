"""Around a sender's sends: the campaign's state read every quarter second, results written
under their claims, and the batch's price held against the city's daily cap."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.campaigns.claims import Claimed, settle
from services.campaigns.models import Campaign
from services.campaigns.prepare import Ready
from services.campaigns.spec import Status
from services.messaging import spend

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class Control:
    """The campaign's state, read again at most every `every` seconds."""

    def __init__(self, sessions: sessionmaker[Session], campaign_id: str, every: float) -> None:
        self.sessions, self.campaign_id, self.every = sessions, campaign_id, every
        self._read_at = float("-inf")
        self.status = ""

    def current(self, force: bool = False) -> str:
        """The campaign's status, fresh within `every` seconds."""
        if force or time.monotonic() - self._read_at >= self.every:
            with self.sessions() as db:
                self.status = db.scalar(select(Campaign.status).where(
                    Campaign.id == self.campaign_id)) or Status.CANCELLED.value
            self._read_at = time.monotonic()
        return self.status


def reserve(sessions: sessionmaker[Session], cap_paise: int, ready: list[Ready],
            tenant_id: str, now: Clock) -> spend.Charge | bool | None:
    """The batch's price reserved against the city's daily cap (False: over the cap)."""
    total = sum(r.price_paise for r in ready if r.adapter is not None and not r.skip)
    if not total:
        return None
    with sessions() as db:
        charge = spend.reserve(db, tenant_id, total, now(), cap_paise)
    return False if charge is None else charge


def refund(sessions: sessionmaker[Session], charge: spend.Charge | bool | None,
            unsent: int) -> None:
    """Give back what the rows that did not go out had reserved."""
    if isinstance(charge, spend.Charge) and unsent > 0:
        with sessions() as db:
            spend.release(db, spend.Charge(charge.tenant_id, charge.day, unsent))


def give_back(flush: Flusher, ready: list[Ready], now: Clock, wait: float) -> None:
    """Every row of the batch pending again after `wait`, its attempt given back."""
    due = now() + timedelta(seconds=wait)
    flush([(r.held, {"status": "pending", "attempts": r.held.attempts - 1,
                                "due_at": due, "claimed_at": None}) for r in ready])


class Flusher:
    """Writes collected results; marks the campaign's progress at most once a second."""

    def __init__(self, sessions: sessionmaker[Session], campaign_id: str, now: Clock) -> None:
        self.sessions, self.campaign_id, self.now = sessions, campaign_id, now
        self._marked = float("-inf")

    def __call__(self, results: list[tuple[Claimed, dict[str, Any]]]) -> None:
        """Write and forget the collected results (only where each claim still holds)."""
        if not results:
            return
        with self.sessions() as db:
            written = settle(db, results)
            if written < len(results):
                log.warning("campaign: %d results not written (claims taken over)",
                            len(results) - written)
            if time.monotonic() - self._marked >= 1.0:
                self._marked = time.monotonic()
                db.execute(update(Campaign).where(Campaign.id == self.campaign_id)
                           .values(progress_at=self.now())
                           .execution_options(synchronize_session=False))
            db.commit()
        results.clear()
