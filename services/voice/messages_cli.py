"""`nagarsetu voice-messages upload|list`: a city's recordings for outbound calls."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

voice_messages_app = typer.Typer(help="Recorded messages played by outbound voice calls.",
                                 no_args_is_help=True)
console = Console()


@voice_messages_app.command("upload")
def upload_command(
    tenant: Annotated[str, typer.Option(help="city (pb.amritsar) or state (pb) it is for")],
    purpose: Annotated[str, typer.Option(help="what the message is for, as campaigns name it")],
    language: Annotated[str, typer.Option(help="the language spoken in it")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a WAV file")],
) -> None:
    """Keep a recording (replacing the tenant's earlier one for that purpose and language)."""
    from services.audit.record import cli_actor
    from services.db.cli_session import cli_session
    from services.media.store import make_store
    from services.security.crypto import Crypto
    from services.settings import get_settings
    from services.tenancy.models import Tenant
    from services.voice.messages import VoiceMessageError, upload

    settings = get_settings()
    crypto = Crypto(settings.secret_key.get_secret_value())
    with cli_session() as db:
        if db.get(Tenant, tenant) is None:
            raise typer.BadParameter("no such tenant", param_hint="--tenant")
        try:
            row = upload(db, make_store(settings), crypto, tenant_id=tenant, purpose=purpose,
                         language=language, data=file.read_bytes(), actor=cli_actor())
        except VoiceMessageError as exc:
            console.print(f"[red]refused[/] ({exc.code})")
            raise typer.Exit(1) from None
        db.commit()
        console.print(f"{tenant} {purpose} ({language}): {row.size} bytes (8 kHz), id {row.id}")


@voice_messages_app.command("list")
def list_command(tenant: Annotated[str, typer.Option(help="city or state")]) -> None:
    """The tenant's recordings."""
    from sqlalchemy import select

    from services.db.cli_session import cli_session
    from services.voice.messages import VoiceMessage

    with cli_session() as db:
        rows = db.scalars(select(VoiceMessage).where(VoiceMessage.tenant_id == tenant)
                          .order_by(VoiceMessage.purpose, VoiceMessage.language))
        for row in rows:
            console.print(f"{row.purpose} ({row.language}) {row.size} bytes, "
                          f"{row.created_at:%Y-%m-%d %H:%M}")
