"""Open-loop load: a fixed arrival schedule, latency from each request's scheduled time.

Request ``i`` of a step is due at ``start + i / rate`` whatever happened to the ones before it,
so a slow server cannot slow the arrivals down and hide its queue (the "coordinated omission"
of closed-loop drivers). The schedule is split round-robin over several generator processes
(one asyncio loop and one pooled ``aiohttp`` client session each), all timed on the system-wide
``CLOCK_MONOTONIC`` so that other processes (the provider simulator) can be compared with it.
Every generator reports its *schedule slip* (how late it actually sent each request) and its own
CPU use, so a run can show that the generator kept its schedule rather than being what was
measured.

Why aiohttp and not httpx: on this kind of machine one process with ``httpx.AsyncClient`` sent
about 190 requests/s to the bare endpoint (64 connections), with ``aiohttp`` about 1,600/s;
an open-loop generator has to offer 500/s and more without slipping. (aiohttp is already
installed: the Twilio SDK depends on it.)
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing as mp
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection

import aiohttp

TIMEOUT = -1
"""Status recorded for a request that got no answer within the timeout (from its due time)."""
FAILED = -2
"""Status recorded for a request whose connection failed."""


@dataclass(frozen=True)
class Shot:
    """One prepared request: the encoded body, its headers (signature included), the sender."""

    body: bytes
    headers: dict[str, str]
    sender: str


@dataclass(frozen=True)
class Sample:
    """What happened to one request (monotonic seconds)."""

    due: float
    sent: float
    done: float
    status: int


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of a non-empty sequence (0 for an empty one)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


@dataclass
class StepResult:
    """One open-loop step: its schedule, every request's sample and the generators' CPU."""

    rate: float
    start: float
    samples: list[Sample]
    generator_cpu: float
    generators: int
    expect: int

    @property
    def seconds(self) -> float:
        """Length of the schedule."""
        return len(self.samples) / self.rate

    @property
    def ok(self) -> int:
        """Requests answered with the expected status."""
        return sum(s.status == self.expect for s in self.samples)

    @property
    def timeouts(self) -> int:
        """Requests without an answer in time."""
        return sum(s.status == TIMEOUT for s in self.samples)

    @property
    def errors(self) -> int:
        """Requests answered with another status, or whose connection failed."""
        return len(self.samples) - self.ok - self.timeouts

    @property
    def achieved(self) -> float:
        """Good answers per second, from the first due time to the last answer."""
        answered = [s.done for s in self.samples if s.status == self.expect]
        if not answered:
            return 0.0
        return len(answered) / max(max(answered) - self.start, self.seconds)

    def latency_ms(self, q: float) -> float:
        """Percentile of due-time-to-answer over the answered requests, in ms."""
        return percentile([s.done - s.due for s in self.samples if s.status >= 0], q) * 1000

    def slip_ms(self, q: float) -> float:
        """Percentile of how late the generator sent requests, in ms."""
        return percentile([s.sent - s.due for s in self.samples], q) * 1000

    @property
    def generator_busy(self) -> float:
        """Generators' CPU seconds per wall second, per generator (1.0 = one core flat out)."""
        return self.generator_cpu / self.seconds / self.generators


async def _one(client: aiohttp.ClientSession, url: str, shot: Shot, due: float,
               timeout: float) -> Sample:
    """Send one request; its deadline counts from its due time, not from when it left."""
    sent = time.monotonic()
    try:
        async with asyncio.timeout_at(due + timeout):
            async with client.post(url, data=shot.body, headers=shot.headers) as response:
                await response.read()
                status = response.status
    except TimeoutError:
        status = TIMEOUT
    except aiohttp.ClientError:
        status = FAILED
    return Sample(due, sent, time.monotonic(), status)


async def _drive(url: str, shots: Sequence[Shot], dues: Sequence[float], timeout: float,
                 connections: int) -> list[Sample]:
    """Launch each shot at its due time on one pooled client; gather every sample."""
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as client:
        tasks = []
        for shot, due in zip(shots, dues, strict=True):
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_one(client, url, shot, due, timeout)))
        return list(await asyncio.gather(*tasks))


def _generator(conn: Connection, url: str, shots: list[Shot], offsets: list[float],
               timeout: float, connections: int) -> None:
    """A generator process: say ready, receive the start time, run its slice, send samples."""
    conn.send("ready")
    start: float = conn.recv()
    cpu0 = time.process_time()
    samples = asyncio.run(_drive(url, shots, [start + o for o in offsets], timeout, connections))
    conn.send((samples, time.process_time() - cpu0))
    conn.close()


def run_step(url: str, shots: Sequence[Shot], rate: float, *, generators: int = 2,
             timeout: float = 5.0, connections: int = 256, expect: int = 200) -> StepResult:
    """Offer `shots` at `rate` per second (open loop) from `generators` processes."""
    ctx = mp.get_context("spawn")
    pipes: list[Connection] = []
    procs = []
    for g in range(generators):
        mine = list(range(g, len(shots), generators))
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_generator, daemon=True, args=(
            child, url, [shots[i] for i in mine], [i / rate for i in mine], timeout,
            max(1, connections // generators)))
        proc.start()
        procs.append(proc)
        pipes.append(parent)
    try:
        for pipe in pipes:
            if not pipe.poll(60) or pipe.recv() != "ready":
                raise RuntimeError("a load generator did not start")
        start = time.monotonic() + 0.3
        for pipe in pipes:
            pipe.send(start)
        samples: list[Sample] = []
        cpu = 0.0
        deadline = len(shots) / rate + timeout + 60
        for pipe in pipes:
            if not pipe.poll(deadline):
                raise RuntimeError("a load generator did not finish in time")
            part, used = pipe.recv()
            samples.extend(part)
            cpu += used
    finally:
        for proc in procs:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
    samples.sort(key=lambda s: s.due)
    return StepResult(rate, start, samples, cpu, generators, expect)
