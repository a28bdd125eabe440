"""Finding a simulated channel account on a running gateway and showing what a phone shows."""

from __future__ import annotations

import httpx
import typer
from rich.console import Console
from rich.panel import Panel

from channels.registry import adapter_class, terminal_phone
from channels.terminal import TerminalPhone


def open_phone(gateway: str, medium: str, sender: str, tenant: str) -> TerminalPhone:
    """A terminal phone for the tenant's simulated account on that medium."""
    try:
        directory = httpx.get(gateway.rstrip("/") + "/sim/directory", timeout=10)
    except httpx.HTTPError:
        raise typer.BadParameter(f"no gateway answers at {gateway}; start it first") from None
    if directory.status_code == 404:
        raise typer.BadParameter("this gateway runs without simulators")
    for account in directory.json()["accounts"]:
        if account["tenant"] != tenant:
            continue
        if adapter_class(account["channel_type"]).medium.value == medium:
            return terminal_phone(account["channel_type"], gateway, sender, account)
    raise typer.BadParameter(f"no simulated {medium} account for {tenant}")


def show(console: Console, messages: list[str]) -> None:
    """Print received messages as phone bubbles."""
    if not messages:
        console.print("[dim](no reply yet)[/]")
    for text in messages:
        console.print(Panel(text, border_style="green", expand=False))
