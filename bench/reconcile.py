"""Benchmark: reconciling 1,000,000 settlement lines against 1,000,000 payments on PostgreSQL,
beside a plain SQL join of the same rows, in the same run.

A fresh ``bench_*`` database is migrated and seeded with COPY: ``--rows`` bills, each paid by
one captured attempt (a week before the run's day, so T+2 applies), and a settlement line for
each payment in batches of 10,000 (one settlement id and UTR each), each batch's bank credit in
a statement. Sprinkled in, every one found by the run: one payment in 1,000 never settled, one
line in 1,000 for a payment nobody knows, one attempt in 2,000 paid short, one batch in ten
without its bank credit (``plan()`` says how many of each).

Then, alternating, ``--repeat`` times each (median reported):

- *join*: ``SELECT count(*), sum(…) FROM settlement_lines JOIN payment_attempts ON payment id``
  — the same rows matched by the database with nothing written;
- *join3*: the same with the bills joined too (every table reconciliation reads);
- *join_1cpu*: *join* without parallel workers (PostgreSQL 15 runs a full join, which
  reconciliation needs, in one process; the plain join gets two workers);
- *reconcile*: ``payments.recon.detect.reconcile`` for the city (every detection, the
  exceptions written, the clearing update), committed; the first run writes the exceptions,
  later ones find them again.

Printed: seconds (untraced runs), then one more traced run of each side for Python's peak
memory (tracemalloc) and PostgreSQL's temporary-file bytes, the ratios, and the same at a
tenth of the rows to show memory does not grow with rows.
Goal: reconcile within 2x the plain join; memory flat in the number of rows.

    .venv/bin/python -m bench.reconcile             # 1,000,000 rows (and 100,000)
    .venv/bin/python -m bench.reconcile --quick     # 100,000 rows (and 10,000), 3 repeats
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench.procs import entry
from bench.report import machine, ratio, verdict
from bench.stack import POSTGRES_ADMIN

TENANT = "pb.amritsar"
AS_OF = date(2026, 11, 27)
CAPTURED = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)
SETTLED_ON = date(2026, 11, 20)
BATCH = 10_000
AMOUNT = 123_450
FEE, TAX = 2_469, 444
EVERY_UNSETTLED, EVERY_ORPHAN, EVERY_SHORT, EVERY_NO_CREDIT = 1000, 1000, 2000, 10


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, help="runs of each side (5; quick 3)")
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 3 repeats")
    parser.add_argument("--redis-db", type=int, default=7, help="unused (no Redis here)")
    args = parser.parse_args(argv)
    if args.quick and args.rows == parser.get_default("rows"):
        args.rows = 100_000
    args.repeat = args.repeat or (3 if args.quick else 5)
    if args.rows < BATCH:
        parser.error(f"--rows must be at least {BATCH}")
    return args


@dataclass(frozen=True)
class Plan:
    """What the seeded rows hold and what reconciliation must find in them."""

    rows: int
    not_settled: int
    payment_without_bill: int
    short_payment: int
    settlement_without_credit: int

    @property
    def batches(self) -> int:
        """Settlement batches (ids and UTRs)."""
        return -(-self.rows // BATCH)

    def expected(self) -> dict[str, int]:
        """Open exceptions by kind after a run."""
        return {k: v for k, v in (("not_settled", self.not_settled),
                                  ("payment_without_bill", self.payment_without_bill),
                                  ("short_payment", self.short_payment),
                                  ("settlement_without_credit",
                                   self.settlement_without_credit)) if v}


def unsettled(i: int) -> bool:
    """Payment i has no settlement line."""
    return i % EVERY_UNSETTLED == 7


def orphan(i: int) -> bool:
    """Line i is for a payment nobody knows (instead of payment i)."""
    return i % EVERY_ORPHAN == 3


def short(i: int) -> bool:
    """Attempt i was paid short (held, its bill unpaid)."""
    return i % EVERY_SHORT == 11


def credited(batch: int) -> bool:
    """The batch's bank credit is on the statement."""
    return batch % EVERY_NO_CREDIT != 5


def plan(rows: int) -> Plan:
    """The counts `bill_rows` … `bank_rows` produce (computed the same way)."""
    lines = [i for i in range(rows) if not unsettled(i)]
    return Plan(rows=rows,
                not_settled=sum(1 for i in range(rows) if unsettled(i) or orphan(i)),
                payment_without_bill=sum(1 for i in lines if orphan(i)),
                short_payment=sum(1 for i in range(rows) if short(i)),
                settlement_without_credit=sum(1 for b in range(-(-rows // BATCH))
                                              if not credited(b)))


def _net(i: int) -> int:
    """Line i's credit."""
    return (AMOUNT if not short(i) else AMOUNT // 2) - FEE - TAX


def bill_rows(rows: int) -> Iterator[tuple[Any, ...]]:
    """bills: id, tenant, service, consumer, bill no, period, items, amount, due, status, ref."""
    for i in range(rows):
        yield (f"b{i:09d}", TENANT, "property_tax", f"{i:010d}", f"PT-{i:09d}",
               date(2026, 4, 1), date(2027, 3, 31), "[]", AMOUNT, date(2026, 12, 31),
               "unpaid" if short(i) else "paid", None if short(i) else f"a{i:09d}",
               CAPTURED, f"W{i % 40:02d}")


def attempt_rows(rows: int, account: str) -> Iterator[tuple[Any, ...]]:
    """payment_attempts: one captured (or, short, held) attempt per bill."""
    for i in range(rows):
        paid = AMOUNT // 2 if short(i) else AMOUNT
        yield (f"a{i:09d}", TENANT, f"b{i:09d}", account, AMOUNT,
               "held" if short(i) else "captured", CAPTURED + timedelta(minutes=30),
               f"pay_{i:09d}", paid, 0, "upi", CAPTURED, CAPTURED, CAPTURED)


def line_rows(rows: int, import_id: str) -> Iterator[tuple[Any, ...]]:
    """settlement_lines: each settled payment's line, batched into settlements."""
    for i in range(rows):
        if unsettled(i):
            continue
        batch = i // BATCH
        ref = f"pay_x{i:09d}" if orphan(i) else f"pay_{i:09d}"
        amount = AMOUNT // 2 if short(i) else AMOUNT
        yield (f"l{i:09d}", TENANT, import_id, "razorpay", ref, "payment", ref, amount,
               _net(i), 0, FEE, TAX, False, True, f"setl_{batch:05d}", f"UTR{batch:013d}",
               SETTLED_ON, CAPTURED, "upi", "")


def bank_rows(rows: int, import_id: str) -> Iterator[tuple[Any, ...]]:
    """bank_lines: each credited batch's credit, for its lines' net."""
    nets: dict[int, int] = {}
    for i in range(rows):
        if not unsettled(i):
            nets[i // BATCH] = nets.get(i // BATCH, 0) + _net(i)
    for batch, total in sorted(nets.items()):
        if credited(batch):
            yield (f"k{batch:09d}", TENANT, import_id, "sbi", f"key{batch}", SETTLED_ON,
                   f"NEFT CR RAZORPAY UTR{batch:013d}", "", f"UTR{batch:013d}", total, 0, None)


COPIES: tuple[tuple[str, str], ...] = (
    ("bills", "id, tenant_id, service, consumer_no, bill_no, period_start, period_end, items, "
              "amount_paise, due_date, status, payment_ref, created_at, ward"),
    ("payment_attempts", "id, tenant_id, bill_id, account_id, amount_paise, status, expire_at, "
                         "external_payment_id, paid_paise, refunded_paise, method, captured_at, "
                         "created_at, updated_at"),
    ("settlement_lines", "id, tenant_id, import_id, source, line_key, kind, payment_ref, "
                         "amount_paise, credit_paise, debit_paise, fee_paise, tax_paise, "
                         "on_hold, settled, settlement_id, settlement_utr, settled_on, "
                         "occurred_at, method, description"),
    ("bank_lines", "id, tenant_id, import_id, account, line_key, value_date, narration, "
                   "reference, utr, credit_paise, debit_paise, balance_paise"),
)


def seed(url: str, rows: int) -> float:
    """Migrate and COPY the rows in; seconds taken."""
    from services.db.migrate import upgrade

    started = time.perf_counter()
    upgrade(url)
    account, imported = "acct" + secrets.token_hex(4), "imp" + secrets.token_hex(4)
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO tenants (id, parent_id, code, names, default_language, "
                     "languages, created_at) VALUES ('pb', NULL, 'PB', '{}', 'en', '[]', now()),"
                     " (%s, 'pb', 'PB-AMR', '{}', 'en', '[]', now())", (TENANT,))
        conn.execute("INSERT INTO payment_accounts (id, tenant_id, gateway, name, vpa, "
                     "payee_name, config_enc, simulated, active, created_at) VALUES "
                     "(%s, %s, 'razorpay', '', '', '', '-', false, true, now())",
                     (account, TENANT))
        conn.execute("INSERT INTO recon_imports (id, tenant_id, source, name, file_hash, "
                     "rows_total, rows_new, rows_updated, rows_bad, errors, actor, created_at) "
                     "VALUES (%s, %s, 'bench', '', 'bench', 0, 0, 0, 0, '[]', 'bench', now())",
                     (imported, TENANT))
        sources = {"bills": bill_rows(rows), "payment_attempts": attempt_rows(rows, account),
                   "settlement_lines": line_rows(rows, imported),
                   "bank_lines": bank_rows(rows, imported)}
        for table, columns in COPIES:
            with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in sources[table]:
                    copy.write_row(values)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


JOIN = ("SELECT count(*), sum(l.amount_paise - a.paid_paise) FROM settlement_lines l "
        "JOIN payment_attempts a ON a.external_payment_id = l.payment_ref "
        "WHERE l.tenant_id = %(t)s AND a.tenant_id = %(t)s")
JOIN3 = ("SELECT count(*), sum(l.amount_paise - a.paid_paise + b.amount_paise) "
         "FROM settlement_lines l JOIN payment_attempts a ON a.external_payment_id = "
         "l.payment_ref JOIN bills b ON b.id = a.bill_id "
         "WHERE l.tenant_id = %(t)s AND a.tenant_id = %(t)s AND b.tenant_id = %(t)s")


@dataclass
class Sample:
    """One measured run."""

    seconds: float
    peak_bytes: int
    temp_bytes: int


@contextmanager
def traced() -> Iterator[list[int]]:
    """Python's peak traced memory during the block (bytes, into the list)."""
    out: list[int] = []
    tracemalloc.start()
    try:
        yield out
    finally:
        out.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


def _temp(conn: psycopg.Connection[Any]) -> int:
    """PostgreSQL's temporary-file bytes of this database so far."""
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute("SELECT temp_bytes FROM pg_stat_database "
                       "WHERE datname = current_database()").fetchone()
    return int(row[0]) if row else 0


def timed(work: Callable[[], object]) -> float:
    """Seconds one run of `work` took (no tracing: it would slow Python, not SQL)."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def traced_run(conn: psycopg.Connection[Any], work: Callable[[], object]) -> tuple[int, int]:
    """One run of `work` traced: Python's peak memory and the temp bytes PostgreSQL spilled."""
    before = _temp(conn)
    with traced() as peak:
        work()
    time.sleep(0.6)  # the statistics collector reports temp files after the statement
    return peak[0], _temp(conn) - before


def run_size(url: str, rows: int, repeat: int) -> dict[str, list[Sample]]:
    """Every side timed `repeat` times, alternating, then traced once, on `rows` seeded."""
    from payments.recon.detect import reconcile
    from services.db.engine import make_engine, make_sessionmaker

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    found: dict[str, int] = {}
    with psycopg.connect(url, autocommit=True) as stats, psycopg.connect(url) as plain_conn:

        def plain(sql: str, workers: int | None = None) -> Callable[[], object]:
            def go() -> object:
                with plain_conn.transaction():
                    if workers is not None:
                        plain_conn.execute(f"SET LOCAL max_parallel_workers_per_gather = "
                                           f"{int(workers)}")
                    return plain_conn.execute(sql, {"t": TENANT}).fetchone()
            return go

        def recon() -> None:
            with sessions() as db:
                found.update(reconcile(db, TENANT, AS_OF).open_by_kind)
                db.commit()

        sides = {"join": plain(JOIN), "reconcile": recon, "join3": plain(JOIN3),
                 "join_1cpu": plain(JOIN, workers=0)}
        seconds: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(repeat):
            for side, work in sides.items():
                seconds[side].append(timed(work))
        samples = {}
        for side, work in sides.items():
            peak, temp = traced_run(stats, work)
            samples[side] = [Sample(s, peak, temp) for s in seconds[side]]
    engine.dispose()
    expected = plan(rows).expected()
    if found != expected:
        print(f"  !! found {found}, planned {expected}")
    return samples


@contextmanager
def database() -> Iterator[str]:
    """A fresh bench database, dropped afterwards."""
    name = "bench_recon_" + secrets.token_hex(4)
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _median(samples: list[Sample], pick: Callable[[Sample], float]) -> float:
    """The median of one figure."""
    return statistics.median(pick(s) for s in samples)


def table(rows: int, samples: dict[str, list[Sample]]) -> list[str]:
    """The figures of one size."""
    out = [f"{rows:,} rows: {'side':<10}{'median s':>10}{'first s':>9}{'py peak KiB':>13}"
           f"{'pg temp MiB':>13}"]
    for side, runs in samples.items():
        out.append(f"{'':>{len(f'{rows:,} rows: ')}}{side:<10}"
                   f"{_median(runs, lambda s: s.seconds):>10.3f}{runs[0].seconds:>9.3f}"
                   f"{max(s.peak_bytes for s in runs) / 1024:>13.0f}"
                   f"{max(s.temp_bytes for s in runs) / 2**20:>13.1f}")
    return out


def run(args: argparse.Namespace, _tmp: Path) -> int:
    """Seed, measure, print; 0 when the goals are met."""
    print(f"bench.reconcile: {machine()}")
    sizes = [args.rows // 10, args.rows] if args.rows // 10 >= BATCH else [args.rows]
    results: dict[int, dict[str, list[Sample]]] = {}
    for rows in sizes:
        with database() as url:
            seconds = seed(url, rows)
            print(f"seeded {rows:,} bills, payments and settlement lines by COPY in "
                  f"{seconds:.1f} s; planned exceptions {plan(rows).expected()}")
            results[rows] = run_size(url, rows, args.repeat)
        for line in table(rows, results[rows]):
            print(line)
    big = results[args.rows]
    recon = _median(big["reconcile"], lambda s: s.seconds)
    join = _median(big["join"], lambda s: s.seconds)
    join3 = _median(big["join3"], lambda s: s.seconds)
    serial = _median(big["join_1cpu"], lambda s: s.seconds)
    print(f"reconcile / join: {ratio(recon, join)}   reconcile / join3: {ratio(recon, join3)}"
          f"   reconcile / join_1cpu: {ratio(recon, serial)}")
    ok = recon <= 2 * join
    print(verdict("reconcile within 2x of the plain join", ok,
                  f"{recon:.3f} s vs {join:.3f} s"))
    if len(sizes) == 2:
        small, large = (max(s.peak_bytes for s in results[n]["reconcile"]) for n in sizes)
        flat = large <= 2 * small + 256 * 1024
        print(verdict("Python memory flat in rows", flat,
                      f"peak {small / 1024:.0f} KiB at {sizes[0]:,}, {large / 1024:.0f} KiB at "
                      f"{sizes[1]:,}"))
        ok = ok and flat
    print(f"bench.reconcile done: {machine()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(entry(parse_args, run))
