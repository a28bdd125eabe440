"""WhatsApp Cloud as citizens meet it: at the location question only "skip" is numbered (the
send-location button is WhatsApp's own), so typing 1 skips; misses at the photo question keep
the draft, and the grievance is filed after them."""

from __future__ import annotations

import pytest

from i18n import translate
from tests.services.media.conversation import (
    DESCRIPTION,
    GRIEVANCE_ID,
    cloud_phone,
    one_reply,
    tap,
)
from tests.support.gateway import LiveGateway


@pytest.mark.parametrize("code", ["hi", "pa"])
def test_one_skips_and_misses_keep_the_draft(gateway: LiveGateway, code: str) -> None:
    phone = cloud_phone(gateway)
    one_reply(phone, "hi")
    tap(phone, code)
    tap(phone, "grievance")
    where = tap(phone, phone.options[0]["id"])
    assert where.endswith("[📍]")
    assert f"1. {translate(code, 'common.skip')}" in where  # the numbering shown
    after = one_reply(phone, "1")  # typed, as on a phone: no button carries a number
    assert translate(code, "grievance.location_hint") not in after
    assert translate(code, "grievance.ask_locality") in after
    tap(phone, phone.options[0]["id"])
    asked = one_reply(phone, DESCRIPTION)
    assert translate(code, "grievance.ask_photo") in asked
    for _ in range(4):
        again = one_reply(phone, "a photo later")
        assert translate(code, "grievance.ask_photo") in again
        assert translate(code, "error.too_many") not in again
    confirm = tap(phone, "skip")
    assert DESCRIPTION in confirm
    assert GRIEVANCE_ID.search(tap(phone, "yes"))
