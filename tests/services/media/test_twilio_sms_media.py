"""An MMS photo (Twilio's MediaUrl0) is copied with the account's credentials, only from an
allowed host, within the size and type limits."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from channels.errors import ConfigError
from channels.twilio_sms.adapter import Adapter
from services.accounts.models import ChannelAccount
from services.media.copier import read
from services.media.hosts import allowed
from services.media.models import MISSING, REFUSED, STORED, MediaObject
from tests.services.media.conversation import JPEG
from tests.services.media.fake_twilio import FakeMedia, fake_twilio_media
from tests.support.gateway import LiveGateway, SmsPhone


def _use_api(gateway: LiveGateway, account_id: str, api_base: str) -> None:
    """Point the SMS account's API base at the fake."""
    crypto = gateway.ctx.crypto
    with gateway.ctx.sessions() as db:
        row = db.get_one(ChannelAccount, account_id)
        row.config_enc = crypto.encrypt_json({**crypto.decrypt_json(row.config_enc),
                                              "api_base": api_base})
        db.commit()


def _mms(phone: SmsPhone, url: str) -> None:
    """A signed inbound MMS with one photo."""
    form = {**phone.form("photo of the garbage"), "NumMedia": "1", "MediaUrl0": url,
            "MediaContentType0": "image/jpeg"}
    assert phone.post(form).status_code == 200


def _wait(gateway: LiveGateway, count: int, timeout: float = 15.0) -> list[MediaObject]:
    """The media rows once `count` of them are settled (not pending)."""
    deadline = time.monotonic() + timeout
    while True:
        with gateway.ctx.sessions() as db:
            rows = list(db.scalars(select(MediaObject).order_by(MediaObject.created_at)))
            db.expunge_all()
        if len(rows) >= count and all(r.status != "pending" for r in rows):
            return rows
        assert time.monotonic() < deadline, [(r.status, r.error_code) for r in rows]
        time.sleep(0.1)


def _url(fake: FakeMedia, base: str, media: str) -> str:
    return f"{base}/2010-04-01/Accounts/{fake.account_sid}/Messages/MM{media}/Media/{media}"


def test_an_mms_photo_is_copied_with_the_accounts_credentials(gateway: LiveGateway,
                                                              phone: SmsPhone) -> None:
    sid, token = phone.account["account_sid"], phone.account["auth_token"]
    with fake_twilio_media(sid, token) as fake:
        _use_api(gateway, phone.account["id"], fake.base)
        fake.files["ME1"] = (JPEG, "image/jpeg")
        fake.files["ME2"] = (b"MZ\x90\x00 not a photo", "image/jpeg")  # the type is sniffed
        _mms(phone, _url(fake, fake.base, "ME1"))
        (row,) = _wait(gateway, 1)
        assert (row.status, row.content_type, row.size) == (STORED, "image/jpeg", len(JPEG))
        assert read(gateway.ctx, row) == JPEG
        api, store = fake.seen[0], fake.seen[1]
        assert api[1] is not None and api[1].startswith("Basic ")
        assert store == ("/store/ME1", None)  # the credentials stay on the API host
        _mms(phone, _url(fake, fake.base, "ME2"))
        assert [(r.status, r.error_code) for r in _wait(gateway, 2)][1] == (
            REFUSED, "media_type_refused")
        before = len(fake.seen)
        _mms(phone, _url(fake, "https://media.attacker.example", "ME1"))
        third = _wait(gateway, 3)[2]
        assert (third.status, third.error_code) == (MISSING, "media_host_not_allowed")
        assert len(fake.seen) == before  # nothing was fetched, no credentials sent anywhere


def test_the_adapter_refuses_foreign_urls_and_oversized_files() -> None:
    with fake_twilio_media("AC" + "1" * 32, "token") as fake:
        fake.files["ME9"] = (JPEG * 10, "image/jpeg")
        sms = Adapter({"account_sid": fake.account_sid, "auth_token": "token",
                       "address": "+15005550006", "api_base": fake.base})
        try:
            assert sms.fetch_media(_url(fake, fake.base, "ME9")).content == JPEG * 10
            other = _url(fake, fake.base, "ME9").replace(fake.account_sid, "AC" + "2" * 32)
            with pytest.raises(ConfigError, match="media_url_foreign"):
                sms.fetch_media(other)
            wrong = Adapter({**sms.config, "auth_token": "wrong"})
            with pytest.raises(ConfigError, match="media http 401"):
                wrong.fetch_media(_url(fake, fake.base, "ME9"))
            wrong.close()
        finally:
            sms.close()


def test_the_host_allow_list() -> None:
    hosts = ["api.twilio.com", "*.exotel.example"]
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    assert allowed(url, hosts)
    assert not allowed(url.replace("https", "http"), hosts)  # never in clear
    assert not allowed("https://api.twilio.com.attacker.example/x", hosts)
    assert not allowed("https://user:pw@api.twilio.com/x", hosts)
    assert allowed("https://recordings.exotel.example/a.mp3", hosts)
    assert not allowed("https://exotel.example/a.mp3", hosts)
    assert not allowed("http://127.0.0.1:8000/x", hosts)
    assert allowed("http://127.0.0.1:8000/x", hosts, loopback=True)  # development only
    assert not allowed("not a url", hosts) and not allowed("https://[::1/x", hosts)
