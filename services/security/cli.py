"""`nagarsetu keys`: see which data is under which key, and rotate it to the current key."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from services.db.cli_session import cli_session
from services.security.crypto import Crypto
from services.security.keyring import KeyringError
from services.security.rotate import Tally, pending_counts, rotate
from services.settings import get_settings

keys_app = typer.Typer(help="Encryption keys: status and rotation.", no_args_is_help=True)
console = Console()


def _crypto() -> Crypto:
    """The configured key ring; a clear error when NAGARSETU_SECRET_KEY is not one."""
    try:
        return Crypto(get_settings().secret_key.get_secret_value())
    except KeyringError as exc:
        raise typer.BadParameter(f"NAGARSETU_SECRET_KEY: {exc.code}") from None


def _name(key_id: str | None) -> str:
    """A key id as shown to operators."""
    return key_id or "(unversioned)"


@keys_app.command("status")
def status() -> None:
    """The key ring (ids only, never secrets) and how many rows wait for `keys rotate`."""
    crypto = _crypto()
    console.print("keys: " + ", ".join(_name(k) for k in crypto.key_ids)
                  + f"; current {_name(crypto.current.id)}")
    with cli_session() as db:
        for table, count in pending_counts(db, crypto).items():
            typer.echo(f"{table}\t{count} pending")


@keys_app.command("rotate")
def rotate_command(
    batch_size: Annotated[int, typer.Option(min=1, max=10000, help="rows per transaction")]
    = 500,
) -> None:
    """Re-encrypt every encrypted column and re-hash lookups under the current key, one
    committed batch at a time (the gateway keeps running; run again to resume)."""
    crypto = _crypto()

    def progress(table: str, tally: Tally) -> None:
        """One line per batch."""
        console.print(f"{table}: {tally.rotated} rotated so far")

    with cli_session() as db:
        tallies = rotate(db, crypto, batch_size, progress)
    failed = 0
    for table, tally in tallies.items():
        typer.echo(f"{table}\trotated {tally.rotated}\tfailed {tally.failed}"
                   f"\tchanged meanwhile {tally.raced}")
        failed += tally.failed
    if failed:
        console.print(f"{failed} rows are under keys the ring lacks; add those keys and run again")
        raise typer.Exit(1)
