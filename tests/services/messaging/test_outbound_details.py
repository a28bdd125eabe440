"""What delivery hands an adapter beyond text: the catalog parts, and the session window."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from channels.twilio_sms.adapter import Adapter as TwilioSms
from services.accounts.models import ChannelAccount
from services.db.base import utcnow
from services.messaging.models import Message
from services.messaging.prepare import _parts, window_open
from tests.support.gateway import LiveGateway, SmsPhone

DESCRIPTION = "Overflowing garbage bin near the school gate"


def test_parts_name_the_catalog_messages_and_stay_encrypted(gateway: LiveGateway,
                                                            phone: SmsPhone) -> None:
    for text in ("hi", "1", "1", "1", "1", DESCRIPTION):
        phone.chat(text)
    with gateway.ctx.sessions() as db:
        confirm = db.query(Message).filter_by(direction="out").order_by(
            Message.created_at.desc()).first()
        assert confirm is not None
        parts = _parts(gateway.ctx.crypto, confirm)
        assert DESCRIPTION not in json.dumps(confirm.extras)
    assert parts[-1].key == "grievance.confirm"
    assert parts[-1].params["description"] == DESCRIPTION
    assert set(parts[-1].params) == {"category", "locality", "description"}


def test_window_is_open_only_within_the_channels_hours(gateway: LiveGateway, phone: SmsPhone,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    phone.chat("hi")
    monkeypatch.setattr(TwilioSms, "capabilities",
                        replace(TwilioSms.capabilities, session_window_hours=24))
    with gateway.ctx.sessions() as db:
        account = db.query(ChannelAccount).filter_by(channel_type="twilio-sms").one()
        inbound = db.query(Message).filter_by(direction="in").one()
        assert window_open(db, account, inbound.contact_id)
        inbound.created_at = utcnow() - timedelta(hours=25)
        db.flush()
        assert not window_open(db, account, inbound.contact_id)
        assert not window_open(db, account, "someone-who-never-wrote")
    monkeypatch.undo()
    with gateway.ctx.sessions() as db:
        assert window_open(db, account, "someone-who-never-wrote")  # SMS has no window
