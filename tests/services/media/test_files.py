"""The pieces without a gateway: magic numbers, the filesystem store, signed links, masks."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.grievances.dossier import map_url, mask
from services.media.kinds import refusal, sniff
from services.media.links import LinkRefused, signed_path, verify
from services.media.store import FilesystemStore, ObjectMissing
from services.security.crypto import Crypto
from services.web.access_log import redact


@pytest.mark.parametrize(("head", "kind"), [
    (b"\xff\xd8\xff\xdb", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"RIFF\x10\x00\x00\x00WAVEfmt ", "audio/wav"),
    (b"OggS\x00\x02", "audio/ogg"),
    (b"#!AMR\n", "audio/amr"),
    (b"ID3\x04\x00", "audio/mpeg"),
    (b"\xff\xfb\x90\x64", "audio/mpeg"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00", "video/mp4"),
    (b"GIF89a", None),
    (b"%PDF-1.7", None),
    (b"MZ\x90\x00", None),
    (b"<html>", None),
])
def test_the_type_comes_from_the_bytes(head: bytes, kind: str | None) -> None:
    assert sniff(head + bytes(32)) == kind


def test_refusals_carry_codes() -> None:
    assert refusal(b"\xff\xd8\xff" + bytes(10), max_bytes=100) is None
    assert refusal(b"\xff\xd8\xff" + bytes(200), max_bytes=100) == "media_too_large"
    assert refusal(b"GIF89a" + bytes(10), max_bytes=100) == "media_type_refused"


def test_the_filesystem_store_round_trips_and_keeps_to_its_root(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "media")
    store.put("pb.amritsar/abc", b"sealed")
    assert (tmp_path / "media" / "pb.amritsar" / "abc").read_bytes() == b"sealed"
    assert store.get("pb.amritsar/abc") == b"sealed"
    with pytest.raises(ObjectMissing):
        store.get("pb.amritsar/none")
    for bad in ("../etc/passwd", "/abs", "pb.amritsar/../../x", "UPPER/x"):
        with pytest.raises(ValueError):
            store.put(bad, b"x")
    store.delete("pb.amritsar/abc")
    store.delete("pb.amritsar/abc")  # gone already: nothing to do
    with pytest.raises(ObjectMissing):
        store.get("pb.amritsar/abc")


def test_links_open_until_they_expire_and_only_unaltered() -> None:
    crypto = Crypto("k1:" + "a" * 40)
    path, expires = signed_path(crypto, "abc", 60, now=1_000_000)
    sig = path.split("sig=")[1]
    verify(crypto, "abc", expires, sig, now=1_000_059)
    for media_id, exp, now, code in (("abc", expires, 1_000_060, "link_expired"),
                                     ("abd", expires, 1_000_000, "bad_signature"),
                                     ("abc", expires + 1, 1_000_000, "bad_signature")):
        with pytest.raises(LinkRefused) as caught:
            verify(crypto, media_id, exp, sig, now=now)
        assert caught.value.code == code
    rotated = Crypto("k2:" + "b" * 40 + ",k1:" + "a" * 40)  # made before a rotation: still good
    verify(rotated, "abc", expires, sig, now=1_000_000)
    with pytest.raises(LinkRefused):  # another secret altogether: refused
        verify(Crypto("k3:" + "c" * 40), "abc", expires, sig, now=1_000_000)
    assert crypto.purpose_keys(b"media-link")[0] != crypto.current.sign_key


def test_masks_and_map_links() -> None:
    assert mask("+919812345610") == "+91 98xxxxxx10"
    assert mask("+14155550123") == "+1 41xxxxxx23"
    assert map_url({"text": "near the tank"}) is None
    assert map_url({"lat": 95, "lon": 10}) is None
    assert map_url({"lat": 31.62, "lon": 74.8765}) == (
        "https://www.openstreetmap.org/?mlat=31.620000&mlon=74.876500"
        "#map=18/31.620000/74.876500")


def test_a_signed_link_never_reaches_the_access_log() -> None:
    line = '127.0.0.1:5000 - "GET /api/v1/media/0a1b?exp=1700000000&sig=' + "f" * 64 + ' HTTP/1.1"'
    assert redact(line) == '127.0.0.1:5000 - "GET /api/v1/media/0a1b HTTP/1.1"'
