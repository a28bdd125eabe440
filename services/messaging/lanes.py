"""Delivery lanes: replies and transactional notices never wait behind bulk sends.

Each lane has its own Celery queue (run and scale workers per queue) and a priority the sweeper
picks by. Replies to a citizen and notices (grievance updates, receipts) share the `replies`
queue; bulk campaign sends have `bulk` to themselves.
"""

from __future__ import annotations

from enum import StrEnum


class Lane(StrEnum):
    """Why a message is going out, which decides how soon."""

    REPLY = "reply"
    """A conversation's answer: the citizen is waiting."""
    NOTICE = "notice"
    """A transactional notice: a grievance moved, a receipt."""
    BULK = "bulk"
    """A campaign send."""

    @property
    def priority(self) -> int:
        """Lower goes first."""
        return _PRIORITY[self]

    @property
    def queue(self) -> str:
        """The Celery queue its delivery tasks go to."""
        return "bulk" if self is Lane.BULK else "replies"


_PRIORITY = {Lane.REPLY: 0, Lane.NOTICE: 1, Lane.BULK: 2}
TURNS_QUEUE = "turns"
"""Conversation turns (inbox rows) run on their own queue."""
QUEUES = (TURNS_QUEUE, "replies", "bulk")
