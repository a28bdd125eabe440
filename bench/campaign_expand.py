"""Expanding a campaign into its outbox on PostgreSQL, against a raw COPY of the same rows.

Side A: `services.campaigns.expand` over N recipients (hashing, duplicate check, opt-out and
consent lookups against the contacts: `exclusions_for`, as the API and CLI use; one
ciphertext per row, COPY in batches of 10,000, one commit); `--opted-out-only`: the opt-out
lookup alone, as before consent was wired in.
Side B: the rows A wrote, exported with `COPY … TO STDOUT`, the table truncated, and the same
bytes loaded with one `COPY … FROM STDIN` (the floor for writing these rows with these
indexes). Prints both times and the ratio (goal ≤ 4×). `--quick`: 100,000 recipients.
"""

from __future__ import annotations

import argparse
import io
import secrets
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg

from bench import campaign_setup as setup
from bench.procs import entry
from services.campaigns import control
from services.campaigns.expand import COLUMNS
from services.campaigns.recipients import OptedOut, Recipient, exclusions_for, urn_hash
from services.contacts.models import Contact
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.security.crypto import Crypto

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 recipients")
    parser.add_argument("--opted-out-only", action="store_true",
                        help="exclude by opt-out only (no consent lookup)")
    parser.add_argument("--redis-db", type=int, default=5, help="unused (no Redis here)")
    args = parser.parse_args(argv)
    if args.quick:
        args.recipients = 100_000
    return args


def audience(count: int) -> Iterator[Recipient]:
    """Recipients made on the fly (a million objects at once would be the benchmark)."""
    for n in range(count):
        yield Recipient(f"+9197{n:08d}", "hi" if n % 3 else "en", f"Citizen {n}",
                        {"ward": f"Ward {n % 80}", "day": "Friday", "amount": f"₹{n % 5000}"})


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Both sides on one fresh database."""
    name = "bench_" + secrets.token_hex(4)
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    crypto = Crypto(secrets.token_urlsafe(48))
    try:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with sessions() as db:
            setup.city(db)
            account_id = setup.sms_account(db, crypto, "http://127.0.0.1:9", 100)
            for n in range(0, args.recipients, 1000):  # one in a thousand said STOP
                db.add(Contact(tenant_id=setup.CITY, urn_hash=urn_hash(crypto, f"+9197{n:08d}"),
                               urn_enc=crypto.encrypt(f"tel:+9197{n:08d}"), opted_out=True))
            row = control.create(db, tenant_id=setup.CITY, actor="bench", draft=control.Draft(
                "bench", "transactional", [account_id], {account_id: {"en": setup.TEXT}}))
            db.commit()
            started = time.perf_counter()
            exclusions = (OptedOut(crypto) if args.opted_out_only
                          else exclusions_for(db, crypto, row.steps))
            done = control.add_audience(db, crypto, row, audience(args.recipients), exclusions)
            db.commit()
            expand_s = time.perf_counter() - started
        raw = psycopg.connect(url)
        with raw:
            buffer = io.BytesIO()
            with raw.cursor().copy(
                    f"COPY campaign_outbox ({', '.join(COLUMNS)}) TO STDOUT") as out:
                for chunk in out:
                    buffer.write(chunk)
            raw.execute("TRUNCATE campaign_outbox")
            raw.commit()
            data = buffer.getvalue()
            started = time.perf_counter()
            with raw.cursor().copy(
                    f"COPY campaign_outbox ({', '.join(COLUMNS)}) FROM STDIN") as into:
                for at in range(0, len(data), 1 << 20):
                    into.write(data[at:at + (1 << 20)])
            raw.commit()
            copy_s = time.perf_counter() - started
        engine.dispose()
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"recipients: {args.recipients:,}; written {done.written:,}, "
          f"left out {done.excluded}")
    print(f"expand (hash, dedupe, opt-outs, encrypt, COPY): {expand_s:7.2f} s "
          f"({done.written / expand_s:,.0f} rows/s)")
    print(f"raw COPY of the same rows:                    {copy_s:7.2f} s "
          f"({done.written / copy_s:,.0f} rows/s, {len(data) / 1e6:.0f} MB)")
    print(f"ratio: {expand_s / copy_s:.2f}x (goal <= 4x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(entry(parse, run))
