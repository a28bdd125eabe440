"""The connectors' periodic job (embedded sweeper or Celery beat): file the grievances a
platform could not take, post captured payments to it, and bring its status changes to
citizens. Each part runs whatever the others did; notices go out in the `notice` lane."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from services.connectors.digit.payments import post_due
from services.connectors.filing import file_due
from services.connectors.poll import poll_all
from services.grievances.factory import GrievanceRegistries
from services.security.crypto import Crypto

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    """What one sweep did."""

    notices: list[str] = field(default_factory=list)
    """Outbox ids queued for citizens (filed at last, status changed)."""
    postings: dict[str, int] = field(default_factory=dict)


def sweep(sessions: sessionmaker[Session], crypto: Crypto,
          registries: GrievanceRegistries) -> SweepResult:
    """One round of every connector job."""
    result = SweepResult()
    result.notices += file_due(sessions, crypto, registries)
    result.postings = post_due(sessions, crypto)
    result.notices += poll_all(sessions, crypto, registries)
    return result
