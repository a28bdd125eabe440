"""What an officer sees of a grievance filed on WhatsApp with a location and a photo: the
citizen's name, a masked number and a recorded reveal, the conversation, a map link, and the
photo copied into the gateway's store behind a short-lived signed link."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from services.audit.models import ConfigChange
from services.media.links import signed_path
from services.media.models import STORED
from services.staff.auth import Role
from tests.services.grievances.citizen import Staff, history_of, new_key
from tests.services.media.conversation import (
    DESCRIPTION,
    JPEG,
    POINT,
    cloud_phone,
    file_on_cloud,
    media_rows,
)
from tests.support.gateway import LiveGateway


@pytest.fixture
def filed(gateway: LiveGateway) -> tuple[str, str]:
    """A grievance filed on WhatsApp Cloud with a point and a photo; its id and the number."""
    phone = cloud_phone(gateway)
    gid = file_on_cloud(phone)
    gateway.settle()
    return gid, phone.sender


def test_the_view_shows_who_what_where(gateway: LiveGateway, filed: tuple[str, str]) -> None:
    gid, number = filed
    body = Staff(gateway, new_key(gateway, role=Role.VIEWER)).get(gid).json()
    assert body["citizen"] == {"name": "Harpreet Kaur",
                               "phone_masked": f"+91 {number[3:5]}xxxxxx{number[-2:]}"}
    assert number[3:] not in str(body)  # the full number appears nowhere in the view
    assert body["map_url"] == (f"https://www.openstreetmap.org/?mlat={POINT[0]:.6f}"
                               f"&mlon={POINT[1]:.6f}#map=18/{POINT[0]:.6f}/{POINT[1]:.6f}")
    lines = body["transcript"]
    assert [line["direction"] for line in lines[:2]] == ["in", "out"]
    assert lines[0]["text"] == "hi"
    assert any(line["direction"] == "in" and line["text"] == DESCRIPTION for line in lines)
    assert lines[-1]["direction"] == "out" and gid in lines[-1]["text"]  # the confirmation
    photo_line = next(line for line in lines if line["media"])
    (media,) = body["media"]
    assert photo_line["media"] == [media["id"]]
    assert (media["status"], media["kind"], media["content_type"], media["size"]) == (
        STORED, "image", "image/jpeg", len(JPEG))


def test_the_photo_opens_by_its_link_without_a_key(gateway: LiveGateway,
                                                   filed: tuple[str, str]) -> None:
    gid, _ = filed
    (media,) = Staff(gateway, new_key(gateway)).get(gid).json()["media"]
    url = media["url"]
    assert url.startswith(gateway.base_url + "/api/v1/media/")
    opened = gateway.http.get(url)  # no Authorization header: the link is the credential
    assert opened.status_code == 200
    assert opened.content == JPEG
    assert opened.headers["content-type"] == "image/jpeg"
    assert opened.headers["x-content-type-options"] == "nosniff"
    expires = int(parse_qs(urlsplit(url).query)["exp"][0])
    assert 0 < expires - time.time() <= gateway.settings.media_link_seconds


def test_a_tampered_or_expired_link_is_refused(gateway: LiveGateway,
                                               filed: tuple[str, str]) -> None:
    gid, _ = filed
    (media,) = Staff(gateway, new_key(gateway)).get(gid).json()["media"]
    parts = urlsplit(media["url"])
    query = parse_qs(parts.query)
    exp, sig = int(query["exp"][0]), query["sig"][0]
    path = parts.path
    later = gateway.http.get(path, params={"exp": exp + 3600, "sig": sig})
    assert (later.status_code, later.json()) == (403, {"detail": {"code": "bad_signature"}})
    forged = gateway.http.get(path, params={"exp": exp, "sig": ("0" if sig[0] != "0" else "1")
                                            + sig[1:]})
    assert forged.json() == {"detail": {"code": "bad_signature"}}
    other = media_rows(gateway)[0].id[::-1]  # another id with this signature
    assert gateway.http.get(f"/api/v1/media/{other}", params={"exp": exp, "sig": sig}
                            ).status_code == 403
    old, _ = signed_path(gateway.ctx.crypto, media["id"], 60, now=time.time() - 120)
    expired = gateway.http.get(old)
    assert (expired.status_code, expired.json()) == (403, {"detail": {"code": "link_expired"}})


def test_the_stored_copy_is_ciphertext(gateway: LiveGateway, filed: tuple[str, str]) -> None:
    (row,) = media_rows(gateway)
    stored = (Path(gateway.settings.media_dir) / row.tenant_id / row.id).read_bytes()
    assert JPEG[:16] not in stored and b"JFIF" not in stored
    assert gateway.ctx.crypto.decrypt_bytes(stored) == JPEG


def test_revealing_the_number_is_recorded(gateway: LiveGateway, filed: tuple[str, str]) -> None:
    gid, number = filed
    viewer = Staff(gateway, new_key(gateway, role=Role.VIEWER))
    refused = viewer.act(gid, "reveal-contact")
    assert (refused.status_code, refused.json()) == (403, {"detail": {"code": "forbidden_role"}})
    assert "reveal_contact" not in history_of(gateway, gid)
    officer = Staff(gateway, new_key(gateway, name="Inspector Kaur"))
    revealed = officer.act(gid, "reveal-contact")
    assert (revealed.status_code, revealed.json()) == (200, {"phone": number})
    with gateway.ctx.sessions() as db:
        (change,) = db.query(ConfigChange).filter_by(entity="contact", action="reveal").all()
        assert change.tenant_id == "pb.amritsar" and change.actor.startswith("staff:")
        assert change.after == {"grievance": gid}
        assert number[3:] not in str(change.before) + str(change.after) + change.key
    history = Staff(gateway, new_key(gateway)).get(gid).json()["history"]
    assert history[-1]["action"] == "reveal_contact"
    assert history[-1]["actor"] == change.actor
    assert history[-1]["from_status"] == history[-1]["to_status"] == "open"
    assert Staff(gateway, new_key(gateway)).act(gid, "reveal-contact").status_code == 200
    assert history_of(gateway, gid).count("reveal_contact") == 2  # each reveal, every time


def test_other_cities_staff_cannot_reveal(gateway: LiveGateway, filed: tuple[str, str]) -> None:
    gid, _ = filed
    outsider = Staff(gateway, new_key(gateway, scope="pb.ludhiana"))
    answer = outsider.act(gid, "reveal-contact")
    assert (answer.status_code, answer.json()) == (404, {"detail": {"code": "not_found"}})
    with gateway.ctx.sessions() as db:
        assert db.query(ConfigChange).filter_by(entity="contact").count() == 0
