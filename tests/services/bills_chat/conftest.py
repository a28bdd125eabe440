"""Fixtures for bill conversations: the Razorpay simulator fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from payments.razorpay import simulator


@pytest.fixture(autouse=True)
def _fresh_simulator() -> Iterator[None]:
    """Each test starts with an empty simulator and no knobs set."""
    simulator.reset()
    yield
    simulator.reset()
