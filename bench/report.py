"""Printing a benchmark's figures: step tables, ratios, machine load, goal verdicts."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence

from bench.load import StepResult

HEADER = (f"{'side':<9}{'offered/s':>10}{'achieved/s':>11}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}{'timeouts':>9}{'errors':>7}{'slip p99':>9}{'gen cpu':>8}"
          f"{'srv cpu':>8}{'cpu ms/ok':>10}{'after s':>8}")


def machine() -> str:
    """Python, CPUs and the load averages now (other work on the machine skews figures)."""
    one, five, fifteen = os.getloadavg()
    return (f"python {sys.version.split()[0]} on {platform.machine()}, {os.cpu_count()} CPUs, "
            f"load average {one:.2f} {five:.2f} {fifteen:.2f}")


def row(side: str, step: StepResult, server_cpu: float | None, after: float = 0.0,
        mark: str = "") -> str:
    """One table line.

    `server_cpu` is the server's CPU seconds from the step's start until it was idle again,
    `after` seconds past the step's end (work on requests the client had given up on included),
    so *cpu ms/ok* is what each good answer cost (an upper bound when requests timed out: work
    on those counts too); `mark` flags a server that had to be restarted because it was still
    busy.
    """
    busy = cost = ""
    if server_cpu is not None:
        busy = f"{server_cpu / (step.seconds + after):.0%}"
        cost = f"{server_cpu / max(step.ok, 1) * 1000:.2f}"
    return (f"{side:<9}{step.rate:>10.0f}{step.achieved:>11.1f}{step.latency_ms(50):>9.1f}"
            f"{step.latency_ms(99):>9.1f}{step.latency_ms(100):>9.1f}{step.timeouts:>9}"
            f"{step.errors:>7}{step.slip_ms(99):>9.1f}{step.generator_busy:>8.0%}"
            f"{busy:>8}{cost:>10}{after:>7.1f}{mark or ' '}")


def ratio(a: float, b: float) -> str:
    """a/b, printed; n/a when b is zero."""
    return f"{a / b:.2f}" if b else "n/a"


def verdict(label: str, passed: bool, detail: str) -> str:
    """A goal line."""
    return f"  [{'PASS' if passed else 'FAIL'}] {label}: {detail}"


def notes(steps: Sequence[StepResult]) -> list[str]:
    """Warnings about the generator itself: slipping its schedule or running flat out."""
    lines = []
    worst = max(steps, key=lambda s: s.slip_ms(99))
    if worst.slip_ms(99) > 10:
        lines.append(f"note: the generator sent 1% of requests more than "
                     f"{worst.slip_ms(99):.0f} ms late at {worst.rate:.0f}/s (it is measured "
                     "from the schedule, so this counts against the server, not for it)")
    busiest = max(steps, key=lambda s: s.generator_busy)
    if busiest.generator_busy > 0.85:
        lines.append(f"note: a generator process was {busiest.generator_busy:.0%} busy at "
                     f"{busiest.rate:.0f}/s: that step may be client-bound; add --generators")
    return lines
