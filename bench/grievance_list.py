"""Benchmark: the staff grievance list at state scale, beside plain indexed SQL of each page.

A fresh PostgreSQL database gets a state's worth of grievances (``grievance_seed``: 1,000,000,
``--quick`` 100,000), then one production API process (``uvicorn --factory``, PostgreSQL +
Redis, no Celery worker: the seeded grievances have no citizen to notify) is measured from
outside over HTTP:

1. *List pages*, one request at a time, alternating with the same page read by psycopg
   directly (the query the registry issues, ids already resolved, on one warm connection):
   the first page, a filtered one, a cursor half-way down the list (built with the run's own
   key, as the gateway would have issued it), a filtered cursor page, a state-wide page and
   the deprecated `offset=10000`. p50/p99 each, and the gateway/SQL ratio.
2. *Lifecycles*, open loop: lifecycle ``i`` is due at ``start + i / rate`` whatever the others
   did; each takes its own open grievance through assign, start, resolve and read, then (the
   second variant) lists a filtered page, one request after another. Latency counts from the
   due time, so a queue in the server shows. The variant without the list is the baseline.

    .venv/bin/python -m bench.grievance_list            # 1,000,000 rows; 10, 40 and 100/s, 20 s
    .venv/bin/python -m bench.grievance_list --quick    # 100,000 rows; 10 and 40/s, 8 s

Goals: list p99 <= 100 ms per page (first, filtered, deep cursor); >= 100 lifecycles/s with
their filtered list.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psycopg
import redis

from bench.grievance_seed import STATE, seed
from bench.load import percentile
from bench.procs import VENV_BIN, entry, run_command
from bench.report import machine, ratio, verdict
from bench.stack import POSTGRES_ADMIN, Gateway
from services.grievances.cursor import encode
from services.grievances.registry import Position
from services.security.crypto import Crypto

CITY = "pb.amritsar"
LIMIT = 50
ORDER = " ORDER BY created_at DESC, public_id DESC LIMIT %(limit)s"
TIMEOUT = 10.0
SETTLE_LIMIT = 60.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, help="requests per list page kind (200)")
    parser.add_argument("--rates", help="offered lifecycles per second (10,40,100)")
    parser.add_argument("--seconds", type=float, help="length of each step (20)")
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--quick", action="store_true",
                        help="100,000 rows, 60 samples, 10 and 40/s for 8 s (unless given)")
    args = parser.parse_args(argv)
    quick = args.quick
    if quick and args.rows == parser.get_default("rows"):
        args.rows = 100_000
    args.samples = args.samples or (60 if quick else 200)
    args.rates = [float(r) for r in (args.rates or ("10,40" if quick else "10,40,100"))
                  .split(",")]
    args.seconds = args.seconds or (8.0 if quick else 20.0)
    return args


@dataclass(frozen=True)
class Page:
    """One kind of list page: its query parameters, the key's scope, and the same page in SQL."""

    name: str
    params: dict[str, Any]
    sql: str
    sql_params: dict[str, Any]
    state: bool = False


def pages(database_url: str, crypto: Crypto, rows: int) -> list[Page]:
    """The page kinds, with a ward's id and the positions half-way down for the cursors."""
    with psycopg.connect(database_url) as conn:
        ward = conn.execute("SELECT id FROM wards WHERE tenant_id = %s AND code = 'W07'",
                            (CITY,)).fetchone()
        middle = conn.execute(
            "SELECT created_at, public_id FROM grievances WHERE tenant_id = %s"
            " ORDER BY created_at DESC, public_id DESC OFFSET %s LIMIT 1",
            (CITY, int(rows * 0.9) // 2)).fetchone()
        open_middle = conn.execute(
            "SELECT created_at, public_id FROM grievances WHERE tenant_id = %s"
            " AND status = 'open' ORDER BY created_at DESC, public_id DESC OFFSET %s LIMIT 1",
            (CITY, int(rows * 0.9 * 0.2) // 2)).fetchone()
    assert ward and middle and open_middle
    city = "SELECT * FROM grievances WHERE tenant_id = %(tenant)s"
    deep = " AND (created_at, public_id) < (%(at)s, %(id)s)"
    base = {"tenant": CITY, "limit": LIMIT + 1}
    return [
        Page("first", {}, city + ORDER, base),
        Page("filtered", {"status": "open", "ward": "W07"},
             city + " AND status = 'open' AND ward_id = %(ward)s" + ORDER,
             {**base, "ward": ward[0]}),
        Page("deep cursor", {"cursor": encode(crypto, Position(*middle))}, city + deep + ORDER,
             {**base, "at": middle[0], "id": middle[1]}),
        Page("deep filtered", {"status": "open",
                               "cursor": encode(crypto, Position(*open_middle))},
             city + " AND status = 'open'" + deep + ORDER,
             {**base, "at": open_middle[0], "id": open_middle[1]}),
        Page("state", {}, "SELECT * FROM grievances WHERE (tenant_id = %(state)s"
             " OR tenant_id LIKE %(prefix)s)" + ORDER,
             {**base, "state": STATE, "prefix": STATE + ".%"}, state=True),
        Page("offset 10k", {"offset": 10_000}, city + ORDER + " OFFSET 10000", base),
    ]


@dataclass
class Timings:
    """Seconds per request of one page kind, gateway and plain SQL."""

    gateway: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)


def measure_pages(base_url: str, keys: dict[str, str], database_url: str, kinds: list[Page],
                  samples: int) -> dict[str, Timings]:
    """Each page kind `samples` times, one request at a time, gateway and SQL alternating."""
    result = {p.name: Timings() for p in kinds}
    with httpx.Client(base_url=base_url, timeout=30) as http, \
            psycopg.connect(database_url, autocommit=True) as conn:
        for i in range(samples + 5):  # the first five warm both up and are not counted
            for page in kinds:
                headers = {"Authorization": f"Bearer {keys['state' if page.state else 'city']}"}
                began = time.perf_counter()
                response = http.get("/api/v1/grievances", params={**page.params,
                                                                  "limit": LIMIT},
                                    headers=headers)
                took = time.perf_counter() - began
                if response.status_code != 200 or len(response.json()["items"]) != LIMIT:
                    raise RuntimeError(f"{page.name}: {response.status_code} {response.text}")
                began = time.perf_counter()
                fetched = conn.execute(page.sql, page.sql_params).fetchall()
                sql_took = time.perf_counter() - began
                assert len(fetched) == LIMIT + 1, page.name
                if i >= 5:
                    result[page.name].gateway.append(took)
                    result[page.name].sql.append(sql_took)
    return result


@dataclass(frozen=True)
class Life:
    """One lifecycle: its due time, when it ended, whether every step answered 200."""

    due: float
    sent: float
    done: float
    ok: bool


def lifecycle_steps(gid: str, ward: str, with_list: bool,
                    assignee: str) -> list[tuple[str, str, Any]]:
    """Assign (to a staff member's id), start, resolve, read (and a filtered list): method,
    path, JSON body or params."""
    path = f"/api/v1/grievances/{gid}"
    steps: list[tuple[str, str, Any]] = [
        ("POST", path + "/assign", {"assignee": assignee, "note": "Sent the crew"}),
        ("POST", path + "/start", {}), ("POST", path + "/resolve", {"note": "Cleared"}),
        ("GET", path, None)]
    if with_list:
        steps.append(("GET", "/api/v1/grievances", {"status": "open", "ward": ward,
                                                    "limit": LIMIT}))
    return steps


async def _one_life(client: aiohttp.ClientSession, steps: list[tuple[str, str, Any]],
                    due: float) -> Life:
    """Run one lifecycle's requests in order; its deadline counts from its due time."""
    sent, ok = time.monotonic(), True
    try:
        async with asyncio.timeout_at(due + TIMEOUT):
            for method, path, payload in steps:
                kwargs = ({"params": payload} if method == "GET" and payload
                          else {"json": payload} if method == "POST" else {})
                async with client.request(method, path, **kwargs) as response:
                    await response.read()
                    ok = ok and response.status == 200
    except (TimeoutError, aiohttp.ClientError):
        ok = False
    return Life(due, sent, time.monotonic(), ok)


async def _drive(base_url: str, key: str, plans: list[list[tuple[str, str, Any]]],
                 rate: float) -> tuple[float, list[Life]]:
    """Start lifecycle i at start + i/rate on one pooled client; the start and every result."""
    headers = {"Authorization": f"Bearer {key}"}
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(base_url, headers=headers, connector=connector) as client:
        start = time.monotonic() + 0.2
        tasks = []
        for i, steps in enumerate(plans):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_one_life(client, steps, start + i / rate)))
        return start, list(await asyncio.gather(*tasks))


@dataclass(frozen=True)
class Step:
    """One open-loop lifecycle step and the API process's CPU over it."""

    name: str
    rate: float
    start: float
    lives: list[Life]
    cpu: float

    @property
    def ok(self) -> int:
        """Lifecycles whose every request answered 200 in time."""
        return sum(life.ok for life in self.lives)

    @property
    def achieved(self) -> float:
        """Good lifecycles per second, from the first due time to the last one's end."""
        ends = [life.done for life in self.lives if life.ok]
        seconds = len(self.lives) / self.rate
        return len(ends) / max(max(ends, default=0) - self.start, seconds)

    def ms(self, q: float) -> float:
        """Percentile of due-time-to-end of the good lifecycles, ms."""
        return percentile([life.done - life.due for life in self.lives if life.ok], q) * 1000

    def slip_ms(self) -> float:
        """p99 of how late lifecycles began, ms (the generator keeping its schedule)."""
        return percentile([life.sent - life.due for life in self.lives], 99) * 1000


def open_grievances(database_url: str, count: int) -> list[str]:
    """`count` open grievances of the city, in random order."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT public_id FROM grievances WHERE tenant_id = %s AND status"
                            " = 'open' ORDER BY random() LIMIT %s", (CITY, count)).fetchall()
    if len(rows) < count:
        raise RuntimeError(f"only {len(rows)} open grievances for {count} lifecycles")
    return [r[0] for r in rows]


def lifecycles(gateway: Gateway, key: str, assignee: str,
               args: argparse.Namespace) -> list[Step]:
    """Every rate, without and then with the filtered list, each on fresh grievances."""
    plan = [(name, rate) for rate in args.rates for name in ("lifecycle", "+ list")]
    ids = iter(open_grievances(gateway.database_url,
                               int(sum(r * args.seconds for _, r in plan)) + 10))
    wards = [f"W{w:02d}" for w in range(1, 21)]
    rng = random.Random(7)
    assert gateway.api is not None
    steps = []
    for name, rate in plan:
        plans = [lifecycle_steps(next(ids), rng.choice(wards), name == "+ list", assignee)
                 for _ in range(int(rate * args.seconds))]
        cpu = gateway.api.cpu_seconds()
        start, lives = asyncio.run(_drive(gateway.base_url, key, plans, rate))
        restarted = gateway.api.settle(limit=SETTLE_LIMIT) >= SETTLE_LIMIT
        steps.append(Step(name + ("*" if restarted else ""), rate, start, lives,
                          gateway.api.cpu_seconds() - cpu))
        if restarted:  # still working off requests the client gave up on: no backlog carries
            gateway.api.stop()
            gateway.start_api()
    return steps


def prepare(gateway: Gateway, rows: int) -> tuple[dict[str, str], float]:
    """Database, migrations, seeded grievances, a city and a state key and the staff member
    lifecycles assign to (`assignee`); seconds seeding."""
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{gateway.db_name}"')
    redis.Redis.from_url(gateway.redis_url).flushdb()
    env = gateway.env()
    run_command([str(VENV_BIN / "nagarsetu"), "migrate"], env)
    took = seed(gateway.database_url, gateway.secret_key, rows)
    keys = {name: run_command([str(VENV_BIN / "nagarsetu"), "staff", "add-key", "--tenant",
                               scope, "--role", "officer", "--name", "bench"], env).strip()
            for name, scope in (("city", CITY), ("state", STATE))}
    keys["assignee"] = run_command([str(VENV_BIN / "nagarsetu"), "staff", "add", CITY,
                                    "--name", "JE Ward 7"], env).strip()
    return keys, took


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Seed, start the API, measure pages and lifecycles, print the figures."""
    print("grievance list benchmark;", machine())
    gateway = Gateway(workdir, "", redis_db=args.redis_db)
    try:
        keys, seeded = prepare(gateway, args.rows)
        print(f"seeded {args.rows:,} grievances (2 cities of one state, 20 wards, 10 "
              f"categories, 2 years) in {seeded:.0f} s")
        gateway.start_api()
        crypto = Crypto(gateway.secret_key)
        kinds = pages(gateway.database_url, crypto, args.rows)
        timings = measure_pages(gateway.base_url, keys, gateway.database_url, kinds,
                                args.samples)
        steps = lifecycles(gateway, keys["city"], keys["assignee"], args)
    finally:
        gateway.stop()
    return report(args, timings, steps)


def ms(values: list[float], q: float) -> float:
    """A percentile of seconds, in ms."""
    return percentile(values, q) * 1000


def report(args: argparse.Namespace, timings: dict[str, Timings], steps: list[Step]) -> int:
    """The page table, the lifecycle table and the goal verdicts."""
    print(f"\nlist pages of {LIMIT}, {args.samples} each, one at a time (gateway over HTTP "
          "with total and auth; SQL: the same rows by psycopg)")
    print(f"{'page':<15}{'gw p50':>8}{'gw p99':>8}{'sql p50':>9}{'sql p99':>9}"
          f"{'p50 g/s':>9}{'p99 g/s':>9}")
    for name, t in timings.items():
        print(f"{name:<15}{ms(t.gateway, 50):>8.1f}{ms(t.gateway, 99):>8.1f}"
              f"{ms(t.sql, 50):>9.2f}{ms(t.sql, 99):>9.2f}"
              f"{ratio(ms(t.gateway, 50), ms(t.sql, 50)):>9}"
              f"{ratio(ms(t.gateway, 99), ms(t.sql, 99)):>9}")
    print(f"\nlifecycles (assign, start, resolve, read; '+ list' adds a filtered list), open "
          f"loop, {args.seconds:.0f} s per step, timeout {TIMEOUT:.0f} s from due time")
    print(f"{'variant':<11}{'offered/s':>10}{'achieved/s':>11}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'failed':>7}{'slip p99':>9}{'api cpu':>8}{'cpu ms/lc':>10}")
    for s in steps:
        print(f"{s.name:<11}{s.rate:>10.0f}{s.achieved:>11.1f}{s.ms(50):>9.0f}{s.ms(99):>9.0f}"
              f"{len(s.lives) - s.ok:>7}{s.slip_ms():>9.1f}"
              f"{s.cpu / (len(s.lives) / s.rate):>8.0%}{s.cpu / max(s.ok, 1) * 1000:>10.1f}")
    print("\ngoals:")
    for name in ("first", "filtered", "deep cursor"):
        p99 = ms(timings[name].gateway, 99)
        print(verdict(f"list p99 <= 100 ms ({name})", p99 <= 100, f"{p99:.1f} ms"))
    if any(s.name.endswith("*") for s in steps):
        print(f"* still busy {SETTLE_LIMIT:.0f} s after the step: restarted before the next")
    best = max((s for s in steps if s.name.startswith("+ list")), key=lambda s: s.achieved)
    print(verdict(">= 100 lifecycles/s with a filtered list", best.achieved >= 100 and
                  best.ok == len(best.lives), f"{best.achieved:.1f}/s at {best.rate:.0f}/s "
                  f"offered, {len(best.lives) - best.ok} failed"))
    print(machine())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return entry(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
