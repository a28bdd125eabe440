"""End-to-end turn figures: pairing each inbound webhook with the reply the provider received.

A turn's reply goes to the sender (``To``) and every turn answers with one message, so the
replies to one sender, in arrival order, answer that sender's webhooks in order. Senders take
turns, so one sender's messages are ``senders / rate`` seconds apart (25 s at 200/s with 5,000
senders): a reply is paired with the earliest still-unanswered webhook of its sender that was
due before it arrived.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from bench.load import Shot, StepResult, percentile


@dataclass(frozen=True)
class TurnFigures:
    """One step's end-to-end figures."""

    rate: float
    seconds: float
    sent: int
    replies: int
    in_window: int
    unpaired: int
    latencies: list[float]
    drain: float

    @property
    def sustained(self) -> float:
        """Turns answered per second while the load ran (paired replies during the schedule)."""
        return self.in_window / self.seconds

    @property
    def completed(self) -> float:
        """Turns answered per second until the last reply (the capacity when overloaded)."""
        return len(self.latencies) / (self.seconds + self.drain)

    @property
    def missing(self) -> int:
        """Webhooks that never got a reply."""
        return self.sent - len(self.latencies)

    def latency_ms(self, q: float) -> float:
        """Percentile of due-time-to-reply-received, in ms."""
        return percentile(self.latencies, q) * 1000


def pair(step: StepResult, shots: Sequence[Shot], replies: Sequence[tuple[float, str]]
         ) -> TurnFigures:
    """Match replies to the step's webhooks; `shots[i]` is the request due `i`-th."""
    waiting: dict[str, deque[float]] = defaultdict(deque)
    for sample, shot in zip(step.samples, shots, strict=True):
        waiting[shot.sender].append(sample.due)
    latencies: list[float] = []
    unpaired = in_window = 0
    end = step.start + step.seconds
    for arrived, to in sorted(replies):
        queue = waiting.get(to)
        if queue and queue[0] <= arrived:
            latencies.append(arrived - queue.popleft())
            in_window += arrived <= end
        else:
            unpaired += 1
    last = max((a for a, _ in replies), default=end)
    return TurnFigures(step.rate, step.seconds, len(shots), len(replies), in_window, unpaired,
                       latencies, max(0.0, last - end))


HEADER = (f"{'offered/s':>10}{'webhook ok':>11}{'wh p99 ms':>10}{'turns/s':>9}{'done/s':>8}"
          f"{'replies':>9}"
          f"{'missing':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'drain s':>8}")


def row(step: StepResult, turns: TurnFigures) -> str:
    """One line of the end-to-end table."""
    return (f"{step.rate:>10.0f}{step.ok:>11}{step.latency_ms(99):>10.1f}"
            f"{turns.sustained:>9.1f}{turns.completed:>8.1f}{turns.replies:>9}{turns.missing:>8}"
            f"{turns.latency_ms(50):>9.1f}{turns.latency_ms(99):>9.1f}"
            f"{turns.latency_ms(100):>9.1f}{turns.drain:>8.1f}")
