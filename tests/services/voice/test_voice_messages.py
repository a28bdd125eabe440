"""Recorded voice messages: checked, converted, encrypted into the media store, audited, found
for a city or its state, and served only by a signed, unexpired link."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from services.audio import wav
from services.audit.models import ConfigChange
from services.cli import app
from services.media.store import FilesystemStore
from services.security.crypto import Crypto
from services.settings import Settings, get_settings
from services.voice.messages import (
    VoiceMessageError,
    audio,
    find,
    link,
    link_valid,
    upload,
)
from tests.services.grievances.conftest import crypto, db, settings, template

__all__ = ["crypto", "db", "settings", "template"]
TONE = wav.encode(array("h", [1000, -1000] * 8000), 16000)  # one second at 16 kHz


def test_an_upload_is_kept_encrypted_at_telephone_rate_and_audited(
        db: Session, crypto: Crypto, tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "media")
    row = upload(db, store, crypto, tenant_id="pb", purpose="water_cut", language="hi",
                 data=TONE, actor="staff:1:Asha")
    raw = store.get(row.store_key)
    assert b"RIFF" not in raw  # encrypted at rest
    played = wav.parse(audio(store, crypto, row))
    assert played.rate == wav.TELEPHONE_RATE and abs(len(played.samples) - 8000) <= 1
    change = db.scalar(select(ConfigChange).where(ConfigChange.entity == "voice_message"))
    assert change is not None and (change.key, change.action) == ("water_cut:hi", "create")
    again = upload(db, store, crypto, tenant_id="pb", purpose="water_cut", language="hi",
                   data=TONE, actor="staff:1:Asha")
    assert again.id == row.id  # replaced, not duplicated


def test_a_city_uses_its_own_recording_else_its_states(
        db: Session, crypto: Crypto, tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "media")
    state = upload(db, store, crypto, tenant_id="pb", purpose="camp", language="pa",
                   data=TONE, actor="t")
    assert find(db, "pb.ludhiana", "camp", "pa") == state
    own = upload(db, store, crypto, tenant_id="pb.ludhiana", purpose="camp", language="pa",
                 data=TONE, actor="t")
    assert find(db, "pb.ludhiana", "camp", "pa") == own
    assert find(db, "pb.amritsar", "camp", "pa") == state
    assert find(db, "pb.amritsar", "camp", "hi") is None
    assert find(db, "hr.gurugram", "camp", "pa") is None  # another state's never


@pytest.mark.parametrize(("purpose", "language", "data", "code"), [
    ("water_cut", "hi", b"not a wav", "not_wav"),
    ("water_cut", "xx", TONE, "unknown_language"),
    ("../etc", "hi", TONE, "bad_purpose"),
    ("", "hi", TONE, "bad_purpose"),
    ("water_cut", "hi", TONE + bytes(6 * 1024 * 1024), "too_large"),
])
def test_bad_uploads_are_refused_with_a_code(db: Session, crypto: Crypto, tmp_path: Path,
                                             purpose: str, language: str, data: bytes,
                                             code: str) -> None:
    with pytest.raises(VoiceMessageError) as refused:
        upload(db, FilesystemStore(tmp_path), crypto, tenant_id="pb", purpose=purpose,
               language=language, data=data, actor="t")
    assert refused.value.code == code


def test_links_are_signed_and_expire(db: Session, crypto: Crypto, tmp_path: Path) -> None:
    row = upload(db, FilesystemStore(tmp_path), crypto, tenant_id="pb", purpose="p",
                 language="hi", data=TONE, actor="t")
    url = link("https://g.example", crypto, row, now=1_000_000)
    query = dict(part.split("=") for part in url.split("?")[1].split("&"))
    expires, sig = int(query["exp"]), query["sig"]
    assert link_valid(crypto, row.id, expires, sig, now=1_000_000)
    assert not link_valid(crypto, row.id, expires, sig, now=expires)
    assert not link_valid(crypto, row.id, expires + 1, sig, now=1_000_000)
    assert not link_valid(crypto, "0" * 32, expires, sig, now=1_000_000)


def test_the_cli_uploads_and_lists(settings: Settings, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    get_settings.cache_clear()
    recording = tmp_path / "camp.wav"
    recording.write_bytes(TONE)
    runner = CliRunner()
    done = runner.invoke(app, ["voice-messages", "upload", "--tenant", "pb.amritsar",
                               "--purpose", "camp", "--language", "pa", str(recording)])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["voice-messages", "list", "--tenant", "pb.amritsar"])
    assert "camp (pa) 16" in listed.output
    refused = runner.invoke(app, ["voice-messages", "upload", "--tenant", "pb.amritsar",
                                  "--purpose", "camp", "--language", "zz", str(recording)])
    assert refused.exit_code == 1 and "unknown_language" in refused.output
    get_settings.cache_clear()
