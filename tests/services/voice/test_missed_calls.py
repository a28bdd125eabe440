"""Missed calls: which account answers, and the simulators' own HTTP APIs."""

from __future__ import annotations

from sqlalchemy import select

from channels.contract import Medium
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.accounts.service import messaging_account
from services.messaging.models import Message
from tests.services.voice.conftest import add_account, messages, new_number, twilio_call
from tests.support.gateway import LiveGateway


def _replies_to_caller(gateway: LiveGateway, account_id: str) -> list[str]:
    """Channel types of the accounts that wrote to the caller after the missed call."""
    with gateway.ctx.sessions() as db:
        contact_ids = [m.contact_id for m in messages(gateway, account_id, "in")]
        rows = db.execute(select(ChannelAccount.channel_type).join(
            Message, Message.account_id == ChannelAccount.id).where(
            Message.direction == "out", Message.contact_id.in_(contact_ids))).scalars()
        return list(rows)


def test_a_missed_call_can_be_answered_on_whatsapp(gateway: LiveGateway) -> None:
    missed = add_account(gateway, "twilio-voice", {
        "account_sid": "AC" + "3" * 32, "auth_token": "4" * 32, "address": "+15005550013",
        "missed_call": True, "missed_call_reply_channel": "whatsapp"})
    twilio_call(gateway, caller=new_number(), account=missed).start()
    with gateway.ctx.sessions() as db:
        whatsapp = messaging_account(db, "pb.amritsar", Medium.WHATSAPP)
        expected = [whatsapp.channel_type] if whatsapp is not None else []
    assert _replies_to_caller(gateway, missed["id"]) == expected
    assert all(adapter_class(t).medium is Medium.WHATSAPP for t in expected)


def test_an_unknown_reply_channel_means_sms(gateway: LiveGateway) -> None:
    missed = add_account(gateway, "twilio-voice", {
        "account_sid": "AC" + "9" * 32, "auth_token": "a" * 32, "address": "+15005550014",
        "missed_call": True, "missed_call_reply_channel": "fax"})
    twilio_call(gateway, caller=new_number(), account=missed).start()
    (channel_type,) = _replies_to_caller(gateway, missed["id"])
    assert adapter_class(channel_type).medium is Medium.SMS


def test_the_voice_simulator_places_calls_over_http(gateway: LiveGateway) -> None:
    acc = gateway.account("twilio-voice")
    placed = gateway.http.post("/sim/twilio-voice/calls", json={
        **{k: acc[k] for k in ("webhook_url", "account_sid", "auth_token", "address")},
        "caller": new_number()}).json()
    assert placed["waiting_for"] == "Gather" and placed["ended"] is None
    assert "Please choose your language." in placed["heard"][0]
    answered = gateway.http.post(f"/sim/twilio-voice/calls/{placed['sid']}/input",
                                 json={"text": "hangup"}).json()
    assert answered["ended"] == "completed"
    again = gateway.http.post(f"/sim/twilio-voice/calls/{placed['sid']}/input",
                              json={"text": "1"})
    assert again.status_code == 409
    assert gateway.http.post("/sim/twilio-voice/calls/nope/input",
                             json={"text": "1"}).status_code == 404


def test_the_exotel_simulator_lists_the_flow_to_build(gateway: LiveGateway) -> None:
    acc = gateway.account("exotel-voice")
    applets = gateway.http.get(f"/sim/exotel-voice/flow/{acc['id']}").json()["applets"]
    assert [a["applet"] for a in applets][:2] == ["Passthru", "Gather (dynamic URL)"]
    assert acc["token"] not in str(applets)


def test_a_caller_who_rings_again_and_again_gets_one_sms_in_the_window(
        gateway: LiveGateway) -> None:
    missed = add_account(gateway, "twilio-voice", {
        "account_sid": "AC" + "5" * 32, "auth_token": "6" * 32, "address": "+15005550015",
        "missed_call": True})
    pumper, other = new_number(), new_number()
    for _ in range(4):
        twilio_call(gateway, caller=pumper, account=missed).start()
    twilio_call(gateway, caller=other, account=missed).start()
    calls = messages(gateway, missed["id"], "in")
    assert len({m.contact_id for m in calls}) == 2 and len(calls) >= 5  # every call logged
    with gateway.ctx.sessions() as db:
        replied = db.scalars(select(Message.contact_id).where(
            Message.direction == "out",
            Message.contact_id.in_([m.contact_id for m in calls]))).all()
    assert len(replied) == 2  # one SMS each: the pumper's three repeats cost nothing
    assert len(set(replied)) == 2
