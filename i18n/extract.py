"""Finding the catalog message ids the code uses, with `ast` only: a Babel extractor and a CLI.

`babel.cfg` at the project root maps the packages to this extractor. From the project root,
regenerate the template, then merge it into every language's catalog:

    .venv/bin/python -m i18n.extract
    .venv/bin/pybabel update -i i18n/locales/messages.pot -d i18n/locales --no-fuzzy-matching

The first command writes the same ids as the plain Babel command line:

    .venv/bin/pybabel extract -F babel.cfg --sort-output --add-location=file \
        --project=NagarSetu -o i18n/locales/messages.pot .

What counts as a message id (a string literal; `"prefix." + value` or an f-string is dynamic):

- argument 0 (or `key=`) of `Msg(...)` / `msg(...)`, and argument 1 (or `key=`) of `translate`;
- argument 1 (or `key=` / `prompt=`) of the steps `Say`, `Choose`, `AskText` and `Confirm`;
- `empty_prompt=`, `too_short=`, `reason=`, `required_prompt=`, `text_prompt=`, `no_label=`
  and `change_prompt=` arguments,
  and defaults of parameters or fields with those names;
- the message of each `(message id, step)` value of an `errors={...}` map, and of the default
  in `errors.get(code, (message id, step))`;
- the second item of each `(option id, message id)` pair given to `static(...)`;
- the prefix given to `KeyOf(prefix, slot)` (dynamic).

Dynamic prefixes are completed from the `expand` option in babel.cfg: whitespace-separated
`prefix=path:NAME`, NAME being a module-level tuple, list, set or dict of strings in `path`
(relative to the project root). A dynamic prefix without an expansion stops the extraction.

Modules that mark their ids explicitly (`N_("bill.shown")`, the no-op marker of
`bots.prompts`: new domains and step kinds) are mapped in babel.cfg to Babel's own Python
extractor, before the patterns above (the first pattern matching a file decides), and its
`keywords` option names the markers; `collect` runs that extractor for them the same way, so
the template is what `pybabel extract` writes. Nothing here learns a new step kind.
"""

from __future__ import annotations

import ast
import configparser
import io
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import write_po
from babel.util import pathmatch

CONFIG = "babel.cfg"
METHODS = frozenset({"i18n.extract:extract_babel", "i18n.extract.extract_babel"})
PYTHON = "python"
"""Babel's own Python extractor, for modules that mark their ids (`N_`)."""
TEMPLATE = Path("i18n") / "locales" / "messages.pot"
MESSAGE_CALLS = frozenset({"Msg", "msg"})
STEP_CALLS = frozenset({"Say", "Choose", "AskText", "AskMedia", "Confirm"})
MESSAGE_ARGS = frozenset({"empty_prompt", "too_short", "reason", "required_prompt", "text_prompt",
                          "no_label", "change_prompt"})

HEADER = "# Message ids of NagarSetu, extracted from the code by i18n/extract.py.\n#"
Expansions = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Found:
    """One use of a message id: its line, the id, and the placeholders passed (None: unknown)."""

    lineno: int
    key: str
    params: frozenset[str] | None = frozenset()
    dynamic: bool = False


def _name(func: ast.expr) -> str | None:
    """The called name: `f` for `f(...)` and `obj.f(...)`."""
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _arg(call: ast.Call, index: int, *names: str) -> ast.expr | None:
    """A call's argument by position, else by keyword."""
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg in names), None)


def _params(node: ast.expr | None, dicts: Mapping[str, ast.Dict]) -> frozenset[str] | None:
    """Placeholder names of a literal parameter dict (or a name bound to one); None: unknown."""
    if node is None:
        return frozenset()
    if isinstance(node, ast.Name):
        node = dicts.get(node.id)
    if isinstance(node, ast.Dict) and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
        return frozenset(str(k.value) for k in node.keys if isinstance(k, ast.Constant))
    return None


def _prefix(node: ast.expr) -> str | None:
    """The literal head of `"prefix." + value` or `f"prefix.{value}"`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return node.left.value
        return _prefix(node.left)
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value
    return None


def _is_id(node: ast.expr | None) -> bool:
    """Whether a node is a string literal shaped like a dotted message id."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    parts = node.value.split(".")
    return len(parts) > 1 and all(p.isidentifier() and p.islower() for p in parts)


class _Finder(ast.NodeVisitor):
    """Collects message-id uses from one module's syntax tree."""

    def __init__(self) -> None:
        """Start with nothing found."""
        self.found: list[Found] = []
        self.dicts: dict[str, ast.Dict] = {}

    def add(self, node: ast.expr | None, params: frozenset[str] | None = frozenset(),
            dynamic: bool = False) -> None:
        """Record a literal id (or prefix, when `dynamic`), or a prefix concatenated at run time."""
        if node is None:
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.found.append(Found(node.lineno, node.value, params, dynamic))
        elif (prefix := _prefix(node)) is not None:
            self.found.append(Found(node.lineno, prefix, params, dynamic=True))

    def params(self, node: ast.expr | None) -> frozenset[str] | None:
        """Placeholder names passed as a parameter dict, when they can be read from the source."""
        return _params(node, self.dicts)

    def add_first(self, node: ast.expr | None, index: int = 0) -> None:
        """Record item `index` of a literal tuple, like `(message id, step)`."""
        if isinstance(node, ast.Tuple) and len(node.elts) > index:
            self.add(node.elts[index])

    def visit_Call(self, node: ast.Call) -> None:
        """Message ids passed to the calls this module knows."""
        name = _name(node.func)
        if name in MESSAGE_CALLS:
            params = self.params(_arg(node, 1, "params"))
            if name == "msg":
                params = frozenset(k.arg for k in node.keywords if k.arg and k.arg != "key")
            self.add(_arg(node, 0, "key"), params)
        elif name == "translate":
            self.add(_arg(node, 1, "key"), self.params(_arg(node, 2, "params")))
        elif name in STEP_CALLS:
            params = self.params(_arg(node, 2, "params")) if name in ("Say", "Confirm") else None
            self.add(_arg(node, 1, "key", "prompt"), params if params is not None else frozenset())
        elif name == "KeyOf":
            self.add(_arg(node, 0, "prefix"), dynamic=True)
        elif name == "static":
            for pair in node.args:
                self.add_first(pair, 1)
        elif (name == "get" and isinstance(node.func, ast.Attribute)
              and _name(node.func.value) == "errors"):
            self.add_first(_arg(node, 1))
        for kw in node.keywords:
            if kw.arg in MESSAGE_ARGS:
                self.add(kw.value)
            elif kw.arg == "errors" and isinstance(kw.value, ast.Dict):
                for value in kw.value.values:
                    self.add_first(value)
        self.generic_visit(node)

    def visit_arguments(self, node: ast.arguments) -> None:
        """Message ids given as defaults of parameters named like message arguments."""
        positional = [*node.posonlyargs, *node.args]
        pairs = [*zip(positional[len(positional) - len(node.defaults):], node.defaults,
                      strict=True),
                 *zip(node.kwonlyargs, node.kw_defaults, strict=True)]
        for arg, default in pairs:
            if arg.arg in MESSAGE_ARGS and _is_id(default):
                self.add(default)
        self.generic_visit(node)

    def bind(self, target: ast.expr, value: ast.expr | None) -> None:
        """Remember (or forget) the literal dict a name is bound to, for parameters passed later."""
        if isinstance(target, ast.Name):
            if isinstance(value, ast.Dict):
                self.dicts[target.id] = value
            else:
                self.dicts.pop(target.id, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        """Track names bound to literal dicts."""
        for target in node.targets:
            self.bind(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        """Message ids given as defaults of fields named like message arguments; dict bindings."""
        if (isinstance(node.target, ast.Name) and node.target.id in MESSAGE_ARGS
                and _is_id(node.value)):
            self.add(node.value)
        self.bind(node.target, node.value)
        self.generic_visit(node)


def module_constant(path: Path, name: str) -> tuple[str, ...]:
    """The strings of a module-level constant (tuple, list, set, frozenset or dict keys)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for stmt in tree.body:
        value: ast.expr | None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if isinstance(value, ast.Call) and _name(value.func) in (
                    "frozenset", "set", "tuple", "list") and value.args:
                value = value.args[0]
            if value is not None:
                return tuple(str(v) for v in ast.literal_eval(value))
    raise LookupError(f"{path}: no constant {name}")


def parse_expand(value: str, root: Path) -> dict[str, tuple[str, ...]]:
    """The `expand` option: `prefix=path:NAME` entries, read from the source under `root`."""
    expansions: dict[str, tuple[str, ...]] = {}
    for entry in value.split():
        prefix, _, ref = entry.partition("=")
        path, _, name = ref.partition(":")
        expansions[prefix] = module_constant(root / path, name)
    return expansions


def messages(source: str, filename: str, expansions: Expansions) -> Iterator[Found]:
    """Every message id one module uses, dynamic ones completed from `expansions`."""
    finder = _Finder()
    finder.visit(ast.parse(source, filename))
    for found in finder.found:
        if not found.dynamic:
            yield found
        elif found.key in expansions:
            for value in expansions[found.key]:
                yield Found(found.lineno, found.key + value, found.params)
        else:
            raise LookupError(f"{filename}:{found.lineno}: no expansion for {found.key!r}")


def _comments(found: Found) -> list[str]:
    """The translator comment naming a message's placeholders."""
    if not found.params:
        return []
    return ["placeholders: " + " ".join(f"{{{p}}}" for p in sorted(found.params))]


def extract_babel(fileobj: IO[bytes], keywords: object, comment_tags: object,
                  options: Mapping[str, Any]) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extraction method (see babel.cfg): ids, with their placeholders as comments."""
    root = Path(str(options.get("root", ".")))
    expansions = parse_expand(str(options.get("expand", "")), root)
    filename = str(getattr(fileobj, "name", "<source>"))
    for found in messages(fileobj.read().decode("utf-8"), filename, expansions):
        yield found.lineno, None, found.key, _comments(found)


Mapping_ = list[tuple[str, str | None, dict[str, str]]]


def _mapping(root: Path) -> Mapping_:
    """babel.cfg's patterns in order, with their method ("msgids" for ours, "python" for
    Babel's, None for any other) and options."""
    parser = configparser.RawConfigParser()
    parser.read(root / CONFIG, encoding="utf-8")
    aliases = dict(parser.items("extractors")) if parser.has_section("extractors") else {}
    mapping: Mapping_ = []
    for section in parser.sections():
        if section == "extractors":
            continue
        method, _, pattern = (part.strip() for part in section.partition(":"))
        name = aliases.get(method, method)
        kind = "msgids" if name in METHODS else PYTHON if name == PYTHON else None
        mapping.append((pattern, kind, dict(parser.items(section))))
    return mapping


def marked(source: bytes, options: Mapping[str, str]) -> Iterator[Found]:
    """The ids Babel's Python extractor finds for the section's `keywords` (the markers),
    with Babel's default keywords as `pybabel extract` uses them; placeholders unknown."""
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(options.get("keywords", "").split())}
    for lineno, message, _, _ in extract(PYTHON, io.BytesIO(source), keywords,
                                         options=dict(options)):
        if isinstance(message, str):
            yield Found(lineno, message, None)


def collect(root: Path) -> dict[str, list[tuple[str, Found]]]:
    """Every message id used by the code under `root`, as babel.cfg maps it: id -> uses."""
    mapping = _mapping(root)
    if not mapping:
        raise LookupError(f"{root / CONFIG}: no extraction patterns")
    ids: dict[str, list[tuple[str, Found]]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for filename in sorted(filenames):
            rel = Path(dirpath, filename).relative_to(root).as_posix()
            kind, options = next(((k, o) for p, k, o in mapping if pathmatch(p, rel)),
                                 (None, {}))  # the first pattern that matches decides
            if kind == PYTHON:
                uses: Iterator[Found] = marked((root / rel).read_bytes(), options)
            elif kind is not None:
                expansions = parse_expand(options.get("expand", ""), root)
                uses = messages((root / rel).read_text(encoding="utf-8"), rel, expansions)
            else:
                continue
            for found in uses:
                ids.setdefault(found.key, []).append((rel, found))
    return ids


def template(root: Path) -> Catalog:
    """The message template: every id the code uses, with its files and placeholders."""
    catalog = Catalog(project="NagarSetu", charset="utf-8", header_comment=HEADER)
    for key, uses in sorted(collect(root).items()):
        comments = sorted({c for _, found in uses for c in _comments(found)})
        locations = sorted({(rel, found.lineno) for rel, found in uses})
        catalog.add(key, locations=locations, auto_comments=comments)
    return catalog


def _undated(text: bytes) -> list[bytes]:
    """A template's lines without its creation date, to tell real changes from a rerun."""
    return [line for line in text.splitlines() if not line.startswith(b'"POT-Creation-Date:')]


def main(argv: list[str]) -> int:
    """Write the template (default i18n/locales/messages.pot) from the current directory."""
    root = Path.cwd()
    out = Path(argv[0]) if argv else root / TEMPLATE
    catalog = template(root)
    buf = io.BytesIO()
    write_po(buf, catalog, sort_output=True, include_lineno=False)
    if not out.exists() or _undated(out.read_bytes()) != _undated(buf.getvalue()):
        out.write_bytes(buf.getvalue())
    print(f"{len(catalog)} message ids in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
