"""A campaign audience from a 1,000,000-row CSV: streamed parse, time and memory, vs csv alone.

The rows are generated on the fly (Indian mobiles written several ways, a name and two
variables, 1% bad numbers, 1% repeats), so the file itself is never in memory. Baseline: the
same lines through `csv.reader` alone (what reading costs before any checking); the parse
adds `phonenumbers` (parse and validity) per row and the duplicate table. Peak memory is the
Python heap as `tracemalloc` sees it on a sample of the rows (tracemalloc slows the run, so
the timed runs go without it) and the process's peak RSS at the end.

    .venv/bin/python -m bench.audience_csv [--quick] [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import time
import tracemalloc
from collections.abc import Iterator

from services.campaigns.audience import AudienceSummary, Recipient, parse_csv

FORMS = ("98{n:08d}", "+91 98{n:08d}", "098{n:08d}", "98{a:04d}-{b:04d}", "+9198{n:08d}")


def lines(rows: int) -> Iterator[str]:
    """A CSV of `rows` data rows."""
    yield "phone,language,name,ward,amount\n"
    for n in range(rows):
        if n % 100 == 7:
            phone = "12345"  # bad
        elif n % 100 == 9:
            phone = f"98{(n - 9) % 100_000_000:08d}"  # a repeat of a number nine rows back
        else:
            form = FORMS[n % len(FORMS)]
            m = n % 100_000_000
            phone = form.format(n=m, a=m // 10000, b=m % 10000)
        yield f"{phone},{'hi' if n % 3 else 'en'},Citizen {n},W{n % 60:02d},{n % 5000}\n"


def baseline(rows: int) -> float:
    """Seconds to read the rows with csv.reader only."""
    start = time.perf_counter()
    for _ in csv.reader(lines(rows)):
        pass
    return time.perf_counter() - start


def parse(rows: int) -> tuple[float, AudienceSummary, int]:
    """Seconds to parse, the summary, recipients."""
    summary = AudienceSummary()
    good = 0
    start = time.perf_counter()
    for item in parse_csv(lines(rows), summary=summary):
        good += isinstance(item, Recipient)
    return time.perf_counter() - start, summary, good


def heap_peak(rows: int) -> int:
    """Peak traced heap bytes while parsing `rows` rows."""
    tracemalloc.start()
    for _ in parse_csv(lines(rows)):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    """Run and print."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--quick", action="store_true", help="100,000 rows")
    args.add_argument("--rows", type=int, default=None)
    opts = args.parse_args()
    rows = opts.rows or (100_000 if opts.quick else 1_000_000)
    print(f"load average at start: {os.getloadavg()}")
    base = baseline(rows)
    took, summary, good = parse(rows)
    print(f"rows {rows:,}: csv.reader alone {base:.1f} s ({rows / base:,.0f} rows/s)")
    print(f"parse_csv {took:.1f} s ({rows / took:,.0f} rows/s), ratio {took / base:.1f}x")
    print(f"recipients {good:,}, errors {dict(summary.errors)}, duplicates {summary.duplicates:,}")
    sample = min(rows, 100_000)
    small, large = heap_peak(sample // 10), heap_peak(sample)
    print(f"heap peak: {small / 1e6:.2f} MB at {sample // 10:,} rows, "
          f"{large / 1e6:.2f} MB at {sample:,} rows (the duplicate table grows, rows do not)")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
