"""Benchmark: Redis memory per active conversation session, against the 1 KB goal.

The production gateway (PostgreSQL, Redis, one API process, one Celery worker, the Twilio
stand-in for replies) is walked by N citizens to the middle of filing a grievance (first
contact, language, "file a grievance", a category: the session then holds the flow's position
and the answers so far). When every turn has replied, ``MEMORY USAGE`` (exact, ``SAMPLES 0``)
of every session key gives bytes per session. The baseline in the same Redis is the cost of an
empty value under a key of the same length: what any key costs at all.

    .venv/bin/python -m bench.session_memory             # 2,000 conversations
    .venv/bin/python -m bench.session_memory --quick     # 300 conversations; under 2 min
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import httpx
import redis

from bench.load import percentile, run_step
from bench.procs import Proc, clean_env, entry, free_port
from bench.report import machine, verdict
from bench.stack import QUEUES, Gateway, uvicorn
from bench.turns_e2e import wait_replies
from bench.twilio_forms import Senders

STEPS = 4
"""Messages per citizen: hi, a language, "file a grievance", a category."""
GOAL = 1024


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=50.0, help="webhooks per second")
    parser.add_argument("--pattern", default="ns:session:*", help="session keys")
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="300 conversations")
    args = parser.parse_args(argv)
    if args.quick:
        args.conversations = 300
    return args


def measure(client: redis.Redis, pattern: str) -> tuple[list[int], list[int], int]:
    """MEMORY USAGE and value length of every matching key; and an empty key's cost."""
    usage, lengths = [], []
    name = ""
    for key in client.scan_iter(match=pattern, count=1000):
        usage.append(cast(int, client.memory_usage(key, samples=0)) or 0)
        kind = cast(bytes, client.type(key))
        lengths.append(cast(int, client.strlen(key)) if kind == b"string" else 0)
        name = key.decode()
    probe = "x" * len(name or pattern)
    client.set(probe, "")
    empty = cast(int, client.memory_usage(probe, samples=0)) or 0
    client.delete(probe)
    return usage, lengths, empty


def key_census(client: redis.Redis) -> tuple[Counter[str], int]:
    """The gateway's keys by prefix (broker bookkeeping left out), and their total bytes."""
    census: Counter[str] = Counter()
    total = 0
    for key in client.scan_iter(count=1000):
        name = key.decode()
        if name.startswith(("_kombu", "unacked")) or name in QUEUES.split(","):
            continue
        census[name.rsplit(":", 1)[0]] += 1
        total += cast(int, client.memory_usage(key, samples=0)) or 0
    return census, total


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Walk N citizens to mid-flow, wait for their replies, weigh their sessions."""
    print("session memory benchmark;", machine())
    port = free_port()
    sink_url = f"http://127.0.0.1:{port}"
    sink = Proc("twilio-sink", uvicorn("bench.twilio_sink:app", port), clean_env({}),
                workdir)
    gateway = Gateway(workdir, sink_url, redis_db=args.redis_db)
    try:
        sink.wait_http(sink_url + "/healthz")
        account = gateway.prepare()
        gateway.start_api()
        gateway.start_worker(concurrency=4)
        client = redis.Redis.from_url(gateway.redis_url)
        senders = Senders(account, args.conversations)
        shots = senders.next(args.conversations * STEPS)
        step = run_step(account.url, shots, args.rate, timeout=30.0)
        wait_replies(sink_url, 0, len(shots), 120.0)
        replies = int(httpx.get(sink_url + "/bench/replies", params={"after": 10**9},
                                timeout=30).json()["next"])
        usage, lengths, empty = measure(client, args.pattern)
        census, total = key_census(client)
    finally:
        gateway.stop()
        sink.stop()
    print(f"{args.conversations} citizens x {STEPS} messages at {args.rate:.0f}/s: "
          f"{step.ok} webhooks answered 200 ({step.timeouts} timeouts, {step.errors} errors), "
          f"{replies} replies received")
    print(f"keys in Redis DB {args.redis_db} by prefix: "
          + ", ".join(f"{p} {n}" for p, n in census.most_common(8)))
    if not usage:
        print(f"PROBLEM: no keys match {args.pattern}")
        return 1
    mean = statistics.fmean(usage)
    print(f"\n{'':<28}{'mean':>8}{'p50':>8}{'p99':>8}{'max':>8}")
    print(f"{'MEMORY USAGE per session':<28}{mean:>8.0f}{percentile(usage, 50):>8.0f}"
          f"{percentile(usage, 99):>8.0f}{max(usage):>8}")
    print(f"{'  of which the JSON value':<28}{statistics.fmean(lengths):>8.0f}"
          f"{percentile(lengths, 50):>8.0f}{percentile(lengths, 99):>8.0f}{max(lengths):>8}")
    print(f"{'baseline: empty value, same key length':<40}{empty:>8}")
    print(f"{len(usage)} session keys; every gateway key (sessions, dedupe, locks; not the "
          f"broker's) together: {total} bytes = {total / args.conversations:.0f} bytes per "
          "conversation")
    print("\ngoals:")
    print(verdict("Redis memory per active session <= 1 KB", max(usage) <= GOAL,
                  f"mean {mean:.0f} B, max {max(usage)} B ({mean / empty:.1f}x an empty key)"))
    print(machine())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return entry(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
