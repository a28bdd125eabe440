"""The message-id extractor: each kind of use it must see, and agreement with Babel's own run."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from i18n.extract import CONFIG, Found, collect, messages, module_constant, parse_expand

ROOT = Path(__file__).resolve().parents[2]
EXPAND = {"status.": ("open", "closed")}


def ids(source: str) -> list[str]:
    """The ids a snippet uses, in order."""
    return [found.key for found in messages(source, "snippet.py", EXPAND)]


@pytest.mark.parametrize(("source", "expected"), [
    ('Msg("a.b")', ["a.b"]),
    ('Msg(key="a.b")', ["a.b"]),
    ('prompts.msg("a.b", x=1)', ["a.b"]),
    ('translate(lang, "a.b", {})', ["a.b"]),
    ('Say("done", "a.b")', ["a.b"]),
    ('Choose("c", "a.b", Master("x"), empty_prompt="a.c")', ["a.b", "a.c"]),
    ('AskText("d", prompt="a.b", too_short="a.c")', ["a.b", "a.c"]),
    ('Confirm("c", "a.b", {"x": Slot("x")})', ["a.b"]),
    ('Invoke("s", "op.name", {}, errors={"nf": ("a.b", "step"), "x": ("a.c", None)})',
     ["a.b", "a.c"]),
    ('key, goto = step.errors.get(code, ("a.b", None))', ["a.b"]),
    ('static(("one", "a.b"), ("two", "a.c"))', ["a.b", "a.c"]),
    ('def invalid(self, step, reason: str = "a.b"): ...', ["a.b"]),
    ('def f(*, too_short="a.b"): ...', ["a.b"]),
    ('class AskText:\n    too_short: str = "a.b"', ["a.b"]),
    ('Msg("status." + item["status"])', ["status.open", "status.closed"]),
    ('Msg(f"status.{s}")', ["status.open", "status.closed"]),
    ('KeyOf("status.", Slot("s"))', ["status.open", "status.closed"]),
])
def test_finds(source: str, expected: list[str]) -> None:
    """Each recognised use yields its ids (dynamic ones completed)."""
    assert ids(source) == expected


@pytest.mark.parametrize("source", [
    'Invoke("filed", "grievance.file", {})',
    'OPERATIONS = {"grievance.file": f}',
    'config.set_main_option("sqlalchemy.url", url)',
    'Msg(key)',
    'Msg(ref.prefix + value)',
    'def f(reason="not an id"): ...',
    'def f(name="a.b"): ...',
])
def test_ignores(source: str) -> None:
    """Operation names, other dotted strings and variables are not message ids."""
    assert ids(source) == []


@pytest.mark.parametrize(("source", "params"), [
    ('Msg("a.b")', frozenset()),
    ('Msg("a.b", {"id": 1, "due": d})', frozenset({"id", "due"})),
    ('msg("a.b", id=1)', frozenset({"id"})),
    ('p = {"id": 1}\nMsg("a.b", p)', frozenset({"id"})),
    ('Msg("a.b", build())', None),
    ('Say("s", "a.b", {"note": Slot("n")})', frozenset({"note"})),
    ('Say("s", "a.b", params={"note": Slot("n")})', frozenset({"note"})),
    ('Choose("c", "a.b", Static(()))', frozenset()),
])
def test_placeholders(source: str, params: frozenset[str] | None) -> None:
    """The parameter names passed are read when they are literal."""
    assert [f.params for f in messages(source, "snippet.py", EXPAND)] == [params]


def test_dynamic_id_without_expansion_stops_extraction() -> None:
    """A prefix nobody told the extractor how to complete is an error, not a silent gap."""
    with pytest.raises(LookupError, match=r"kind\."):
        list(messages('Msg("kind." + x)', "snippet.py", EXPAND))


def test_line_numbers() -> None:
    """Uses carry their line."""
    assert list(messages('\n\nMsg("a.b")', "s.py", {})) == [Found(3, "a.b")]


def test_module_constant(tmp_path: Path) -> None:
    """Constants are read as tuples, lists, frozensets or dict keys, without importing."""
    (tmp_path / "m.py").write_text(
        'A = ("x", "y")\nB: list[str] = ["z"]\nC = frozenset({"w"})\nD = {"k": 1}\n')
    assert module_constant(tmp_path / "m.py", "A") == ("x", "y")
    assert module_constant(tmp_path / "m.py", "B") == ("z",)
    assert module_constant(tmp_path / "m.py", "C") == ("w",)
    assert module_constant(tmp_path / "m.py", "D") == ("k",)
    with pytest.raises(LookupError):
        module_constant(tmp_path / "m.py", "E")
    assert parse_expand("p.=m.py:A", tmp_path) == {"p.": ("x", "y")}


def test_babel_extraction_method() -> None:
    """Babel calls the extractor by name and gets ids with placeholder comments."""
    source = io.BytesIO(b'Say("done", "a.b", {"id": Slot("id")})\n')
    result = list(extract("i18n.extract:extract_babel", source))
    assert result == [(1, "a.b", ["placeholders: {id}"], None)]


def test_collect_agrees_with_babel() -> None:
    """Babel walking the tree with babel.cfg finds exactly what collect() finds."""
    with (ROOT / CONFIG).open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, CONFIG)  # type: ignore[no-untyped-call]
    options_map = {k: {**v, "root": str(ROOT)} for k, v in options_map.items()}
    by_babel = {msg for _, _, msg, _, _ in extract_from_dir(ROOT, method_map, options_map)}
    assert by_babel == set(collect(ROOT))
