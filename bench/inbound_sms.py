"""Benchmark: the signed inbound SMS webhook (full path) against a bare FastAPI form endpoint.

Two single-worker uvicorn subprocesses are started side by side:

* **gateway** – the real NagarSetu app on a fresh SQLite file with the seeded demo city. Its
  dispatcher only collects outbox ids (``CollectingDispatcher``), so the measured path ends at the
  outbox write: Twilio signature check with the SDK's ``RequestValidator``, dedupe on
  ``MessageSid``, contact lookup, session load/save, engine step, reply rendered and written to the
  outbox in the inbound message's transaction.
* **baseline** – a FastAPI app with one ``POST`` route that takes the form and answers an empty
  TwiML ``<Response />``.

One client process drives both with the same httpx thread pool (``--concurrency`` senders, each a
keep-alive connection), in interleaved rounds (baseline/gateway, then gateway/baseline, ...).
Every request is built and signed before the clock starts. Results are medians over rounds; the
ratios are the figures to quote, since absolute times depend on the machine.

Run from the project root::

    .venv/bin/python bench/inbound_sms.py            # full run (defaults)
    .venv/bin/python bench/inbound_sms.py --quick    # smoke run, a few hundred requests
    .venv/bin/python bench/inbound_sms.py --profile  # also cProfile the gateway (slows it down)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Form, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
FORM_TYPE = "application/x-www-form-urlencoded"
DEMO_TENANT = "pb.amritsar"
BASELINE_PATH = "/sms"
PHONE_PREFIX = {"gateway": "+9198", "baseline": "+9197"}

# One citizen's conversation by SMS: first contact, language, file a grievance, track it, help,
# the menu keyword, change language. "{...}" fields are filled per sender.
SCRIPT: tuple[str, ...] = (
    "hi",             # new contact: the language question
    "1",              # English: the main menu
    "1",              # file a grievance: categories
    "{category}",     # a category: localities
    "{locality}",     # a locality: describe it
    "{description}",  # the description: confirm?
    "yes",            # files it (a service call) and says so
    "2",              # track: the citizen's grievances
    "1",              # the first one: its status
    "4",              # help, then the menu
    "menu",           # the menu keyword
    "3",              # change language: the language question
    "1",              # English again: the menu
)
DESCRIPTIONS = (
    "Garbage has not been collected on our street for three days",
    "The streetlight near the gurdwara gate is off every night",
    "No water supply since yesterday morning in the whole lane",
    "Sewer is overflowing in front of the school, please send someone",
)

T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# Servers (run in subprocesses via --serve)
# --------------------------------------------------------------------------------------------

class ThreadProfiles:
    """cProfile for a function that runs on worker threads (one profiler per thread)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.profiles: list[cProfile.Profile] = []

    def wrap(self, fn: Callable[..., T]) -> Callable[..., T]:
        """The function, profiled on whichever thread calls it."""

        def profiled(*args: Any, **kwargs: Any) -> T:
            prof: cProfile.Profile | None = getattr(self._local, "prof", None)
            if prof is None:
                prof = cProfile.Profile()
                self._local.prof = prof
                with self._lock:
                    self.profiles.append(prof)
            prof.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                prof.disable()

        return profiled

    def dump(self, path: Path) -> bool:
        """Merge every thread's profile into one pstats file; False when nothing ran."""
        with self._lock:
            profiles = list(self.profiles)
        if not profiles:
            return False
        stats = pstats.Stats(profiles[0])
        for prof in profiles[1:]:
            stats.add(prof)
        stats.dump_stats(str(path))
        return True


class SmsForm(BaseModel):
    """The fields of Twilio's inbound form that a minimal handler would read."""

    model_config = ConfigDict(extra="ignore")

    message_sid: str = Field(alias="MessageSid")
    account_sid: str = Field(alias="AccountSid")
    sender: str = Field(alias="From")
    to: str = Field(alias="To")
    body: str = Field(alias="Body", default="")


def baseline_app() -> FastAPI:
    """A bare FastAPI app: one POST route taking the Twilio form, answering empty TwiML."""
    app = FastAPI()

    @app.post(BASELINE_PATH)
    async def sms(form: Annotated[SmsForm, Form()]) -> Response:
        """Accept the form, answer nothing."""
        return Response(EMPTY_TWIML, media_type="text/xml")

    return app


def gateway_app(port: int, workdir: Path, profiles: ThreadProfiles | None) -> tuple[Any, Any]:
    """The real gateway app on a fresh seeded SQLite file; returns (app, collecting dispatcher)."""
    from services.bootstrap import prepare
    from services.context import build_context
    from services.settings import Environment, Settings
    from services.tasks.dispatch import CollectingDispatcher
    from services.web import webhooks
    from services.web.app import create_app

    settings = Settings(
        env=Environment.DEVELOPMENT, database_url=f"sqlite:///{workdir / 'gateway.db'}",
        redis_url=None,
        secret_key=SecretStr(secrets.token_hex(32)), public_base_url=f"http://127.0.0.1:{port}",
        simulators=True, seed_demo=True)
    prepare(settings)
    ctx = build_context(settings)
    dispatcher = CollectingDispatcher()
    ctx.dispatcher = dispatcher  # the measured path ends at the outbox write
    if profiles is not None:
        webhooks.process_webhook = profiles.wrap(webhooks.process_webhook)
    return create_app(settings, ctx), dispatcher


def serve(kind: str, port: int, workdir: Path, profile: bool) -> None:
    """Serve one app with a single-worker uvicorn until SIGINT; then print a JSON summary."""
    import uvicorn

    sys.path.insert(0, str(ROOT))
    profiles = ThreadProfiles() if profile and kind == "gateway" else None
    dispatcher: Any = None
    if kind == "gateway":
        app, dispatcher = gateway_app(port, workdir, profiles)
    else:
        app = baseline_app()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="on", workers=1)
    server = uvicorn.Server(config)
    loop_prof = cProfile.Profile() if profiles is not None else None
    if loop_prof is not None:
        loop_prof.enable()
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the SIGINT it shut down on
    summary: dict[str, Any] = {"kind": kind}
    if loop_prof is not None and profiles is not None:
        loop_prof.disable()
        loop_prof.dump_stats(str(workdir / "gateway-loop.prof"))
        summary["profiles"] = {"loop": str(workdir / "gateway-loop.prof")}
        if profiles.dump(workdir / "gateway-handler.prof"):
            summary["profiles"]["handler"] = str(workdir / "gateway-handler.prof")
    if dispatcher is not None:
        summary["collected_outbox_ids"] = len(dispatcher.ids)
    print(json.dumps(summary), flush=True)


# --------------------------------------------------------------------------------------------
# Client side
# --------------------------------------------------------------------------------------------

def free_port() -> int:
    """An unused TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A benchmark server subprocess (started by this script, stopped by its pid)."""

    def __init__(self, kind: str, workdir: Path, profile: bool) -> None:
        self.kind = kind
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{kind}.log"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", kind,
               "--port", str(self.port), "--workdir", str(workdir)]
        if profile:
            cmd.append("--profile")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                         stderr=log)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the server answers HTTP."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited:\n{self.log()}")
            try:
                httpx.get(self.base_url + "/healthz", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind} server did not start:\n{self.log()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process (all threads) has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log(self) -> str:
        """The server's stderr so far."""
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> dict[str, Any]:
        """Stop gracefully (SIGINT) and return the JSON summary the server printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        for line in reversed(out.decode(errors="replace").splitlines()):
            if line.startswith("{"):
                summary: dict[str, Any] = json.loads(line)
                return summary
        return {}


@dataclass(frozen=True)
class Target:
    """Where one side's requests go and how they are signed."""

    name: str
    url: str
    account_sid: str
    auth_token: str
    address: str


@dataclass(frozen=True)
class Shot:
    """One prepared request: encoded body and headers (signature included)."""

    body: bytes
    headers: dict[str, str]
    sid: str
    duplicate: bool


@dataclass
class Plan:
    """A batch: one list of shots per concurrent sender thread."""

    lanes: list[list[Shot]]

    @property
    def size(self) -> int:
        """Requests in the batch."""
        return sum(len(lane) for lane in self.lanes)

    @property
    def duplicates(self) -> int:
        """Resent requests in the batch."""
        return sum(shot.duplicate for lane in self.lanes for shot in lane)


class PlanMaker:
    """Builds batches of signed Twilio inbound forms from fresh cohorts of citizens."""

    def __init__(self, target: Target, dup_rate: float, seed: int) -> None:
        self.target = target
        self.validator = RequestValidator(target.auth_token)
        self.dup_rate = dup_rate
        self.rng = random.Random(seed)
        self.next_number = 0
        self.filings = 0  # "yes" answers sent, each of which should file one grievance

    def _phone(self) -> str:
        """A new citizen's number, never used before in this run."""
        self.next_number += 1
        return PHONE_PREFIX[self.target.name] + f"{self.next_number:08d}"

    def _text(self, index: int, choice: dict[str, str]) -> str:
        """Message `index` of the script for one sender."""
        return SCRIPT[index % len(SCRIPT)].format(**choice)

    def _shot(self, number: str, text: str) -> Shot:
        """A signed inbound form for one message."""
        sid = "SM" + uuid.uuid4().hex
        form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid,
                "AccountSid": self.target.account_sid, "From": number, "To": self.target.address,
                "Body": text, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
                "ApiVersion": "2010-04-01"}
        signature = str(self.validator.compute_signature(self.target.url, form))
        headers = {"Content-Type": FORM_TYPE, "X-Twilio-Signature": signature}
        return Shot(urlencode(form).encode(), headers, sid, duplicate=False)

    def lane(self, size: int) -> list[Shot]:
        """`size` requests for one thread: a few citizens each walking the script in order."""
        senders = max(1, math.ceil(size / len(SCRIPT)))
        people = [(self._phone(), {
            "category": str(self.rng.randint(1, 8)),
            "locality": str(self.rng.randint(1, 8)),
            "description": self.rng.choice(DESCRIPTIONS),
        }) for _ in range(senders)]
        shots: list[Shot] = []
        step = 0
        while len(shots) < size:
            for number, choice in people:
                if len(shots) >= size:
                    break
                text = self._text(step, choice)
                self.filings += text == "yes"
                shot = self._shot(number, text)
                shots.append(shot)
                if len(shots) < size and self.rng.random() < self.dup_rate:
                    # Twilio retrying a delivery it thinks failed: same sid, same signature.
                    shots.append(Shot(shot.body, shot.headers, shot.sid, duplicate=True))
            step += 1
        return shots

    def batch(self, per_lane: int, lanes: int) -> Plan:
        """A batch of `per_lane * lanes` requests."""
        return Plan([self.lane(per_lane) for _ in range(lanes)])


@dataclass
class BatchResult:
    """What one batch measured."""

    side: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    server_cpu: float
    client_cpu: float

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
        return ordered[rank] * 1000

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU milliseconds per request."""
        return self.server_cpu / self.requests * 1000


@dataclass
class Driver:
    """Runs batches with a fixed pool of sender threads, one keep-alive client per thread."""

    concurrency: int
    pool: ThreadPoolExecutor = field(init=False)
    clients: dict[str, list[httpx.Client]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="sender")

    def _client(self, side: str, lane: int) -> httpx.Client:
        """The keep-alive client of one lane of one side."""
        if side not in self.clients:
            self.clients[side] = [
                httpx.Client(timeout=120, limits=httpx.Limits(max_connections=1))
                for _ in range(self.concurrency)]
        return self.clients[side][lane]

    @staticmethod
    def _send(client: httpx.Client, url: str, shots: Sequence[Shot]) -> tuple[list[float], int]:
        """Send a lane's shots one after another; latencies and count of bad answers."""
        latencies: list[float] = []
        errors = 0
        for shot in shots:
            start = time.perf_counter()
            response = client.post(url, content=shot.body, headers=shot.headers)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200 or b"<Response" not in response.content:
                errors += 1
        return latencies, errors

    def run(self, target: Target, server: Server, plan: Plan) -> BatchResult:
        """Run one batch against a side and measure it."""
        clients = [self._client(target.name, i) for i in range(len(plan.lanes))]
        cpu0, client0 = server.cpu_seconds(), time.process_time()
        start = time.perf_counter()
        futures = [self.pool.submit(self._send, clients[i], target.url, lane)
                   for i, lane in enumerate(plan.lanes)]
        outcomes = [f.result() for f in futures]
        seconds = time.perf_counter() - start
        cpu1, client1 = server.cpu_seconds(), time.process_time()
        latencies = [lat for lats, _ in outcomes for lat in lats]
        return BatchResult(target.name, plan.size, seconds, latencies,
                           sum(err for _, err in outcomes), cpu1 - cpu0, client1 - client0)

    def close(self) -> None:
        """Close every client and the pool."""
        for clients in self.clients.values():
            for client in clients:
                client.close()
        self.pool.shutdown()


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return float(statistics.median(values))


def report(rounds: list[dict[str, BatchResult]], wall: float) -> None:
    """Per-round lines, then medians over rounds and the gateway/baseline ratios."""
    print()
    print("round  order  baseline req/s  gateway req/s  thr ratio  "
          "p50 ms (b/g)     p99 ms (b/g)     srv cpu ms/req  srv busy (b/g)  cli busy (b/g)")
    for i, r in enumerate(rounds, 1):
        b, g = r["baseline"], r["gateway"]
        order = "B,G" if i % 2 else "G,B"
        print(f"{i:>5}  {order}  {b.rps:>14.1f}  {g.rps:>13.1f}  {g.rps / b.rps:>9.3f}  "
              f"{b.pct(50):>6.2f}/{g.pct(50):<8.2f} {b.pct(99):>6.2f}/{g.pct(99):<8.2f} "
              f"{b.cpu_ms_per_request:>5.2f}/{g.cpu_ms_per_request:<6.2f}   "
              f"{b.server_cpu / b.seconds:>5.0%}/{g.server_cpu / g.seconds:<5.0%}    "
              f"{b.client_cpu / b.seconds:>5.0%}/{g.client_cpu / g.seconds:<5.0%}")

    def med(side: str, metric: Callable[[BatchResult], float]) -> float:
        return median([metric(r[side]) for r in rounds])

    def ratio(metric: Callable[[BatchResult], float]) -> float:
        """Median over rounds of the paired gateway/baseline ratio."""
        return median([metric(r["gateway"]) / metric(r["baseline"]) for r in rounds])

    metrics: list[tuple[str, Callable[[BatchResult], float], str]] = [
        ("throughput (req/s)", lambda x: x.rps, "{:.1f}"),
        ("latency p50 (ms)", lambda x: x.pct(50), "{:.2f}"),
        ("latency p99 (ms)", lambda x: x.pct(99), "{:.2f}"),
        ("server CPU per request (ms)", lambda x: x.cpu_ms_per_request, "{:.3f}"),
    ]
    print()
    print(f"medians over {len(rounds)} rounds          baseline     gateway   gateway/baseline")
    for label, metric, fmt in metrics:
        print(f"  {label:<30}{fmt.format(med('baseline', metric)):>10}  "
              f"{fmt.format(med('gateway', metric)):>10}   {ratio(metric):>10.3f}")
    thr = ratio(lambda x: x.rps)
    print(f"\nthe gateway's full signed-SMS path sustains {thr:.1%} of the bare endpoint's "
          f"throughput ({1 / thr:.1f}x slower); p50 latency x{ratio(lambda x: x.pct(50)):.1f}, "
          f"p99 latency x{ratio(lambda x: x.pct(99)):.1f}.")
    busy = med("baseline", lambda x: x.client_cpu / x.seconds)
    if busy > 0.85:
        print(f"note: the client process was {busy:.0%} busy during baseline batches, so the "
              "baseline figure is partly client-bound and the ratio is conservative "
              "(the gateway looks closer to the baseline than it is).")
    print(f"total wall time {wall:.1f} s")


def verify(db_path: Path, sent_unique: int, filings: int, collected: int | None) -> list[str]:
    """Check one inbound and one outbox row per unique MessageSid, and the grievances filed."""
    problems: list[str] = []
    with sqlite3.connect(db_path) as conn:
        inbound = conn.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()[0]
        outbox = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        grievances = conn.execute("SELECT count(*) FROM grievances").fetchone()[0]
    print(f"gateway database: {inbound} inbound messages, {outbox} outbox rows, "
          f"{grievances} grievances; {sent_unique} unique MessageSids sent; "
          f"dispatcher collected {collected} outbox ids")
    if inbound != sent_unique:
        problems.append(f"{inbound} inbound rows for {sent_unique} unique MessageSids")
    if outbox != sent_unique:
        problems.append(f"{outbox} outbox rows for {sent_unique} unique inbound messages")
    if grievances != filings:
        problems.append(f"{grievances} grievances for {filings} confirmations: the flows did "
                        "not step as the script expects")
    if collected is not None and collected != outbox:
        problems.append(f"dispatcher saw {collected} ids, outbox has {outbox} rows")
    return problems


def print_profile(path: str, title: str, limit: int) -> None:
    """Top functions of a pstats file by own time and by cumulative time."""
    for sort in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats = pstats.Stats(path, stream=buf)
        stats.strip_dirs().sort_stats(sort).print_stats(limit)
        body = buf.getvalue()
        start = body.find("   ncalls")
        print(f"\n--- {title}, top {limit} by {sort} ---")
        print(body[start:].rstrip() if start >= 0 else body.rstrip())


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def sms_account(base_url: str) -> dict[str, str]:
    """The demo city's simulated Twilio SMS account (credentials, number, webhook URL)."""
    accounts = httpx.get(base_url + "/sim/directory", timeout=30).json()["accounts"]
    account: dict[str, str] = next(a for a in accounts if a["channel_type"] == "twilio-sms"
                                   and a["tenant"] == DEMO_TENANT)
    return account


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=None,
                        help="measured requests per side, split over the rounds (default 1200)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="concurrent senders, one connection each (default 4)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="interleaved baseline/gateway rounds (default 10)")
    parser.add_argument("--warmup", type=int, default=None,
                        help="unmeasured requests per side before the rounds (default 100)")
    parser.add_argument("--dup-rate", type=float, default=0.02,
                        help="share of requests resent with the same MessageSid (default 0.02)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the workload")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 300 requests per side, 3 rounds, 4 senders")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the gateway (handler threads and event loop); the "
                             "timings of a profiled run are not comparable")
    parser.add_argument("--profile-top", type=int, default=25, help="rows per profile table")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--serve", choices=("gateway", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = {"requests": 300, "concurrency": 4, "rounds": 3, "warmup": 60}
    full = {"requests": 1200, "concurrency": 4, "rounds": 10, "warmup": 100}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.requests < args.rounds * args.concurrency:
        parser.error("--requests must be at least --rounds x --concurrency")
    return args


def bench(args: argparse.Namespace, workdir: Path) -> int:
    """Start both servers, run warm-up and interleaved rounds, report, verify."""
    began = time.perf_counter()
    gateway = Server("gateway", workdir, args.profile)
    baseline = Server("baseline", workdir, profile=False)
    driver = Driver(args.concurrency)
    makers: dict[str, PlanMaker] = {}
    sent_unique = 0
    errors = 0
    try:
        gateway.wait_ready()
        baseline.wait_ready()
        account = sms_account(gateway.base_url)
        targets = {
            "gateway": Target("gateway", account["webhook_url"], account["account_sid"],
                              account["auth_token"], account["address"]),
            "baseline": Target("baseline", baseline.base_url + BASELINE_PATH,
                               account["account_sid"], account["auth_token"],
                               account["address"]),
        }
        servers = {"gateway": gateway, "baseline": baseline}
        makers.update({name: PlanMaker(t, args.dup_rate, args.seed + i)
                       for i, (name, t) in enumerate(targets.items())})
        per_lane = args.requests // (args.rounds * args.concurrency)
        warm_lane = max(1, args.warmup // args.concurrency)
        plans = {name: [maker.batch(per_lane, args.concurrency) for _ in range(args.rounds)]
                 for name, maker in makers.items()}
        warm = {name: maker.batch(warm_lane, args.concurrency) for name, maker in makers.items()}
        measured = args.rounds * per_lane * args.concurrency
        dups = sum(p.duplicates for p in plans["gateway"])
        print(f"inbound SMS webhook benchmark: {measured} measured requests per side "
              f"({args.rounds} rounds x {args.concurrency} senders x {per_lane}), "
              f"{warm_lane * args.concurrency} warm-up, "
              f"{dups} gateway duplicates, python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs")
        for name in ("baseline", "gateway"):
            result = driver.run(targets[name], servers[name], warm[name])
            errors += result.errors if name == "gateway" else 0
            print(f"warm-up {name}: {result.requests} requests, {result.rps:.1f} req/s, "
                  f"{result.errors} errors")
        sent_unique += warm["gateway"].size - warm["gateway"].duplicates
        rounds: list[dict[str, BatchResult]] = []
        for i in range(args.rounds):
            order = ("baseline", "gateway") if i % 2 == 0 else ("gateway", "baseline")
            results = {name: driver.run(targets[name], servers[name], plans[name][i])
                       for name in order}
            rounds.append(results)
            errors += sum(r.errors for r in results.values())
            plan = plans["gateway"][i]
            sent_unique += plan.size - plan.duplicates
        report(rounds, time.perf_counter() - began)
    finally:
        driver.close()
        baseline.stop()
        summary = gateway.stop()
    problems = verify(workdir / "gateway.db", sent_unique, makers["gateway"].filings,
                      summary.get("collected_outbox_ids"))
    if errors:
        problems.append(f"{errors} requests did not get 200 with a TwiML <Response>")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if problems:
        print(f"gateway log ({gateway.log_path}):\n{gateway.log()}")
    for name, path in (summary.get("profiles") or {}).items():
        title = ("gateway handler threads (process_webhook)" if name == "handler"
                 else "gateway event loop thread")
        print_profile(path, title, args.profile_top)
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: either serve one app (internal) or run the benchmark."""
    args = parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.workdir, args.profile)
        return 0
    if args.keep:
        workdir = Path(tempfile.mkdtemp(prefix="nagarsetu-bench-"))
        print(f"work directory: {workdir}")
        return bench(args, workdir)
    with tempfile.TemporaryDirectory(prefix="nagarsetu-bench-") as tmp:
        return bench(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
