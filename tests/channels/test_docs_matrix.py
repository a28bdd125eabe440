"""docs/channels.md's capability matrix says what the adapters really declare."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.registry import adapter_class, channel_types

DOC = Path(__file__).resolve().parents[2] / "docs" / "channels.md"


def _yes(flag: bool) -> str:
    """How the matrix writes a flag."""
    return "yes" if flag else "—"


@pytest.mark.parametrize("channel_type", sorted(channel_types()))
def test_matrix_row_matches_the_adapter(channel_type: str) -> None:
    adapter = adapter_class(channel_type)
    c = adapter.capabilities
    window = f"{c.session_window_hours} h" if c.session_window_hours else "—"
    row = (f"| `{channel_type}` | {adapter.medium.value} | {c.buttons or '—'} | "
           f"{c.list_rows or '—'} | {c.page_size} | {_yes(c.numbered_menus)} | "
           f"{_yes(c.location)} | {_yes(c.photo)} | {_yes(c.voice)} | {_yes(c.recording)} | "
           f"{_yes(c.synchronous)} | {window} | {_yes(c.templates)} |")
    assert row in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("channel_type", sorted(channel_types()))
def test_settings_row_names_required_and_secret_fields(channel_type: str) -> None:
    adapter = adapter_class(channel_type)
    line = next(ln for ln in DOC.read_text(encoding="utf-8").splitlines()
                if ln.startswith(f"| `{channel_type}` | ") and "`" in ln.split("|")[2])
    for field in adapter.required_fields | adapter.secret_fields:
        assert f"`{field}`" in line
