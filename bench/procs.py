"""Child processes a benchmark starts: each in its own process group, stopped by its id.

Every process's CPU time (its whole group: Celery's pool children too) is read from ``/proc``,
so a report can say who was busy: the server under test, the workers, the simulator, the load.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
_TICK = os.sysconf("SC_CLK_TCK")
_OUTSIDE = ("NAGARSETU_", "DATABASE_URL", "REDIS_URL")


Parse = Callable[[Sequence[str] | None], argparse.Namespace]
Run = Callable[[argparse.Namespace, Path], int]


def entry(parse: Parse, run: Run, argv: Sequence[str] | None = None) -> int:
    """A benchmark's main: parse its options, run it in a scratch folder removed afterwards."""
    args = parse(argv)
    with tempfile.TemporaryDirectory(prefix="nagarsetu-bench-") as tmp:
        return run(args, Path(tmp))


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any gateway setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OUTSIDE)}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def run_command(cmd: Sequence[str], env: Mapping[str, str], timeout: float = 120) -> str:
    """Run a one-off command (migrate, channels add) to completion; its output, or raise."""
    done = subprocess.run(list(cmd), cwd=ROOT, env=dict(env), capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


class Proc:
    """A long-running child (server, worker, simulator) with its log in the work directory."""

    def __init__(self, name: str, cmd: Sequence[str], env: Mapping[str, str],
                 workdir: Path) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(list(cmd), cwd=ROOT, env=dict(env), stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid

    def alive(self) -> bool:
        """Still running."""
        return self.proc.poll() is None

    def log(self, tail: int = 4000) -> str:
        """The end of its output."""
        return self.log_path.read_text(errors="replace")[-tail:]

    def wait_http(self, url: str, timeout: float = 90.0) -> None:
        """Block until `url` answers (any status), or raise with the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited:\n{self.log()}")
            try:
                httpx.get(url, timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start:\n{self.log()}")

    def wait_log(self, needle: str, timeout: float = 90.0) -> None:
        """Block until its output contains `needle` (a worker saying it is ready)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited:\n{self.log()}")
            if needle in self.log(tail=1_000_000):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not get ready:\n{self.log()}")

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by its process group (reaped children included)."""
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            fields = _stat(int(entry.name))
            if fields is None or int(fields[2]) != self.pid:  # field 5: process group
                continue
            total += int(fields[11]) + int(fields[12])
            if int(entry.name) == self.pid:
                total += int(fields[13]) + int(fields[14])
        return total / _TICK

    def settle(self, idle: float = 0.1, window: float = 0.5, limit: float = 30.0) -> float:
        """Wait (at most `limit` s) until it uses under `idle` of a core; seconds waited."""
        began = time.monotonic()
        while time.monotonic() - began < limit:
            cpu = self.cpu_seconds()
            time.sleep(window)
            if self.cpu_seconds() - cpu < idle * window:
                break
        return time.monotonic() - began

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM to its group, then SIGKILL after `grace` seconds."""
        if not self.alive():
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.proc.wait(10)
        except ProcessLookupError:
            pass


class Meter:
    """CPU used by a set of processes between two readings, per wall second."""

    def __init__(self, procs: Sequence[Proc]) -> None:
        self.procs = procs
        self.started = time.monotonic()
        self.base = {p.name: p.cpu_seconds() for p in procs}

    def busy(self) -> dict[str, float]:
        """CPU seconds per wall second of each process since the meter was made."""
        wall = max(time.monotonic() - self.started, 1e-9)
        return {p.name: (p.cpu_seconds() - self.base[p.name]) / wall for p in self.procs}
