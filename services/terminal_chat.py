"""Finding a simulated channel account on a running gateway and showing what a phone shows."""

from __future__ import annotations

import httpx
import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from channels.errors import ConfigError
from channels.registry import adapter_class, terminal_phone
from channels.terminal import CannotSend, TerminalPhone, deliver

MEDIA = {"sms": "sms", "whatsapp": "whatsapp", "telegram": "telegram", "ivr": "voice",
         "voice": "voice"}
"""What `--channel` accepts, and the medium each means."""
START_HINT = ("start one in another terminal with `./dev run` (or `nagarsetu run --dev`), "
              "or point --gateway URL at a running gateway")
"""How to get a gateway to chat with, said when none answers."""
CANNOT = {"sms": "An SMS carries only text", "voice": "A call carries only keys and speech"}
"""Why a channel without photos or locations cannot send one."""


def open_phone(gateway: str, channel: str, sender: str, tenant: str,
               provider: str | None = None) -> TerminalPhone:
    """A terminal phone for the tenant's simulated account on that channel (and provider)."""
    medium = MEDIA.get(channel)
    if medium is None:
        raise typer.BadParameter(f"no simulated {channel} account; channels: {', '.join(MEDIA)}")
    try:
        directory = httpx.get(gateway.rstrip("/") + "/sim/directory", timeout=10)
    except httpx.HTTPError:
        raise typer.BadParameter(f"no gateway answers at {gateway}: {START_HINT}") from None
    if directory.status_code == 404:
        raise typer.BadParameter("this gateway runs without simulators")
    candidates = [a for a in directory.json()["accounts"]
                  if a["tenant"] == tenant and adapter_class(a["channel_type"]).medium == medium
                  and (provider is None or a["channel_type"] == provider)]
    def preference(account: dict[str, str]) -> tuple[bool, str]:
        """Providers that need no registered templates first, then by name."""
        kind = account["channel_type"]
        return adapter_class(kind).capabilities.templates, kind

    for account in sorted(candidates, key=preference):
        try:
            return terminal_phone(account["channel_type"], gateway, sender, account)
        except ConfigError:
            continue  # a channel type without a terminal client
    raise typer.BadParameter(f"no simulated {channel} account for {tenant}"
                             + (f" from {provider}" if provider else ""))


def show(console: Console, messages: list[str]) -> None:
    """Print received messages as phone bubbles."""
    if not messages:
        console.print("[dim](no reply yet)[/]")
    for text in messages:
        console.print(Panel(Text(text), border_style="green", expand=False))  # not markup


def send(console: Console, phone: TerminalPhone, channel: str, text: str) -> bool:
    """Send one typed line (`/photo [PATH]` and `/location LAT,LON` where the channel carries
    them); False, after saying why, when nothing was sent."""
    try:
        deliver(phone, text)
    except CannotSend as exc:
        reason = CANNOT.get(MEDIA.get(channel, ""))
        if reason is None:
            console.print(Text(f"not sent: {exc}", style="yellow"))
        else:
            console.print(Text(f"not sent: {reason}: it cannot send a {exc.kind} (only "
                               "WhatsApp and Telegram can). Describe it in words instead.",
                               style="yellow"))
        return False
    return True
