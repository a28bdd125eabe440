"""`GET /audio/{language}/{clip}.wav`: clips as audio/wav, tenant recordings first, 404 else."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.audio import routes, wav
from services.audio.store import ClipStore, override_problems
from services.settings import Settings
from tests.services.audio.conftest import Built
from tests.support.gateway import LiveGateway


class Client:
    """A synchronous client of an ASGI app (httpx's ASGI transport, no server)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """GET one path."""
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
                return await client.get(path, params=params)

        return asyncio.run(fetch())


@pytest.fixture
def served(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           clip_language: str) -> tuple[Client, ClipStore]:
    """A client of the audio router over a private copy of the built clips."""
    store = built.copy(tmp_path / "audio")
    app = FastAPI()
    app.state.ctx = SimpleNamespace(settings=Settings(env="development", audio_dir=str(store.root)))
    app.include_router(routes.router)
    return Client(app), store


def test_a_clip_is_served_as_cacheable_wav(served: tuple[Client, ClipStore],
                                           clip_language: str) -> None:
    client, store = served
    answer = client.get(f"/audio/{clip_language}/letter.P.wav")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "audio/wav"
    assert "max-age" in answer.headers["cache-control"]
    assert answer.content == store.rendered(clip_language, "letter.P").read_bytes()
    assert answer.content[:4] == b"RIFF"


@pytest.mark.parametrize("path", [
    "/audio/{lang}/nope.0.wav", "/audio/xx/digit.1.wav", "/audio/{lang}/manifest.json",
    "/audio/{lang}/manifest.wav", "/audio/{lang}/%2E%2E.wav", "/audio/{lang}/..%2Fmanifest.wav",
    "/audio/{lang}/..%2F..%2F..%2Fetc%2Fpasswd.wav", "/audio/..%2F{lang}/digit.1.wav",
    "/audio/%2E%2E/digit.1.wav", "/audio/{lang}/digit.1.wav?tenant=..%2F..",
    "/audio/{lang}/digit.1.wav?tenant=pb%2F..%2F..", "/audio/{lang}/.digit.1.wav",
])
def test_anything_else_is_404(served: tuple[Client, ClipStore], clip_language: str,
                              path: str) -> None:
    client, _ = served
    answer = client.get(path.format(lang=clip_language))
    assert answer.status_code == 404, path


def test_tenant_recordings_replace_rendered_clips(served: tuple[Client, ClipStore],
                                                  clip_language: str) -> None:
    client, store = served
    recorded = wav.encode(wav.array("h", [1000, -1000] * 2000))
    state = store.root / "overrides" / "pb" / clip_language / "digit.5.wav"
    state.parent.mkdir(parents=True)
    state.write_bytes(recorded)
    url = f"/audio/{clip_language}/digit.5.wav"
    assert client.get(url, params={"tenant": "pb.amritsar"}).content == recorded
    assert client.get(url, params={"tenant": "hr.karnal"}).content != recorded
    assert client.get(url).content != recorded
    city = store.root / "overrides" / "pb.amritsar" / clip_language / "digit.5.wav"
    city.parent.mkdir(parents=True)
    city.write_bytes(recorded + b"\0\0")
    assert client.get(url, params={"tenant": "pb.amritsar"}).content == recorded + b"\0\0"
    assert override_problems(store) == []


def test_a_link_out_of_the_audio_directory_is_not_followed(
        served: tuple[Client, ClipStore], clip_language: str, tmp_path: Path) -> None:
    client, store = served
    outside = tmp_path / "secret.wav"
    outside.write_bytes(wav.encode(wav.array("h", [0] * 4000)))
    link = store.root / "overrides" / "pb" / clip_language / "digit.7.wav"
    link.parent.mkdir(parents=True)
    os.symlink(outside, link)
    answer = client.get(f"/audio/{clip_language}/digit.7.wav", params={"tenant": "pb"})
    assert answer.status_code == 404


def test_bad_overrides_are_reported(tmp_path: Path) -> None:
    store = ClipStore(tmp_path)
    base = tmp_path / "overrides" / "pb" / "or"
    base.mkdir(parents=True)
    (base / "digit.1.wav").write_bytes(wav.encode(wav.array("h", [0] * 100), 22050))
    (base / "digit 2.mp3").write_bytes(b"ID3")
    (base / "digit.3.wav").write_bytes(b"junk")
    problems = {p.name: why for p, why in override_problems(store)}
    assert set(problems) == {"digit.1.wav", "digit 2.mp3", "digit.3.wav"}
    assert "8 kHz" in problems["digit.1.wav"]


def test_recordings_of_an_older_text_are_reported(served: tuple[Client, ClipStore],
                                                  clip_language: str) -> None:
    _, store = served
    folder = store.root / "overrides" / "pb" / clip_language
    folder.mkdir(parents=True)
    recorded = store.read_manifest(clip_language)
    recorded["digit.1"]["text"] = "an older text"
    ClipStore(folder.parent).write_manifest(clip_language, "recorded", recorded)
    take = wav.encode(wav.array("h", [0] * 4000))
    for clip in ("digit.1", "digit.2", "nope.0"):
        (folder / f"{clip}.wav").write_bytes(take)
    problems = {p.name: why for p, why in override_problems(store)}
    assert set(problems) == {"digit.1.wav", "nope.0.wav"}
    assert "older text" in problems["digit.1.wav"] and "no such clip" in problems["nope.0.wav"]


def test_clip_urls_carry_the_clip_version(served: tuple[Client, ClipStore],
                                          clip_language: str) -> None:
    _, store = served
    settings = Settings(env="development", public_base_url="https://gw.example/",
                        audio_dir=str(store.root))
    url = routes.clip_url(settings, clip_language, "digit.1", tenant="pb")
    version = store.read_manifest(clip_language)["digit.1"]["hash"][:12]
    assert url == f"https://gw.example/audio/{clip_language}/digit.1.wav?v={version}&tenant=pb"


def test_the_gateway_serves_clips(served: tuple[Client, ClipStore], clip_language: str,
                                  gateway: LiveGateway) -> None:
    gateway.ctx.settings.audio_dir = str(served[1].root)
    answer = httpx.get(f"{gateway.base_url}/audio/{clip_language}/digit.1.wav", timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"] == "audio/wav"
    missing = httpx.get(f"{gateway.base_url}/audio/{clip_language}/digit.10.wav", timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"detail": {"code": "clip_not_found"}}
