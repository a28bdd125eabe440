"""Sending a campaign through real Celery workers to a provider sink process, on PostgreSQL.

Processes: the sink (bench/campaign_sink.py, an Exotel SMS stand-in), a bulk worker (prefork,
`--concurrency`), a replies worker (threads) with beat (the campaign tick). The campaign goes
through the real Exotel SMS adapter and DLT template check; the account allows 100,000/s.

1. No cap: sustained sends a second, from the sink's arrival times (first to last arrival,
   and the median of whole seconds), while the bench queues replies to citizens through the
   outbox (lane `reply`) at `--reply-rate`: their latency from queueing to the sink, p50/p99.
2. `--cap` sends a second on the campaign: every whole second's arrivals against the cap
   (goal: within 2% and never above).

`--quick`: 6,000 recipients, cap 100/s over 2,000. Redis DB `--redis-db` is flushed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import psycopg
import redis

from bench import campaign_setup as setup
from bench.procs import ROOT, Proc, clean_env, entry, free_port
from channels.contract import MessagePart
from services.accounts.models import ChannelAccount
from services.campaigns.models import Campaign
from services.contacts.service import get_or_create
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.messaging.lanes import Lane
from services.messaging.outbox import queue_message
from services.security.crypto import Crypto
from services.settings import Settings
from services.templates.service import register

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REPLY = "Your grievance {#var#} is resolved. -PMC"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=30_000)
    parser.add_argument("--cap", type=int, default=150)
    parser.add_argument("--capped-recipients", type=int, default=6_000)
    parser.add_argument("--concurrency", type=int, default=2, help="bulk worker processes")
    parser.add_argument("--parallel", type=int, default=4, help="chunks per campaign")
    parser.add_argument("--reply-rate", type=float, default=10.0)
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.recipients, args.cap, args.capped_recipients = 6_000, 100, 2_000
    return args


def arrivals(sink: str) -> list[tuple[float, str]]:
    """Everything the sink recorded."""
    found: list[tuple[float, str]] = []
    while page := httpx.get(f"{sink}/records", params={"since": len(found)}, timeout=30).json():
        found += [(float(t), str(to)) for t, to in page]
    return found


def per_second(times: list[float]) -> list[int]:
    """Arrivals in each whole second from the first (the last, partial second dropped)."""
    if not times:
        return []
    start = min(times)
    buckets: dict[int, int] = {}
    for t in times:
        buckets[int(t - start)] = buckets.get(int(t - start), 0) + 1
    last = max(buckets)
    return [buckets.get(s, 0) for s in range(last)]


class Replies(threading.Thread):
    """Queues replies to citizens on the same account at a steady rate, by the outbox."""

    def __init__(self, sessions: object, crypto: Crypto, account_id: str, rate: float,
                 settings: Settings) -> None:
        super().__init__(daemon=True)
        from services.tasks.celery_app import CeleryDispatcher

        self.sessions, self.crypto, self.account_id, self.rate = sessions, crypto, account_id, rate
        self.dispatcher = CeleryDispatcher(settings)
        self.queued: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        """One reply every 1/rate seconds until stopped."""
        n = 0
        while not self.stop.wait(1.0 / self.rate):
            number = f"+9188{n:08d}"
            with self.sessions() as db:  # type: ignore[operator]
                account = db.get_one(ChannelAccount, self.account_id)
                contact = get_or_create(db, self.crypto, setup.CITY, f"tel:{number}")
                outbox_id = queue_message(
                    db, self.crypto, account=account, contact=contact,
                    text=f"Your grievance PB-{n} is resolved. -PMC", lane=Lane.REPLY,
                    parts=(MessagePart("bench.reply", {"id": f"PB-{n}"}),))
                db.commit()
            self.queued[number] = time.monotonic()
            self.dispatcher.enqueue([outbox_id], Lane.REPLY)
            n += 1


def wait_done(sessions: object, campaign_id: str, timeout: float) -> None:
    """Until the campaign is done."""
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as db:  # type: ignore[operator]
            status = db.get_one(Campaign, campaign_id).status
        if status == "done":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"campaign still {status} after {timeout:.0f} s")
        time.sleep(0.5)


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Both phases on one deployment."""
    name = "bench_" + secrets.token_hex(4)
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    redis.Redis.from_url(redis_url).flushdb()
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    secret = secrets.token_urlsafe(48)
    crypto = Crypto(secret)
    sink_port = free_port()
    sink_url = f"http://127.0.0.1:{sink_port}"
    env = clean_env({"NAGARSETU_ENV": "production", "DATABASE_URL": url, "REDIS_URL": redis_url,
                     "NAGARSETU_SECRET_KEY": secret, "NAGARSETU_PUBLIC_BASE_URL":
                     "http://127.0.0.1:9", "NAGARSETU_SWEEP_INTERVAL_SECONDS": "1",
                     "NAGARSETU_CAMPAIGN_PARALLEL": str(args.parallel),
                     "NAGARSETU_DAILY_SPEND_CAP_PAISE": str(10**12)})
    procs: list[Proc] = []
    try:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with sessions() as db:
            setup.city(db)
            account_id = setup.sms_account(db, crypto, sink_url, 100_000)
            register(db, tenant_id=setup.CITY, channel_type="exotel-sms", key="bench.reply",
                     language="en", provider_id="1107160000000000001", text=REPLY,
                     variables=["id"], extra={"entity_id": "1101000000000004242",
                                              "header": "NGRSTU"})
            free = setup.campaign(db, crypto, account_id, setup.recipients(args.recipients))
            capped = setup.campaign(db, crypto, account_id,
                                    setup.recipients(args.capped_recipients, 50_000_000),
                                    name="capped", rate_cap=args.cap)
        py = sys.executable
        procs.append(Proc("sink", [py, "-m", "uvicorn", "--app-dir", str(ROOT),
                                   "bench.campaign_sink:app", "--port", str(sink_port),
                                   "--log-level", "warning", "--no-access-log"], env, workdir))
        procs[-1].wait_http(sink_url + "/records")
        procs.append(Proc("bulk", [py, "-m", "celery", "-A", "services.tasks.celery_app",
                                   "worker", "-Q", "bulk", "--concurrency",
                                   str(args.concurrency), "-n", f"bulk-{name}@%h",
                                   "--loglevel", "WARNING", "--without-gossip",
                                   "--without-mingle"], env, workdir))
        procs.append(Proc("replies", [py, "-m", "celery", "-A", "services.tasks.celery_app",
                                      "worker", "-Q", "replies", "--pool", "threads",
                                      "--concurrency", "4", "-n", f"replies-{name}@%h",
                                      "--beat", "--schedule", str(workdir / "beat"),
                                      "--loglevel", "WARNING", "--without-gossip",
                                      "--without-mingle"], env, workdir))
        time.sleep(6)  # workers up
        settings = Settings.model_validate({
            "env": "production", "database_url": url, "redis_url": redis_url,
            "secret_key": secret, "public_base_url": "http://127.0.0.1:9"})
        replies = Replies(sessions, crypto, account_id, args.reply_rate, settings)
        with sessions() as db:
            setup.start(db, free)
        cpu = {p.name: p.cpu_seconds() for p in procs}
        load_before = os.getloadavg()[0]
        replies.start()
        wait_done(sessions, free, 1800)
        used = {p.name: p.cpu_seconds() - cpu[p.name] for p in procs}
        load_after = os.getloadavg()[0]
        replies.stop.set()
        replies.join()
        time.sleep(2)
        got = arrivals(sink_url)
        bulk = [t for t, to in got if to.startswith("+9197")]
        reply_lat = sorted(t - replies.queued[to] for t, to in got if to in replies.queued)
        httpx.post(sink_url + "/reset", timeout=10)
        with sessions() as db:
            setup.start(db, capped)
        wait_done(sessions, capped, 1800)
        time.sleep(1)
        capped_times = [t for t, to in arrivals(sink_url) if to.startswith("+9197")]
        engine.dispose()
    finally:
        for proc in reversed(procs):
            proc.stop()
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(redis_url).flushdb()
    span = max(bulk) - min(bulk)
    seconds = per_second(bulk)
    print(f"no cap: {len(bulk):,} campaign sends in {span:.1f} s = {len(bulk) / span:,.0f}/s "
          f"(median whole second {statistics.median(seconds):,.0f}, best {max(seconds):,}); "
          f"goal >= 1,000/s; bulk worker {args.concurrency} processes, {args.parallel} chunks")
    per_send = {k: 1000 * v / max(len(bulk), 1) for k, v in used.items()}
    print("CPU ms per campaign send: " + ", ".join(f"{k} {v:.2f}" for k, v in per_send.items())
          + f" (PostgreSQL and Redis not counted); machine load average {load_before:.1f} "
          f"before, {load_after:.1f} after (2 cores, shared)")
    p99 = reply_lat[int(0.99 * (len(reply_lat) - 1))] if reply_lat else float("nan")
    print(f"replies during the campaign: {len(reply_lat)} of {len(replies.queued)} arrived; "
          f"p50 {1000 * statistics.median(reply_lat):.0f} ms, p99 {1000 * p99:.0f} ms "
          f"(goal p99 <= 1000 ms)")
    capped_seconds = per_second(capped_times)[1:]  # the first second starts mid-window
    low, high = min(capped_seconds), max(capped_seconds)
    within = sum(1 for s in capped_seconds if args.cap * 0.98 <= s <= args.cap)
    print(f"cap {args.cap}/s: {len(capped_times):,} sends, whole seconds {len(capped_seconds)}: "
          f"min {low}, max {high}, within 2% and not above: {within}/{len(capped_seconds)}; "
          f"above the cap: {sum(1 for s in capped_seconds if s > args.cap)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(entry(parse, run))
