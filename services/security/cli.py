"""`nagarsetu keys`: see which data is under which key, and rotate it to the current key."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from services.db.cli_session import cli_session
from services.media.rotate import MediaTally, pending_media, rotate_media
from services.media.store import make_store
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
        typer.echo(f"media files\t{pending_media(db, crypto)} pending")


@keys_app.command("rotate")
def rotate_command(
    batch_size: Annotated[int, typer.Option(min=1, max=10000, help="rows per transaction")]
    = 500,
    media: Annotated[bool, typer.Option(
        "--media/--no-media", help="also re-encrypt the stored media files (default)")] = True,
) -> None:
    """Re-encrypt every encrypted column and re-hash lookups under the current key, one
    committed batch at a time, then the media files in the media store (the gateway keeps
    running; run again to resume)."""
    crypto = _crypto()

    def progress(table: str, tally: Tally) -> None:
        """One line per batch."""
        console.print(f"{table}: {tally.rotated} rotated so far")

    def files(tally: MediaTally) -> None:
        """One line per batch of files."""
        console.print(f"media files: {tally.rotated} rotated so far")

    with cli_session() as db:
        tallies = rotate(db, crypto, batch_size, progress)
        done = (rotate_media(db, crypto, make_store(get_settings()), min(batch_size, 100), files)
                if media else None)
    failed = 0
    for table, tally in tallies.items():
        typer.echo(f"{table}\trotated {tally.rotated}\tfailed {tally.failed}"
                   f"\tchanged meanwhile {tally.raced}")
        failed += tally.failed
    if done is not None:
        typer.echo(f"media files\trotated {done.rotated}\tfailed {done.failed}"
                   f"\talready current {done.recorded}")
        failed += done.failed
    if failed:
        console.print(f"{failed} rows or files are under keys the ring lacks (or files are "
                      "missing from the store); add those keys and run again")
        raise typer.Exit(1)
