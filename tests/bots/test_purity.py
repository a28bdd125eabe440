"""The engine is a pure function: no I/O, no hidden state, its input left untouched."""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
from pathlib import Path

import pytest

import bots
from bots.engine import Engine
from bots.events import Event, ServiceResult, UserInput
from bots.session import Session
from tests.bots.support import Chat, make_ctx

BOTS = Path(bots.__file__).parent
ALLOWED_IMPORTS = {
    "__future__", "bots", "i18n", "collections", "dataclasses", "datetime", "difflib", "enum",
    "typing", "functools", "itertools", "re", "unicodedata",
}
IO_MODULES = (
    "socket", "ssl", "http.client", "urllib.request", "asyncio", "sqlite3", "subprocess",
    "sqlalchemy", "redis", "httpx", "requests", "celery", "fastapi", "services", "channels",
    "payments",
)

EVENTS: list[Event] = [
    UserInput("hello"), UserInput("1"), UserInput("2"), UserInput("back"), UserInput("help"),
    UserInput("stop"), UserInput("menu"), UserInput(payload="grievance"), UserInput("yes"),
    UserInput("Garbage"), UserInput("Water near the tank is dirty"),
    ServiceResult("grievance.file", {"id": "X-1", "due": "2025-06-03T18:30:00+05:30"}),
    ServiceResult("grievance.mine", {"items": []}), ServiceResult("grievance.status", error="x"),
]


def sessions(engine: Engine) -> list[Session]:
    """Sessions at many places in the flows."""
    found = [Session()]
    for reach in ("to_menu", "to_category", "to_locality", "to_description", "to_confirm"):
        chat = Chat(engine, make_ctx())
        getattr(chat, reach)()
        found.append(chat.session)
    chat.send("yes")
    found.append(chat.session)
    found.append(Chat(engine, make_ctx()).to_track([{"id": "A", "status": "open",
                                                     "category_names": {}}]).session)
    return found


@pytest.mark.parametrize("language", [None, "en", "hi"])
def test_step_is_pure(engine: Engine, language: str | None) -> None:
    ctx = make_ctx(language)
    for session in sessions(engine):
        for event in EVENTS:
            kept = copy.deepcopy(session)
            first = engine.step(session, event, ctx)
            second = engine.step(session, event, ctx)
            assert first == second, (session, event)
            assert session == kept, (session, event)
            assert first.session is not session


def test_the_returned_session_shares_no_mutable_state_with_the_input(engine: Engine) -> None:
    session = Chat(engine, make_ctx()).to_locality().session
    out = engine.step(session, UserInput("1"), make_ctx())
    out.session.slots["locality"] = "changed"
    assert "locality" not in session.slots


def _imports(path: Path) -> set[str]:
    """Top-level names of every module a source file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(BOTS.rglob("*.py")), ids=lambda p: p.stem)
def test_bots_import_only_pure_modules(path: Path) -> None:
    assert _imports(path) <= ALLOWED_IMPORTS


def test_importing_the_flows_loads_no_io_module() -> None:
    code = "import sys, bots.flows, bots.engine; print(' '.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.split()
    assert [m for m in loaded if m.startswith(IO_MODULES)] == []
