"""Benchmark: how fast the gateway answers signed Twilio SMS webhooks, beside a bare endpoint.

Two single-process uvicorn servers run side by side with the same flags: the gateway API
(production settings: PostgreSQL, Redis; no Celery worker, so only the API process is measured:
the tasks it enqueues wait in Redis and are flushed at the end) and a bare FastAPI endpoint
that parses the same form and answers empty TwiML. The same open-loop steps (fixed arrival
schedule, latency from each request's due time) are offered to each in alternation, fresh
``MessageSid`` per request, 5,000 senders continuing their conversations; then a saturation
step whose achieved rate is each side's throughput.

    .venv/bin/python -m bench.webhook_answer           # 100, 200, 500/s, 15 s steps; ~4 min
    .venv/bin/python -m bench.webhook_answer --quick   # 100 and 500/s, 5 s steps; < 2 min
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.bare_app import PATH
from bench.load import StepResult, run_step
from bench.procs import Proc, clean_env, entry, free_port
from bench.report import HEADER, machine, notes, ratio, row, verdict
from bench.stack import Gateway, uvicorn
from bench.twilio_forms import Account, Senders

SIDES = ("bare", "gateway")
SETTLE_LIMIT = 60.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rates", default="100,200,500", help="offered rates per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each step")
    parser.add_argument("--saturation", type=float, default=2000.0,
                        help="offered rate of the throughput step (above both capacities)")
    parser.add_argument("--saturation-seconds", type=float, default=5.0)
    parser.add_argument("--senders", type=int, default=5000)
    parser.add_argument("--generators", type=int, default=1, help="load generator processes")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds from due time")
    parser.add_argument("--with-worker", action="store_true",
                        help="also run one Celery worker (shares the CPUs with the API)")
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="100 and 500/s, 5 s steps")
    args = parser.parse_args(argv)
    if args.quick:
        args.rates, args.seconds, args.saturation_seconds = "100,500", 5.0, 3.0
    args.rates = [float(r) for r in args.rates.split(",")]
    return args


@dataclass
class Measured:
    """One side's step: the load result and what the server spent on it."""

    step: StepResult
    cpu: float
    """Server CPU seconds from the step's start until the server was idle again."""
    after: float
    """Seconds the server stayed busy after the step (requests the client gave up on)."""
    restarted: bool
    """Still busy after `SETTLE_LIMIT`: restarted so that its backlog cannot skew the next."""

    @property
    def cpu_per_ok(self) -> float:
        """Server CPU seconds per good answer."""
        return self.cpu / max(self.step.ok, 1)


@dataclass
class Sides:
    """The two servers, by side name, and how to restart one."""

    gateway: Gateway
    bare_port: int
    workdir: Path
    bare: Proc | None = None

    def start_bare(self) -> None:
        """The bare endpoint's process."""
        self.bare = Proc("bare", uvicorn("bench.bare_app:app", self.bare_port), clean_env({}),
                         self.workdir)
        self.bare.wait_http(f"http://127.0.0.1:{self.bare_port}/healthz")

    def proc(self, side: str) -> Proc:
        """The side's server process."""
        proc = self.bare if side == "bare" else self.gateway.api
        assert proc is not None
        return proc

    def restart(self, side: str) -> None:
        """Stop and start the side's server."""
        self.proc(side).stop()
        if side == "bare":
            self.start_bare()
        else:
            self.gateway.start_api()


def measure(side: str, url: str, senders: Senders, rate: float, seconds: float, sides: Sides,
            args: argparse.Namespace) -> Measured:
    """One open-loop step against one side, until its server is idle again."""
    shots = senders.next(max(1, int(rate * seconds)))
    proc = sides.proc(side)
    cpu = proc.cpu_seconds()
    step = run_step(url, shots, rate, generators=args.generators, timeout=args.timeout)
    after = proc.settle(limit=SETTLE_LIMIT)
    used = proc.cpu_seconds() - cpu
    restarted = after >= SETTLE_LIMIT
    if restarted:
        sides.restart(side)
    return Measured(step, used, after, restarted)


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Start both servers, offer every step to each in alternation, print the figures."""
    print("webhook answer benchmark;", machine())
    sink_port, bare_port = free_port(), free_port()
    sink = Proc("twilio-sink", uvicorn("bench.twilio_sink:app", sink_port), clean_env({}),
                workdir)
    gateway = Gateway(workdir, f"http://127.0.0.1:{sink_port}", redis_db=args.redis_db)
    sides = Sides(gateway, bare_port, workdir)
    try:
        sink.wait_http(f"http://127.0.0.1:{sink_port}/healthz")
        account = gateway.prepare()
        gateway.start_api()
        if args.with_worker:
            gateway.start_worker(concurrency=2)
        sides.start_bare()
        urls = {"bare": f"http://127.0.0.1:{bare_port}{PATH}", "gateway": account.url}
        senders = {"bare": Senders(Account(urls["bare"], account.account_sid,
                                           account.auth_token, account.address),
                                   args.senders, prefix="+9197"),
                   "gateway": Senders(account, args.senders)}
        worker = "one Celery worker running" if args.with_worker else "no Celery worker"
        print(f"gateway: one API process, PostgreSQL + Redis, {worker}; "
              f"{args.senders} senders, fresh MessageSid per request; timeout "
              f"{args.timeout:.0f} s from due time; {args.generators} generator process(es)")
        for side in SIDES:  # warm-up: connections, caches, first contacts
            measure(side, urls[side], senders[side], 100, 2, sides, args)
        results: list[tuple[float, dict[str, Measured]]] = []
        plan = [(rate, args.seconds) for rate in args.rates]
        for i, (rate, seconds) in enumerate(plan):
            order = SIDES if i % 2 == 0 else SIDES[::-1]
            step = {side: measure(side, urls[side], senders[side], rate, seconds, sides, args)
                    for side in order}
            results.append((rate, step))
        # Saturation last, bare first: an overloaded gateway's backlog then skews nothing.
        results.append((args.saturation, {
            side: measure(side, urls[side], senders[side], args.saturation,
                          args.saturation_seconds, sides, args) for side in SIDES}))
        queued = gateway.queued()
        if any(step["gateway"].step.errors for _, step in results):
            print(f"gateway log (end):\n{sides.proc('gateway').log()}")
    finally:
        if sides.bare is not None:
            sides.bare.stop()
        gateway.stop()
        sink.stop()
    return report(args, results, queued)


def report(args: argparse.Namespace, results: list[tuple[float, dict[str, Measured]]],
           queued: int) -> int:
    """The step table, gateway/bare ratios and the goal verdicts."""
    print()
    print(HEADER)
    for _, step in results:
        for side in SIDES:
            m = step[side]
            print(row(side, m.step, m.cpu, m.after, "*" if m.restarted else ""))
    print(f"\n{'offered/s':>10}{'achieved g/b':>14}{'p50 g/b':>9}{'p99 g/b':>9}"
          f"{'cpu/ok g/b':>13}")
    for rate, step in results:
        b, g = step["bare"].step, step["gateway"].step
        print(f"{rate:>10.0f}{ratio(g.achieved, b.achieved):>14}"
              f"{ratio(g.latency_ms(50), b.latency_ms(50)):>9}"
              f"{ratio(g.latency_ms(99), b.latency_ms(99)):>9}"
              f"{ratio(step['gateway'].cpu_per_ok, step['bare'].cpu_per_ok):>13}")
    for line in notes([m.step for _, step in results for m in step.values()]):
        print(line)
    if any(m.restarted for _, step in results for m in step.values()):
        print(f"* still busy {SETTLE_LIMIT:.0f} s after the step: restarted (its CPU figure "
              "is then a lower bound)")
    print(f"'after s': how long the server stayed busy after the step; tasks left queued in "
          f"Redis by the gateway: {queued}")
    sat_b, sat_g = results[-1][1]["bare"].step, results[-1][1]["gateway"].step
    thr = sat_g.achieved / sat_b.achieved if sat_b.achieved else 0.0
    print("\ngoals:")
    print(verdict("throughput >= 0.5x the bare endpoint", thr >= 0.5,
                  f"{sat_g.achieved:.0f}/s vs {sat_b.achieved:.0f}/s = {thr:.2f}x "
                  f"(offered {args.saturation:.0f}/s)"))
    at500 = [step["gateway"].step for rate, step in results if rate == 500]
    if at500:
        g = at500[0]
        passed = g.latency_ms(99) <= 50 and g.timeouts == 0 and g.errors == 0
        print(verdict("p99 <= 50 ms at 500/s offered", passed,
                      f"p99 {g.latency_ms(99):.1f} ms, {g.timeouts} timeouts, "
                      f"{g.errors} errors"))
    print(machine())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return entry(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
