"""Benchmark: how long a caller waits for the gateway's next prompt on Twilio Voice (IVR).

IVR is answered inside the webhook: each key a caller presses is a turn of the conversation
whose TwiML goes back in the response, and the caller hears silence until it arrives. Calls
arrive open-loop (call ``i`` starts at ``start + i / rate`` whatever happened to the others);
inside a call the caller, like a real one, waits for each prompt and then presses the next key
after a short think time, so each webhook's latency runs from the moment it was sent. Every
request is signed by the Twilio SDK over the URL the previous TwiML named. The gateway runs in
production mode (PostgreSQL, Redis, one API process) beside a bare FastAPI endpoint that parses
the same form and answers a one-key Gather; both get the same steps in alternation.

    .venv/bin/python -m bench.ivr_answer            # 5, 10, 20 calls/s for 20 s; ~4 min
    .venv/bin/python -m bench.ivr_answer --quick    # 5 and 10 calls/s for 8 s
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import aiohttp
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bench.bare_app import VOICE_PATH
from bench.fixture import CITY
from bench.load import percentile
from bench.procs import VENV_BIN, Proc, clean_env, entry, free_port, run_command
from bench.report import machine, ratio, verdict
from bench.stack import Gateway, uvicorn

VOICE_NUMBER = "+15005550007"
KEYS = ("1", "1", "1", "1", "0", "2", "0")
"""What each caller presses after the greeting: English, file a grievance, a category, a
locality, back to the menu, track, the menu again (each one a turn)."""
FORM_TYPE = "application/x-www-form-urlencoded"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rates", default="5,10,20", help="new calls per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="calls start for this long")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a caller takes to press the next key")
    parser.add_argument("--timeout", type=float, default=15.0,
                        help="seconds Twilio waits for a webhook")
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="5 and 10 calls/s, 8 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.rates, args.seconds = "5,10", 8.0
    args.rates = [float(r) for r in args.rates.split(",")]
    return args


@dataclass(frozen=True)
class Line:
    """A Twilio number the calls go to: its webhook and the account that signs them."""

    url: str
    account_sid: str
    auth_token: str
    number: str


@dataclass
class Step:
    """One side's step: every webhook's latency (seconds; None for a failure)."""

    rate: float
    seconds: float
    latencies: list[float | None] = field(default_factory=list)
    calls_done: int = 0
    cpu: float = 0.0

    @property
    def ok(self) -> list[float]:
        """Latencies of answered webhooks."""
        return [x for x in self.latencies if x is not None]

    def ms(self, q: float) -> float:
        """A latency percentile in milliseconds."""
        return percentile(self.ok, q) * 1000


async def call(session: aiohttp.ClientSession, line: Line, caller: str, think: float,
               timeout: float, latencies: list[float | None]) -> bool:
    """One call: the greeting, then a key per prompt; whether every webhook was answered."""
    validator = RequestValidator(line.auth_token)
    sid = "CA" + uuid.uuid4().hex
    base = {"CallSid": sid, "AccountSid": line.account_sid, "From": caller, "To": line.number,
            "Caller": caller, "Called": line.number, "Direction": "inbound",
            "ApiVersion": "2010-04-01"}
    url, form = line.url, {**base, "CallStatus": "ringing"}
    for key in (None, *KEYS):
        if key is not None:
            await asyncio.sleep(think)
            form = {**base, "CallStatus": "in-progress", "Digits": key}
        headers = {"Content-Type": FORM_TYPE,
                   "X-Twilio-Signature": validator.compute_signature(url, form),
                   "I-Twilio-Idempotency-Token": str(uuid.uuid4())}
        sent = time.monotonic()
        try:
            async with session.post(url, data=form, headers=headers,
                                    timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                body = await response.text()
                if response.status != 200:
                    raise aiohttp.ClientError(f"status {response.status}")
        except (aiohttp.ClientError, TimeoutError):
            latencies.append(None)
            return False
        latencies.append(time.monotonic() - sent)
        action = next_action(body)
        if action is None:
            return key == KEYS[-1]
        url = urljoin(line.url, action)
    return True


def next_action(twiml: str) -> str | None:
    """Where the TwiML sends the caller's next answer (a Gather's or Record's action)."""
    root = ET.fromstring(twiml)
    for verb in root.iter():
        if verb.tag in ("Gather", "Record") and verb.get("action"):
            return verb.get("action")
    return None


async def drive(line: Line, rate: float, seconds: float, think: float, timeout: float,
                prefix: str) -> Step:
    """Start `rate` calls a second for `seconds` (open loop); wait for every call to end."""
    step = Step(rate, seconds)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.monotonic() + 0.2
        tasks = []
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            caller = f"{prefix}{secrets.randbelow(10**8):08d}"
            tasks.append(asyncio.create_task(
                call(session, line, caller, think, timeout, step.latencies)))
        done = await asyncio.gather(*tasks)
    step.calls_done = sum(done)
    return step


def add_voice_line(gateway: Gateway) -> Line:
    """`nagarsetu channels add` a Twilio Voice number for the city; its webhook."""
    from services.accounts.models import ChannelAccount
    from services.db.engine import make_engine, make_sessionmaker

    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    run_command([str(VENV_BIN / "nagarsetu"), "channels", "add", "--tenant", CITY,
                 "--type", "twilio-voice", "--name", "bench-ivr", "--set", f"account_sid={sid}",
                 "--set", f"auth_token={token}", "--set", f"address={VOICE_NUMBER}"],
                gateway.env())
    engine = make_engine(gateway.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            account_id = db.scalars(select(ChannelAccount.id).where(
                ChannelAccount.channel_type == "twilio-voice")).one()
    finally:
        engine.dispose()
    return Line(f"{gateway.base_url}/webhooks/twilio-voice/{account_id}", sid, token,
                VOICE_NUMBER)


def measure(proc: Proc, line: Line, args: argparse.Namespace, rate: float,
            seconds: float, prefix: str) -> Step:
    """One step against one server, with the server's CPU seconds until it is idle again."""
    before = proc.cpu_seconds()
    step = asyncio.run(drive(line, rate, seconds, args.think, args.timeout, prefix))
    proc.settle()
    step.cpu = proc.cpu_seconds() - before
    return step


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Start both servers, warm up, run the steps in alternation, report."""
    print("IVR answer benchmark: Twilio Voice webhooks, gateway (PostgreSQL + Redis, one API "
          "process) beside a bare endpoint;", machine())
    gateway = Gateway(workdir, "http://127.0.0.1:9", redis_db=args.redis_db)
    bare_port = free_port()
    bare = Proc("bare", uvicorn("bench.bare_app:app", bare_port), clean_env({}), workdir)
    bare_line = Line(f"http://127.0.0.1:{bare_port}{VOICE_PATH}", "AC" + "0" * 32, "x" * 32,
                     VOICE_NUMBER)
    results: list[tuple[Step, Step]] = []
    try:
        bare.wait_http(f"http://127.0.0.1:{bare_port}/healthz")
        gateway.prepare()
        line = add_voice_line(gateway)
        gateway.start_api()
        assert gateway.api is not None
        measure(gateway.api, line, args, 2, 3, "+9170")  # warm-up, not reported
        measure(bare, bare_line, args, 2, 3, "+9170")
        for n, rate in enumerate(args.rates):
            prefix = f"+919{n}"
            b = measure(bare, bare_line, args, rate, args.seconds, prefix)
            g = measure(gateway.api, line, args, rate, args.seconds, prefix)
            results.append((b, g))
    finally:
        gateway.stop()
        bare.stop()
    return report(args, results)


def report(args: argparse.Namespace, results: list[tuple[Step, Step]]) -> int:
    """The table, the ratios and the goal."""
    print(f"\n{args.seconds:.0f} s of new calls per step, {len(KEYS)} keys per call, "
          f"{args.think:.1f} s think time; latency per webhook from when it was sent")
    print(f"{'side':<9}{'calls/s':>8}{'hooks/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'failed':>8}{'calls ok':>10}{'cpu ms/hook':>13}")
    for pair in results:
        for side, s in zip(("bare", "gateway"), pair, strict=True):
            hooks = len(s.latencies)
            failed = hooks - len(s.ok)
            print(f"{side:<9}{s.rate:>8.0f}{len(s.ok) / s.seconds:>9.1f}{s.ms(50):>9.1f}"
                  f"{s.ms(99):>9.1f}{s.ms(100):>9.1f}{failed:>8}"
                  f"{s.calls_done:>6}/{int(s.rate * s.seconds):<4}"
                  f"{s.cpu / max(len(s.ok), 1) * 1000:>12.2f}")
    print("\ngateway / bare:")
    for b, g in results:
        print(f"  {g.rate:.0f} calls/s: p50 {ratio(g.ms(50), b.ms(50))}x, "
              f"p99 {ratio(g.ms(99), b.ms(99))}x, cpu per webhook "
              f"{ratio(g.cpu / max(len(g.ok), 1), b.cpu / max(len(b.ok), 1))}x")
    print("\ngoals:")
    for _, g in results:
        failed = len(g.latencies) - len(g.ok)
        print(verdict(f"p99 <= 500 ms and no failed webhook at {g.rate:.0f} calls/s",
                      g.ms(99) <= 500 and failed == 0,
                      f"p99 {g.ms(99):.0f} ms, {failed} failed"))
    print(machine())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return entry(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
