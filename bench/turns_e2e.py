"""Benchmark: turns end to end, from a signed Twilio webhook to the reply Twilio received.

The gateway runs as in production (PostgreSQL, Redis, one API process, Celery workers on the
``turns``, ``replies`` and ``bulk`` queues and Celery's default one) or, with ``--embedded``,
as the embedded default (SQLite, in-process runner, ``NAGARSETU_ENV=development``). Its Twilio
account points at a stand-in Twilio process (``twilio_sink``) that records when each reply
arrived. Open-loop steps offer signed webhooks (fresh ``MessageSid``, 5,000 senders); each
reply is paired with its webhook and timed from the webhook's due time. The baseline, measured
first in the same run, is the stand-in's own answer to the same rate of Twilio API requests.

    .venv/bin/python -m bench.turns_e2e              # 200/s and 300/s for 60 s each
    .venv/bin/python -m bench.turns_e2e --quick      # 200/s and 300/s for 8 s; under 2 min
    .venv/bin/python -m bench.turns_e2e --embedded   # embedded default, 100/s and 150/s
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench.load import Shot, StepResult, run_step
from bench.procs import Meter, Proc, clean_env, entry, free_port
from bench.report import HEADER as STEP_HEADER
from bench.report import machine, notes, row, verdict
from bench.stack import Gateway, uvicorn
from bench.turns import HEADER, TurnFigures, pair
from bench.turns import row as turn_row
from bench.twilio_forms import FORM_TYPE, Account, Senders

SETTLE_LIMIT = 30.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rates", default=None, help="offered rates (default 200,300; "
                                                      "embedded 100,150)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each step")
    parser.add_argument("--drain", type=float, default=60.0,
                        help="at most this long after a step for the last replies")
    parser.add_argument("--senders", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes")
    parser.add_argument("--worker-concurrency", type=int, default=4,
                        help="pool size of each worker (prefork)")
    parser.add_argument("--generators", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=15.0,
                        help="webhook timeout in s from due time (Twilio waits 15 s)")
    parser.add_argument("--embedded", action="store_true", help="the embedded default")
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="8 s steps, 15 s drain")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.drain = 8.0, 15.0
    rates = args.rates or ("100,150" if args.embedded else "200,300")
    args.rates = [float(r) for r in rates.split(",")]
    return args


def messages_url(sink: str, account: Account) -> str:
    """The stand-in's Messages-create URL for the account."""
    return f"{sink}/2010-04-01/Accounts/{account.account_sid}/Messages.json"


def sink_shots(account: Account, n: int) -> list[Shot]:
    """Twilio Messages-create requests as the SDK sends them, for the baseline."""
    auth = base64.b64encode(f"{account.account_sid}:{account.auth_token}".encode()).decode()
    headers = {"Content-Type": FORM_TYPE, "Authorization": f"Basic {auth}"}
    return [Shot(urlencode({"To": f"+9196{i:08d}", "From": account.address,
                            "Body": "Your grievance is registered"}).encode(), headers,
                 f"+9196{i:08d}") for i in range(n)]


def replies_since(sink: str, after: int) -> list[tuple[float, str]]:
    """Replies the stand-in received from position `after` on."""
    data = httpx.get(f"{sink}/bench/replies", params={"after": after}, timeout=30).json()
    return [(float(t), str(to)) for t, to in data["replies"]]


def wait_replies(sink: str, after: int, expected: int, drain: float) -> None:
    """Until `expected` replies came, nothing came for 10 s, or `drain` seconds passed."""
    deadline = time.monotonic() + drain
    seen, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = int(httpx.get(f"{sink}/bench/replies", params={"after": 10**9},
                              timeout=30).json()["next"]) - after
        if count >= expected:
            return
        if count != seen:
            seen, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > 10:
            return
        time.sleep(0.5)


def step(args: argparse.Namespace, gateway: Gateway, sink_url: str, senders: Senders,
         rate: float, seconds: float, procs: list[Proc]) -> tuple[StepResult, TurnFigures,
                                                                  dict[str, float], str]:
    """One open-loop step and its replies; each process's CPU share; what it left behind."""
    assert gateway.account is not None
    after = int(httpx.get(f"{sink_url}/bench/replies", params={"after": 10**9},
                          timeout=30).json()["next"])
    shots = senders.next(max(1, int(rate * seconds)))
    meter = Meter(procs)
    result = run_step(gateway.account.url, shots, rate, generators=args.generators,
                      timeout=args.timeout)
    busy = meter.busy()
    wait_replies(sink_url, after, len(shots), args.drain)
    figures = pair(result, shots, replies_since(sink_url, after))
    busy_after = [p.name for p in procs if p.settle(limit=SETTLE_LIMIT) >= SETTLE_LIMIT]
    queued = gateway.queued()
    left = ""
    if busy_after or queued:
        left = (f"still busy {SETTLE_LIMIT:.0f} s after the drain: "
                f"{', '.join(busy_after) or 'none'}; {queued} tasks queued")
    return result, figures, busy, left


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Start the stand-in, the gateway and its workers; baseline, warm-up, steps, report."""
    mode = "embedded default (SQLite, in-process runner)" if args.embedded else (
        f"PostgreSQL + Redis, one API process, {args.workers} Celery worker(s) x "
        f"{args.worker_concurrency}")
    print(f"end-to-end turns benchmark: {mode};", machine())
    port = free_port()
    sink_url = f"http://127.0.0.1:{port}"
    sink = Proc("twilio-sink", uvicorn("bench.twilio_sink:app", port), clean_env({}),
                workdir)
    gateway = Gateway(workdir, sink_url, embedded=args.embedded, redis_db=args.redis_db)
    rows: list[tuple[StepResult, TurnFigures, dict[str, float], str]] = []
    try:
        sink.wait_http(sink_url + "/healthz")
        account = gateway.prepare()
        gateway.start_api()
        for _ in range(0 if args.embedded else args.workers):
            gateway.start_worker(args.worker_concurrency)
        assert gateway.api is not None
        procs = [gateway.api, *gateway.workers, sink]
        top = max(args.rates)
        meter = Meter([sink])
        base = run_step(messages_url(sink_url, account),
                        sink_shots(account, int(top * min(args.seconds, 10))), top,
                        generators=args.generators, timeout=args.timeout, expect=201)
        sink_busy = meter.busy()["twilio-sink"]
        httpx.post(sink_url + "/bench/reset", timeout=30)
        senders = Senders(account, args.senders)
        step(args, gateway, sink_url, senders, 50, 2, procs)  # warm-up, not reported
        for rate in args.rates:
            rows.append(step(args, gateway, sink_url, senders, rate, args.seconds, procs))
    finally:
        gateway.stop()
        sink.stop()
    return report(args, base, sink_busy, rows)


def report(args: argparse.Namespace, base: StepResult, sink_busy: float,
           rows: list[tuple[StepResult, TurnFigures, dict[str, float], str]]) -> int:
    """Baseline, the end-to-end table, CPU per process, goal verdicts."""
    print("\nbaseline: the Twilio stand-in answering Messages-create requests directly")
    print(STEP_HEADER)
    print(row("sink", base, sink_busy * base.seconds))
    print(f"\nend to end ({args.seconds:.0f} s steps; latency from the webhook's due time to "
          "the reply's arrival at the stand-in)")
    print(HEADER)
    for result, figures, _, _ in rows:
        print(turn_row(result, figures))
    print("\nCPU during each step (share of one core):")
    for result, _, busy, left in rows:
        shares = ", ".join(f"{name} {share:.0%}" for name, share in busy.items())
        print(f"  {result.rate:.0f}/s: {shares}, generator {result.generator_busy:.0%}")
        if left:
            print(f"    backlog: {left} (it overlapped the next step)")
    for line in notes([base, *(r for r, _, _, _ in rows)]):
        print(line)
    print("\ngoals:")
    best = max(rows, key=lambda r: r[1].sustained)[1]
    if args.embedded:
        print(verdict("embedded >= 100 turns/s", best.sustained >= 100 and best.missing == 0,
                      f"{best.sustained:.1f} turns/s at {best.rate:.0f}/s offered, "
                      f"{best.missing} without reply"))
    else:
        print(verdict(f">= 250 turns/s sustained for {args.seconds:.0f} s",
                      best.sustained >= 250 and best.missing == 0 and args.seconds >= 60,
                      f"{best.sustained:.1f} turns/s at {best.rate:.0f}/s offered, "
                      f"{best.missing} without reply"
                      + ("" if args.seconds >= 60 else " (steps shorter than 60 s)")))
        at200 = [f for r, f, _, _ in rows if r.rate == 200]
        if at200:
            f = at200[0]
            print(verdict("p99 webhook->reply <= 1 s at 200/s",
                          f.latency_ms(99) <= 1000 and f.missing == 0,
                          f"p99 {f.latency_ms(99):.0f} ms, {f.missing} without reply"))
    print(machine())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return entry(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
