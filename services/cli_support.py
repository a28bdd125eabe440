"""Small pieces the configuration commands share: names given as `en=…`, refusals printed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from services.validation import Invalid

console = Console()


def names_of(pairs: Sequence[str] | None, option: str = "--name") -> dict[str, str]:
    """`["en=Garbage", "hi=कचरा"]` as {language: name}."""
    names: dict[str, str] = {}
    for pair in pairs or ():
        language, sep, name = pair.partition("=")
        if not sep or not language.strip():
            raise typer.BadParameter(f"{pair!r}: use language=name, e.g. en=Sanitation",
                                     param_hint=option)
        names[language.strip()] = name
    return names


def key_values(pairs: Sequence[str]) -> dict[str, str]:
    """`key=value` pairs (`--set` options) as a config mapping."""
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected key=value, got {pair!r}")
        config[key.strip()] = value
    return config


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print rows tab-separated under a header (easy to read, to `cut` and to diff)."""
    for row in (header, *rows):
        typer.echo("\t".join(row))


def refuse(exc: Invalid) -> NoReturn:
    """Print every problem (each names its row or field) and exit with status 2."""
    for line in exc.lines():
        console.print(f"[red]refused[/] {escape(line)}")
    raise typer.Exit(2)
