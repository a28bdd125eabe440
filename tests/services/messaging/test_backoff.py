"""Backoff: full jitter between one second and 2**attempts, capped; Retry-After wins."""

from __future__ import annotations

import random

import pytest

from services.messaging.backoff import CAP_SECONDS, backoff, ceiling, retry_delay
from tests.services.messaging.conftest import Pinned

# attempts -> the longest wait after them
CEILINGS = {0: 1.0, 1: 2.0, 2: 4.0, 5: 32.0, 9: 512.0, 10: 600.0, 40: 600.0, 10_000: 600.0}


@pytest.mark.parametrize(("attempts", "top"), CEILINGS.items())
def test_ceiling_doubles_up_to_ten_minutes(attempts: int, top: float) -> None:
    assert ceiling(attempts) == top
    assert backoff(attempts, Pinned(0.0)) == 1.0
    assert backoff(attempts, Pinned(1.0)) == top


def test_waits_spread_over_the_whole_range() -> None:
    """Many messages failing together do not come back in the same second."""
    rng = random.Random(20261202)
    waits = [backoff(6, rng) for _ in range(2000)]
    assert min(waits) >= 1.0 and max(waits) <= 64.0
    assert min(waits) < 5.0 and max(waits) > 60.0
    assert len({round(w) for w in waits}) > 50


def test_default_random_source_stays_in_range() -> None:
    assert all(1.0 <= backoff(12) <= CAP_SECONDS for _ in range(200))


@pytest.mark.parametrize(("retry_after", "expected"), [(30.0, 30.0), (0.0, 0.0), (-5.0, 0.0),
                                                       (3600.0, 3600.0), (None, 4.0)])
def test_retry_after_is_honoured_when_given(retry_after: float | None, expected: float) -> None:
    assert retry_delay(retry_after, 2, Pinned(1.0)) == expected
