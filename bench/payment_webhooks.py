"""Benchmark: a burst of signed Razorpay payment webhooks → exactly one receipt and one notice
per payment.

10,000 attempts (`--payments`) of 10,000 bills are seeded on PostgreSQL, each belonging to a
citizen who last wrote on the city's Twilio SMS account (pointed at the Twilio stand-in,
`twilio_sink`, its own process); each is paid by one webhook in Razorpay's documented shape
(`payment_link.paid` or `qr_code.credited`), signed with `X-Razorpay-Signature` and named by
`X-Razorpay-Event-Id`; 10% are delivered twice (a retry of the same event, or the companion
`payment.captured`), and the burst is shuffled. It
is offered open loop (`--rate`) to the gateway (production: one API process, PostgreSQL,
Redis, a Celery worker process, the Razorpay API stand-in as its own process) and, in the same
run, to a bare endpoint that reads the same bodies and answers. Then the database is asked:
one receipt per payment, none extra, numbers unique and gap-free, bills paid, no flags; and the
Twilio stand-in: one receipt notice per payment's citizen, none doubled, none missing. The time
from a payment's first webhook (its due time) to its receipt notice handed to the channel (the
stand-in received it) is printed (p50/p99) beside both webhook-answer latencies, with the time
to the receipt row written. Deliveries not answered 2xx in time are sent again after the
burst, as Razorpay retries them (`--retries` rounds at half the rate); latency still counts
from the first delivery.

    .venv/bin/python -m bench.payment_webhooks           # 10,000 payments at 500/s; ~5 min
    .venv/bin/python -m bench.payment_webhooks --quick   # 1,000 payments at 250/s; ~2.5 min
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import psycopg

from bench.bare_app import PAYMENT_PATH
from bench.fixture import add_sms_account
from bench.load import StepResult, percentile, run_step
from bench.payment_seed import Check, Notices, add_account, check, check_notices, payments, seed
from bench.procs import VENV_BIN, Proc, clean_env, entry, free_port, run_command
from bench.razorpay_forms import Payment, Webhook, burst
from bench.report import HEADER, machine, notes, ratio, row, verdict
from bench.stack import Gateway, uvicorn
from bench.turns_e2e import replies_since, wait_replies


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--duplicates", type=float, default=0.10,
                        help="share of payments whose webhook comes twice")
    parser.add_argument("--rate", type=float, default=500.0, help="webhooks offered per second")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="seconds from due time (Razorpay waits 5 s)")
    parser.add_argument("--worker-concurrency", type=int, default=4)
    parser.add_argument("--drain", type=float, default=600.0,
                        help="longest wait for the receipts (and again for the notices)")
    parser.add_argument("--retries", type=int, default=3,
                        help="rounds re-sending deliveries not answered 2xx (as Razorpay does)")
    parser.add_argument("--generators", type=int, default=1)
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="1,000 payments at 250/s")
    args = parser.parse_args(argv)
    if args.quick:
        args.payments, args.rate = 1_000, 250.0
    return args


@dataclass
class Outcome:
    """What the database says after the burst."""

    check: Check
    receipt_at: dict[str, float]
    """Attempt id -> wall time its receipt number was written (its transaction)."""
    events: Counter[str]
    flags: int
    bills_paid: int
    notices: Notices
    """What the Twilio stand-in received: one notice per payment's citizen, and when."""


def first_due(webhooks: Sequence[Webhook], step: StepResult, wall_offset: float,
              due: Sequence[Payment]) -> dict[str, float]:
    """Attempt id -> wall time its first webhook was due (samples are in schedule order)."""
    first: dict[str, float] = {}
    for hook, sample in zip(webhooks, step.samples, strict=True):
        attempt = due[hook.payment].attempt_id
        at = sample.due + wall_offset
        first[attempt] = min(first.get(attempt, at), at)
    return first


def notice_latency(notices: Notices, first: Mapping[str, float],
                   wall_offset: float) -> list[float]:
    """Seconds from each payment's first webhook (wall time) to its notice at the channel
    (the stand-in's monotonic clock, the same machine's as the generator's)."""
    return [notices.at[a] + wall_offset - first[a] for a in first if a in notices.at]


def drain(database_url: str, want: int, limit: float, worker: Proc) -> float:
    """Wait until `want` receipts exist, the worker stops making progress, or `limit`."""
    began = time.monotonic()
    last, last_change = -1, began
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() - began < limit:
            row = conn.execute("SELECT count(*) FROM receipts").fetchone()
            have = int(row[0]) if row else 0
            if have >= want:
                break
            if have != last:
                last, last_change = have, time.monotonic()
            elif time.monotonic() - last_change > 30 and worker.settle(limit=2) < 2:
                break  # idle and nothing new for 30 s: what is missing is not coming
            time.sleep(0.25)
    return time.monotonic() - began


def outcome(database_url: str, due: Sequence[Payment], notices: Notices) -> Outcome:
    """Receipts, attempts, events, flags and bills as stored; the notices as received."""
    with psycopg.connect(database_url) as conn:
        receipts = [(str(r), str(n)) for r, n in conn.execute(
            "SELECT payment_ref, number FROM receipts")]
        attempts = {str(a): (n, u) for a, n, u in conn.execute(
            "SELECT id, receipt_number, updated_at FROM payment_attempts")}
        events: Counter[str] = Counter({f"{s} {o}": int(c) for s, o, c in conn.execute(
            "SELECT status, outcome, count(*) FROM payment_events GROUP BY 1, 2")})
        flags_row = conn.execute("SELECT count(*) FROM payment_flags").fetchone()
        paid_row = conn.execute("SELECT count(*) FROM bills WHERE status = 'paid'").fetchone()
    numbers = {a: n for a, (n, _) in attempts.items()}
    at = {a: u.timestamp() for a, (n, u) in attempts.items()
          if n is not None and isinstance(u, datetime)}
    return Outcome(check([p.attempt_id for p in due], receipts, numbers), at, events,
                   int(flags_row[0]) if flags_row else 0, int(paid_row[0]) if paid_row else 0,
                   notices)


def redeliver(url: str, webhooks: Sequence[Webhook], step: StepResult,
              args: argparse.Namespace, api: Proc) -> list[StepResult]:
    """Razorpay's retries, compressed: every delivery not answered 2xx is sent again once
    the API is idle, at half the rate, up to `--retries` rounds (a webhook not acknowledged
    was not taken; the gateway sends it again)."""
    rounds: list[StepResult] = []
    left = [w for w, s in zip(webhooks, step.samples, strict=True) if s.status != step.expect]
    for _ in range(args.retries):
        if not left:
            break
        api.settle(limit=60)
        again = run_step(url, [w.shot for w in left], args.rate / 2,
                         generators=args.generators, timeout=args.timeout)
        rounds.append(again)
        left = [w for w, s in zip(left, again.samples, strict=True) if s.status != again.expect]
    return rounds


def pending_events(database_url: str) -> int:
    """Recorded webhooks no worker has applied (a publish lost, a task dropped)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM payment_events WHERE status = 'pending'"
                           ).fetchone()
    return int(row[0]) if row else 0


def safety_net(gateway: Gateway, want: int, args: argparse.Namespace, worker: Proc) -> int:
    """When recorded events are left unapplied after the drain, run the 15-minute safety net
    once, as Celery beat would (`nagarsetu.payments_check` on the worker), and drain again;
    how many events it found waiting (0: not needed)."""
    left = pending_events(gateway.database_url)
    if not left:
        return 0
    time.sleep(61)  # the net re-applies events recorded more than a minute ago
    run_command([str(VENV_BIN / "celery"), "-A", "services.tasks.celery_app", "call",
                 "nagarsetu.payments_check", "--queue", "replies"], gateway.env())
    drain(gateway.database_url, want, args.drain, worker)
    return left


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Seed, start everything, offer the burst to the bare endpoint and the gateway, check."""
    print("payment webhook benchmark;", machine())
    sink_port, twilio_port, bare_port = free_port(), free_port(), free_port()
    sink = Proc("razorpay-sink", uvicorn("bench.razorpay_sink:app", sink_port), clean_env({}),
                workdir)
    twilio = Proc("twilio-sink", uvicorn("bench.twilio_sink:app", twilio_port), clean_env({}),
                  workdir)
    bare = Proc("bare", uvicorn("bench.bare_app:app", bare_port), clean_env({}), workdir)
    sink_url, twilio_url = f"http://127.0.0.1:{sink_port}", f"http://127.0.0.1:{twilio_port}"
    gateway = Gateway(workdir, twilio_url, redis_db=args.redis_db)
    try:
        sink.wait_http(sink_url + "/healthz")
        twilio.wait_http(twilio_url + "/healthz")
        bare.wait_http(f"http://127.0.0.1:{bare_port}/healthz")
        gateway.create_city()
        merchant = add_account(gateway.env(), gateway.database_url, gateway.secret_key,
                               sink_url)
        sms = add_sms_account(gateway.env(), gateway.database_url, gateway.base_url,
                              twilio_url)
        due = payments(args.payments)
        phones = seed(gateway.database_url, merchant.account_id, due, gateway.secret_key,
                      sms.url.rsplit("/", 1)[1])
        webhooks = burst(due, merchant.webhook_secret, duplicates=args.duplicates)
        gateway.start_api()
        worker = gateway.start_worker(args.worker_concurrency)
        url = f"{gateway.base_url}/webhooks/razorpay/{merchant.account_id}"
        print(f"gateway: one API process, PostgreSQL + Redis, one Celery worker "
              f"(concurrency {args.worker_concurrency}), Razorpay and Twilio API stand-ins; "
              f"{len(due)} payments, {len(webhooks) - len(due)} delivered twice, shuffled; "
              f"{len(webhooks)} webhooks at {args.rate:.0f}/s; timeout {args.timeout:.0f} s")
        shots = [w.shot for w in webhooks]
        bare_cpu = bare.cpu_seconds()
        bare_step = run_step(f"http://127.0.0.1:{bare_port}{PAYMENT_PATH}", shots, args.rate,
                             generators=args.generators, timeout=args.timeout)
        bare.settle()
        bare_cpu = bare.cpu_seconds() - bare_cpu
        assert gateway.api is not None
        api_cpu = gateway.api.cpu_seconds()
        worker_cpu = worker.cpu_seconds()
        wall_offset = time.time() - time.monotonic()
        step = run_step(url, shots, args.rate, generators=args.generators,
                        timeout=args.timeout)
        api_cpu = gateway.api.cpu_seconds() - api_cpu
        retried = redeliver(url, webhooks, step, args, gateway.api)
        waited = drain(gateway.database_url, len(due), args.drain, worker)
        netted = safety_net(gateway, len(due), args, worker)
        wait_replies(twilio_url, 0, len(due), args.drain)
        worker_cpu = worker.cpu_seconds() - worker_cpu
        calls = httpx.get(sink_url + "/bench/calls").json()
        result = outcome(gateway.database_url, due,
                         check_notices(phones, replies_since(twilio_url, 0)))
        if step.errors or not (result.check.exactly_once and result.notices.exactly_once):
            print(f"gateway log (end):\n{gateway.api.log()}\nworker log (end):\n{worker.log()}")
    finally:
        bare.stop()
        gateway.stop()
        sink.stop()
        twilio.stop()
    return report(args, due, webhooks, bare_step, bare_cpu, step, api_cpu, wall_offset,
                  result, waited, worker_cpu, calls, retried, netted)


def report(args: argparse.Namespace, due: Sequence[Payment], webhooks: Sequence[Webhook],
           bare_step: StepResult, bare_cpu: float, step: StepResult, api_cpu: float,
           wall_offset: float, result: Outcome, waited: float, worker_cpu: float,
           calls: dict[str, int], retried: Sequence[StepResult], netted: int) -> int:
    """The answer table, the receipt latency beside it, the exactly-once check, the goals."""
    print()
    print(HEADER)
    print(row("bare", bare_step, bare_cpu))
    print(row("gateway", step, api_cpu))
    for n, again in enumerate(retried, 1):
        print(row(f"retry {n}", again, None))
    first = first_due(webhooks, step, wall_offset, due)
    lat = [result.receipt_at[a] - first[a] for a in first if a in result.receipt_at]
    p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
    last = max(result.receipt_at.values(), default=step.start + wall_offset)
    span = last - (step.start + wall_offset)
    print(f"\nwebhook -> receipt issued ({len(lat)} payments): p50 {p50:.0f} ms, p99 "
          f"{p99:.0f} ms, max {percentile(lat, 100) * 1000:.0f} ms; last receipt "
          f"{span:.1f} s after the burst began ({len(lat) / max(span, 1e-9):.1f} receipts/s; "
          f"burst {step.seconds:.1f} s); waited {waited:.1f} s after the burst")
    print("  (to the receipt number written in the receipt's transaction, which also queues "
          "the citizen's notice)")
    notice = notice_latency(result.notices, first, wall_offset)
    n50, n99 = percentile(notice, 50) * 1000, percentile(notice, 99) * 1000
    print(f"webhook -> receipt notice at the channel ({len(notice)} payments): p50 {n50:.0f} "
          f"ms, p99 {n99:.0f} ms, max {percentile(notice, 100) * 1000:.0f} ms")
    print("  (to the Twilio stand-in receiving the citizen's SMS: the worker's delivery task "
          "after the receipt's commit)")
    print(f"{'':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs bare p50':>13}{'vs bare p99':>13}")
    for label, a, b in (("bare", bare_step.latency_ms(50), bare_step.latency_ms(99)),
                        ("answer", step.latency_ms(50), step.latency_ms(99)),
                        ("receipt", p50, p99), ("notice", n50, n99)):
        print(f"{label:>10}{a:>9.1f}{b:>9.1f}{ratio(a, bare_step.latency_ms(50)):>13}"
              f"{ratio(b, bare_step.latency_ms(99)):>13}")
    print(f"cpu ms per webhook answered: gateway {api_cpu / max(step.ok, 1) * 1000:.2f}, bare "
          f"{bare_cpu / max(bare_step.ok, 1) * 1000:.2f} "
          f"({ratio(api_cpu / max(step.ok, 1), bare_cpu / max(bare_step.ok, 1))}x)")
    print(f"worker cpu ms per receipt and its notice: "
          f"{worker_cpu / max(len(lat), 1) * 1000:.1f}; "
          f"gateway API calls (link cancel, QR close): {calls}")
    if netted:
        print(f"safety net: {netted} recorded events were still unapplied after the drain "
              "(their tasks lost); one run of nagarsetu.payments_check applied them")
    c = result.check
    print("\nevents (status outcome: count): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(result.events.items())))
    print(f"receipts {c.receipts} for {c.payments} payments; missing {len(c.missing)}, "
          f"doubled {len(c.doubled)}, unknown {len(c.unknown)}, numbers reused "
          f"{len(c.reused_numbers)}, series with gaps {c.gaps or 0}, attempt numbers wrong "
          f"{len(c.not_recorded)}; bills paid {result.bills_paid}; finance flags {result.flags}")
    told = result.notices
    print(f"notices at the channel {len(told.at)} for {c.payments} payments; missing "
          f"{len(told.missing)}, doubled {len(told.doubled)}, to no payment's citizen "
          f"{told.unknown}")
    for line in notes([bare_step, step]):
        print(line)
    print("\ngoals:")
    print(verdict("exactly one receipt per payment", c.exactly_once and result.flags == 0
                  and result.bills_paid == len(due),
                  f"{c.receipts} receipts, {len(c.missing)} missing, {len(c.doubled)} doubled"))
    print(verdict("exactly one receipt notice per payment at the channel", told.exactly_once,
                  f"{len(told.at)} citizens told, {len(told.missing)} missing, "
                  f"{len(told.doubled)} doubled, {told.unknown} to others"))
    print(verdict("every webhook answered 2xx on first delivery", step.ok == len(webhooks),
                  f"{step.ok} of {len(webhooks)} ({step.timeouts} timeouts, "
                  f"{step.errors} errors; {sum(r.ok for r in retried)} taken on a retry)"))
    print(machine())
    return 0 if c.exactly_once and told.exactly_once else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return entry(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
