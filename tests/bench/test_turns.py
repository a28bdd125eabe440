"""Replies are paired with their sender's webhooks in order, timed from the due time."""

from __future__ import annotations

from bench.load import Sample, Shot, StepResult
from bench.turns import pair


def _step(dues: list[float]) -> StepResult:
    return StepResult(rate=2.0, start=100.0, samples=[Sample(d, d, d + 0.01, 200) for d in dues],
                      generator_cpu=0.0, generators=1, expect=200)


def _shot(sender: str) -> Shot:
    return Shot(b"", {}, sender)


def test_each_reply_answers_the_earliest_waiting_webhook_of_its_sender() -> None:
    """a: due 100.0 and 101.0; b: due 100.5. Replies out of order still pair per sender."""
    step = _step([100.0, 100.5, 101.0])
    shots = [_shot("a"), _shot("b"), _shot("a")]
    figures = pair(step, shots, [(101.2, "a"), (100.7, "b"), (100.3, "a")])
    assert sorted(round(x, 3) for x in figures.latencies) == [0.2, 0.2, 0.3]
    assert figures.missing == 0 and figures.unpaired == 0
    assert figures.in_window == 3  # all arrived before start + 1.5 s
    assert figures.sustained == figures.completed == 2.0


def test_a_reply_before_any_webhook_of_its_sender_or_to_a_stranger_is_unpaired() -> None:
    """Replies that answer nothing are counted, and unanswered webhooks are missing."""
    step = _step([100.0, 100.5])
    figures = pair(step, [_shot("a"), _shot("b")],
                   [(99.0, "a"), (100.6, "c"), (103.0, "b")])
    assert figures.unpaired == 2
    assert figures.missing == 1
    assert [round(x, 3) for x in figures.latencies] == [2.5]
    assert figures.in_window == 0 and round(figures.drain, 3) == 2.0
