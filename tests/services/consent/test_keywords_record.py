"""STOP and START in every language, and on a live channel: recorded as consent, confirmed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from i18n import LANGUAGES, translate
from i18n.normalize import Keyword, keyword, keyword_words
from services.consent.models import ANY, ConsentRecord
from services.contacts.models import Contact
from tests.support.gateway import LiveGateway, SmsPhone

ALL = sorted(LANGUAGES)


def test_all_thirteen_languages_are_checked() -> None:
    assert ALL == ["as", "bn", "en", "gu", "hi", "kn", "ml", "mr", "or", "pa", "ta", "te", "ur"]


@pytest.mark.parametrize("code", ALL)
def test_every_language_stops_and_starts_and_confirms_in_its_own_words(code: str) -> None:
    for kw in (Keyword.STOP, Keyword.START):
        words = keyword_words(code, kw)
        assert words, f"{code} has no {kw.value} word"
        assert all(keyword(word) is kw for word in words)
    for key in ("optout.stopped", "optout.started"):
        said = translate(code, key)
        assert said and said != key
        assert code == "en" or said != translate("en", key)  # a real translation


def _records(gateway: LiveGateway, number: str) -> list[tuple[str, str, bool, str]]:
    ctx = gateway.ctx
    with ctx.sessions() as db:
        contact_ids = [c.id for c in db.scalars(select(Contact))
                       if ctx.crypto.decrypt(c.urn_enc) == f"tel:{number}"]
        rows = db.execute(select(ConsentRecord.purpose, ConsentRecord.channel,
                                 ConsentRecord.granted, ConsentRecord.source)
                          .where(ConsentRecord.contact_id.in_(contact_ids))
                          .order_by(ConsentRecord.at, ConsentRecord.id)).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_stop_and_start_by_sms_are_recorded_and_confirmed(gateway: LiveGateway) -> None:
    phone = SmsPhone(gateway)
    stopped = phone.chat("बंद")
    assert any(translate(code, "optout.stopped") in stopped for code in ALL)
    assert _records(gateway, phone.number) == [(ANY, ANY, False, "keyword:sms")]
    started = phone.chat("START")
    assert any(translate(code, "optout.started") in started for code in ALL)
    assert _records(gateway, phone.number) == [(ANY, ANY, False, "keyword:sms"),
                                               (ANY, ANY, True, "keyword:sms")]
