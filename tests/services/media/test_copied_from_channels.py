"""Photos copied into the gateway's store during real conversations on each simulated
channel; a refused or unfetchable photo never costs the citizen their grievance."""

from __future__ import annotations

import time
from pathlib import Path

from channels.whatsapp_cloud import simulator as meta
from services.grievances.models import Grievance
from services.media.models import MISSING, REFUSED, STORED, MediaObject
from tests.services.grievances.citizen import Staff, new_key
from tests.services.media.conversation import (
    GRIEVANCE_ID,
    JPEG,
    cloud_phone,
    file_on_cloud,
    file_on_telegram,
    media_rows,
    twilio_phone,
)
from tests.support.gateway import LiveGateway, free_port, make_settings

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(64)


def wait_status(gateway: LiveGateway, *wanted: str, timeout: float = 15.0) -> MediaObject:
    """The one media row, once its status is one of `wanted` (the sweeper may retry)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = media_rows(gateway)
        if len(rows) == 1 and rows[0].status in wanted:
            return rows[0]
        assert time.monotonic() < deadline, [(r.status, r.error_code) for r in rows]
        time.sleep(0.1)


def stored_files(gateway: LiveGateway) -> list[Path]:
    """Objects in the filesystem store."""
    root = Path(gateway.settings.media_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_telegram_photo_is_copied(gateway: LiveGateway) -> None:
    gid = file_on_telegram(gateway)
    row = wait_status(gateway, STORED)
    assert (row.content_type, row.size, row.attempts) == ("image/jpeg", len(JPEG), 1)
    body = Staff(gateway, new_key(gateway)).get(gid).json()
    assert body["citizen"] == {"name": "Citizen", "phone_masked": None}  # a chat, no number
    assert body["map_url"] is None and body["location"] == {"text": "Opposite the water tank"}
    assert gateway.http.get(body["media"][0]["url"]).content == JPEG
    assert body["media"][0]["evidence"] == "photo" and len(body["photos"]) == 1
    answer = Staff(gateway, new_key(gateway)).act(gid, "reveal-contact")
    assert (answer.status_code, answer.json()) == (404, {"detail": {"code": "no_phone"}})


def test_twilio_whatsapp_photo_is_copied_with_the_accounts_credentials(
        gateway: LiveGateway) -> None:
    phone = twilio_phone(gateway)
    for text in ("hello", "#1"):  # the language list: English first
        phone.send(text)
        phone.receive(timeout=15)
    for option in ("grievance", None):  # menu, first category
        ids = [o["id"] for o in phone.options]
        phone.send(f"#{ids.index(option) + 1 if option else 1}")
        phone.receive(timeout=15)
    phone.send("Near the water tank")  # where, asked before the list: a landmark
    phone.receive(timeout=15)
    phone.send("#1")  # first locality
    phone.receive(timeout=15)
    phone.send("Streetlight broken for a week")
    phone.receive(timeout=15)
    phone.send_photo(JPEG)
    phone.receive(timeout=15)
    ids = [o["id"] for o in phone.options]
    phone.send(f"#{ids.index('yes') + 1}")
    filed = phone.receive(timeout=15)
    assert filed and GRIEVANCE_ID.search(filed[0])
    row = wait_status(gateway, STORED)
    assert row.content_type == "image/jpeg"
    (stored,) = stored_files(gateway)
    assert gateway.ctx.crypto.decrypt_bytes(stored.read_bytes()) == JPEG


def test_a_provider_outage_is_retried_by_the_sweeper(gateway: LiveGateway) -> None:
    meta.inject_media_faults(503)  # Meta's first answer for the media URL is a 503
    file_on_cloud(cloud_phone(gateway))
    row = wait_status(gateway, STORED)
    assert row.attempts == 2 and row.error_code is None


def test_a_file_of_a_type_we_do_not_keep_is_refused(gateway: LiveGateway) -> None:
    gid = file_on_cloud(cloud_phone(gateway), photo=GIF, mime="image/jpeg")  # declared JPEG
    row = wait_status(gateway, REFUSED)
    assert (row.error_code, row.content_type) == ("media_type_refused", None)
    assert stored_files(gateway) == []
    assert gateway.count(Grievance, Grievance.public_id == gid) == 1
    (media,) = Staff(gateway, new_key(gateway)).get(gid).json()["media"]
    assert (media["status"], media["code"], media["url"]) == (
        REFUSED, "media_type_refused", None)


def test_a_photo_meta_no_longer_has_is_marked_missing(gateway: LiveGateway) -> None:
    phone = cloud_phone(gateway)
    real_add = meta.add_media
    meta.add_media = lambda content, mime: "1999999999999999"  # type: ignore[assignment]
    try:  # the upload "succeeds", but Meta has nothing under the id the message names
        gid = file_on_cloud(phone)
    finally:
        meta.add_media = real_add
    row = wait_status(gateway, MISSING)
    assert row.error_code == "config_error"  # Graph's 400 #100: asking again cannot help
    assert gateway.count(Grievance, Grievance.public_id == gid) == 1


def test_too_large_is_refused_and_the_grievance_filed(tmp_path: Path) -> None:
    port = free_port()
    gateway = LiveGateway(make_settings(tmp_path, port, media_max_bytes=100), port).start()
    try:
        gid = file_on_cloud(cloud_phone(gateway))  # 276 bytes
        row = wait_status(gateway, REFUSED)
        assert (row.error_code, row.size) == ("media_too_large", len(JPEG))
        assert stored_files(gateway) == []
        with gateway.ctx.sessions() as db:
            grievance = db.query(Grievance).filter_by(public_id=gid).one()
            assert gateway.ctx.crypto.decrypt_json(str(grievance.evidence_enc))["photos"]
    finally:
        gateway.stop()

