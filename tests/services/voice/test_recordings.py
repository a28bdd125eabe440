"""A caller's recorded description: named in their language, copied into the media store from
the provider's host only when that host is allowed, and shown to staff as an attachment."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from i18n import translate
from services.grievances.models import Grievance
from services.media.models import REFUSED, STORED, MediaObject
from services.media.recording_hosts import allowed as recording_allowed
from tests.services.grievances.citizen import Staff, new_key
from tests.services.voice.conftest import HINDI, exotel_call, press, twilio_call
from tests.support.gateway import LiveGateway, free_port, make_settings

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + bytes(400)


class FakeRecordings:
    """A local stand-in for a provider's recording host: serves one MP3, counts requests."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Content-Length", str(len(MP3)))
                self.end_headers()
                self.wfile.write(MP3)

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def recordings() -> Iterator[FakeRecordings]:
    """The fake recording host, running."""
    fake = FakeRecordings()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def gateway_allowing(tmp_path: Path, hosts: str) -> LiveGateway:
    """A gateway whose recording allow-list is `hosts`."""
    port = free_port()
    return LiveGateway(make_settings(tmp_path, port, media_recording_hosts=hosts), port).start()


def media(gateway: LiveGateway, *wanted: str, timeout: float = 15.0) -> MediaObject:
    """The one media row once its status is one of `wanted` (the sweeper copies it)."""
    deadline = time.monotonic() + timeout
    while True:
        with gateway.ctx.sessions() as db:
            rows = list(db.scalars(select(MediaObject)))
            db.expunge_all()
        if len(rows) == 1 and rows[0].status in wanted:
            return rows[0]
        assert time.monotonic() < deadline, [(r.status, r.error_code) for r in rows]
        time.sleep(0.1)


def record_on_exotel(gateway: LiveGateway, host: str) -> str:
    """A Hindi caller files a grievance on the ExoPhone with a recorded description; its id."""
    call = exotel_call(gateway)
    call.recording_host = host
    call.start()
    press(call, HINDI)
    for _ in range(3):  # first category, locality; then the description is asked
        call.answer("1")
    call.answer("सड़क पर गड्ढा है")
    call.answer("1")
    with gateway.ctx.sessions() as db:
        grievance = db.scalars(select(Grievance)).one()
        description = gateway.ctx.crypto.decrypt(grievance.description_enc)
        assert description == translate("hi", "ivr.recording")  # Hindi, not English; no URL
        return grievance.public_id


def test_an_exotel_recording_from_an_allowed_host_is_stored_and_shown_to_staff(
        tmp_path: Path, recordings: FakeRecordings) -> None:
    gateway = gateway_allowing(tmp_path, f"api.twilio.com,{recordings.origin}/calls/")
    try:
        gid = record_on_exotel(gateway, recordings.origin + "/calls")
        row = media(gateway, STORED)
        assert (row.content_type, row.size) == ("audio/mpeg", len(MP3))
        assert len(recordings.requests) == 1
        body = Staff(gateway, new_key(gateway)).get(gid).json()
        assert body["description"] == translate("hi", "ivr.recording")
        (attached,) = body["media"]
        assert attached["kind"] == "audio" and attached["status"] == STORED
        assert gateway.http.get(attached["url"]).content == MP3
        # the recording is the grievance's evidence, as a photo would be, with its link
        (reference,) = body["recordings"]
        assert reference.startswith(recordings.origin + "/calls")
        assert attached["evidence"] == "recording"
        listed = Staff(gateway, new_key(gateway)).search().json()["items"]
        assert [g["recordings"] for g in listed] == [[reference]]
        said = [line for line in body["transcript"] if line["media"]]
        assert [line["text"] for line in said] == [translate("hi", "ivr.recording")]
    finally:
        gateway.stop()


def test_a_recording_from_a_host_not_allowed_is_never_fetched(
        tmp_path: Path, recordings: FakeRecordings) -> None:
    gateway = gateway_allowing(tmp_path, f"api.twilio.com,{recordings.origin}/calls/")
    try:
        record_on_exotel(gateway, recordings.origin + "/elsewhere")  # same server, other path
        row = media(gateway, REFUSED)
        assert row.error_code == "media_host_refused"
        assert recordings.requests == []
    finally:
        gateway.stop()


def test_a_twilio_recording_is_copied_with_the_accounts_credentials(
        gateway: LiveGateway) -> None:
    call = twilio_call(gateway)
    call.start()
    press(call, HINDI)
    for _ in range(3):
        call.answer("1")
    call.answer("गली में तीन दिन से कचरा पड़ा है")
    call.answer("1")
    row = media(gateway, STORED)
    assert row.content_type == "audio/wav"


@pytest.mark.parametrize(("url", "ok"), [
    ("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", True),
    ("http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", False),
    ("https://api.twilio.com:8443/x", False),
    ("https://api.twilio.com.evil.example/x", False),
    ("https://user:pw@api.twilio.com/x", False),
    ("https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/acc/1.mp3", True),
    ("https://s3-ap-southeast-1.amazonaws.com/someone-else/1.mp3", False),
    ("http://169.254.169.254/latest/meta-data/", False),
    ("https://recordings.exotel.com/exotelrecordings/acc/1.mp3", True),
])
def test_the_default_allow_list(url: str, ok: bool) -> None:
    assert recording_allowed(url, make_settings(Path("/tmp"), 1).media_recording_hosts) is ok


def test_an_invalid_allow_list_entry_stops_startup(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid_recording_host"):
        make_settings(tmp_path, 1, media_recording_hosts="ftp://files.example")
