"""Benchmark: a grievance report by GROUP BY, beside the same figures computed in Python.

A fresh PostgreSQL database gets a state's grievances (``grievance_seed``: 1,000,000,
``--quick`` 100,000) and a `resolve` entry for every resolved one (0-120 hours after filing).
One production API process (``uvicorn --factory``, PostgreSQL + Redis) is measured from outside
over HTTP:

1. *Report*: ``GET /api/v1/reports/grievances?tenant=pb&by=category&by=ward`` (filed,
   resolved, within SLA, mean and median hours: one GROUP BY with ``percentile_cont``), a few
   samples one after another, p50 and max.
2. *Baseline*, the same figures without GROUP BY: every grievance's category, ward, due time
   and first resolution read by psycopg (one query, one warm connection) and grouped in Python,
   as a report built on row reads would do. Its totals must equal the report's.

    .venv/bin/python -m bench.reporting            # 1,000,000 rows, 10 samples
    .venv/bin/python -m bench.reporting --quick    # 100,000 rows, 5 samples

Goal: the report over HTTP takes less than the Python grouping of the same rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

from bench.grievance_seed import SPAN_MICROS, START, STATE, seed
from bench.procs import VENV_BIN, entry, run_command
from bench.report import machine, ratio, verdict
from bench.stack import POSTGRES_ADMIN, Gateway

RESOLVES = """
INSERT INTO grievance_events (id, tenant_id, grievance_id, at, actor, action, from_status,
                              to_status)
SELECT md5('r' || id), tenant_id, id, created_at + random() * interval '120 hours',
       'staff:bench', 'resolve', 'in_progress', 'resolved'
FROM grievances WHERE status = 'resolved'
"""
ROWS = """
SELECT c.code, w.code, g.created_at, g.due_at, r.at
FROM grievances g
JOIN grievance_categories c ON c.id = g.category_id
JOIN wards w ON w.id = g.ward_id
LEFT JOIN (SELECT grievance_id, min(at) AS at FROM grievance_events
           WHERE action = 'resolve' GROUP BY grievance_id) r ON r.grievance_id = g.id
WHERE (g.tenant_id = %(state)s OR g.tenant_id LIKE %(prefix)s)
  AND g.created_at >= %(since)s AND g.created_at < %(until)s
"""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, help="report requests (10)")
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 5 samples")
    args = parser.parse_args(argv)
    if args.quick and args.rows == parser.get_default("rows"):
        args.rows = 100_000
    args.samples = args.samples or (5 if args.quick else 10)
    return args


def prepare(gateway: Gateway, rows: int) -> tuple[str, float]:
    """Database, migrations, seeded grievances with resolutions, a state key; seconds
    seeding."""
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{gateway.db_name}"')
    redis.Redis.from_url(gateway.redis_url).flushdb()
    env = gateway.env()
    run_command([str(VENV_BIN / "nagarsetu"), "migrate"], env)
    took = seed(gateway.database_url, gateway.secret_key, rows)
    with psycopg.connect(gateway.database_url, autocommit=True) as conn:
        conn.execute(RESOLVES)
        conn.execute("VACUUM ANALYZE grievance_events")
    key = run_command([str(VENV_BIN / "nagarsetu"), "staff", "add-key", "--tenant", STATE,
                       "--role", "viewer", "--name", "bench"], env).strip()
    return key, took


def window() -> dict[str, Any]:
    """The seeded two years."""
    return {"since": START, "until": START + timedelta(microseconds=SPAN_MICROS + 1)}


def report_over_http(base_url: str, key: str, samples: int) -> tuple[list[float], list[Any]]:
    """Seconds per report request, and the last report's rows."""
    span = window()
    params = {"tenant": STATE, "by": ["category", "ward"], "since": span["since"].isoformat(),
              "until": span["until"].isoformat()}
    times, rows = [], []
    with httpx.Client(base_url=base_url, timeout=600,
                      headers={"Authorization": f"Bearer {key}"}) as http:
        for _ in range(samples):
            began = time.perf_counter()
            response = http.get("/api/v1/reports/grievances", params=params)
            times.append(time.perf_counter() - began)
            response.raise_for_status()
            rows = response.json()["rows"]
    return times, rows


def grouped_in_python(database_url: str) -> tuple[float, dict[tuple[str, str], list[Any]]]:
    """Seconds to read every row and compute the report's figures in Python, and the groups
    (filed, resolved, within SLA, mean and median hours)."""
    began = time.perf_counter()
    groups: dict[tuple[str, str], list[Any]] = {}
    with psycopg.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(ROWS, {"state": STATE, "prefix": STATE + ".%", **window()})
        for category, ward, created, due, resolved in cur:
            group = groups.setdefault((category, ward), [0, 0, 0, []])
            group[0] += 1
            if resolved is not None:
                group[1] += 1
                group[2] += resolved <= due
                group[3].append((resolved - created).total_seconds() / 3600)
    out = {k: [n, r, s, statistics.fmean(h) if h else None,
               statistics.median(h) if h else None] for k, (n, r, s, h) in groups.items()}
    return time.perf_counter() - began, out


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Seed, start the API, measure the report and the baseline, print the figures."""
    print("reporting benchmark;", machine())
    gateway = Gateway(workdir, "", redis_db=args.redis_db)
    try:
        key, seeded = prepare(gateway, args.rows)
        print(f"seeded {args.rows:,} grievances (2 cities, 20 wards, 10 categories, 2 years) "
              f"and their resolutions in {seeded:.0f} s")
        gateway.start_api()
        python_s, python_rows = grouped_in_python(gateway.database_url)
        times, rows = report_over_http(gateway.base_url, key, args.samples)
    finally:
        gateway.stop()
    return report(args, times, rows, python_s, python_rows)


def report(args: argparse.Namespace, times: list[float], rows: list[Any], python_s: float,
           python_rows: dict[tuple[str, str], list[Any]]) -> int:
    """The figures, whether both ways agree, and the verdict."""
    p50 = statistics.median(times)
    groups = {(r["category"], r["ward"]): r for r in rows}
    agree = (sum(r["filed"] for r in rows) == args.rows
             and set(groups) == set(python_rows)
             and all(groups[k]["filed"] == v[0] and groups[k]["resolved"] == v[1]
                     and groups[k]["within_sla"] == v[2]
                     and abs((groups[k]["median_resolution_hours"] or 0) - (v[4] or 0)) < 0.01
                     for k, v in python_rows.items()))
    print(f"\nreport by category and ward over a state ({len(rows)} groups), "
          f"{args.samples} requests one after another")
    print(f"{'way':<34}{'p50 s':>9}{'max s':>9}{'vs report':>11}")
    print(f"{'GROUP BY over HTTP (the API)':<34}{p50:>9.2f}{max(times):>9.2f}{'1.0x':>11}")
    print(f"{'rows read, grouped in Python':<34}{python_s:>9.2f}{python_s:>9.2f}"
          f"{ratio(python_s, p50):>11}")
    print("\ngoals:")
    print(verdict("both ways give the same figures", agree, f"{len(python_rows)} groups"))
    print(verdict("the report takes less than the Python grouping", p50 < python_s,
                  f"{p50:.2f} s vs {python_s:.2f} s"))
    print(machine())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return entry(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
