"""`nagarsetu audio build [--language xx]`: render the IVR clips with espeak-ng."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

audio_app = typer.Typer(help="IVR audio clips for languages without provider TTS.",
                        no_args_is_help=True)
console = Console()


@audio_app.command("build")
def build_command(
    language: Annotated[list[str] | None, typer.Option(
        "--language", help="language code (repeatable); default: every language some voice "
                           "provider can only play from clips")] = None,
    workers: Annotated[int, typer.Option(help="parallel renderers (0: one per CPU)")] = 0,
) -> None:
    """Render changed clips into the audio directory (NAGARSETU_AUDIO_DIR) and prune stale ones."""
    from i18n import LANGUAGES
    from services.audio.render import AudioError, build, default_languages
    from services.audio.store import ClipStore, audio_root, override_problems

    codes = language or default_languages()
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown:
        raise typer.BadParameter(f"no catalog for {', '.join(unknown)}", param_hint="--language")
    store = ClipStore(audio_root())
    try:
        report = build(store, codes, workers or None)
    except AudioError as exc:
        console.print(f"[red]audio build failed[/] ({exc.code}): {exc.detail}")
        raise typer.Exit(1) from None
    for lang in report.languages:
        console.print(f"{lang.language}: {lang.clips} clips, {lang.rendered} rendered, "
                      f"{lang.removed} removed")
    console.print(f"{report.rendered} clips rendered in {report.seconds:.1f} s into {store.root}")
    for path, problem in override_problems(store):
        console.print(f"[yellow]override {path}: {problem}[/]")
