"""Outbound voice calls as campaign steps, through the voice simulators: an answered call
plays the campaign's message and is delivered; busy, unanswered and failed calls fail with
their reason, or go on to the next step (a voice call as the last resort)."""

from __future__ import annotations

import json
import time
from array import array
from typing import Any

import pytest
from sqlalchemy import select

from i18n import translate
from services.accounts.models import ChannelAccount
from services.audio import wav
from services.campaigns.models import CampaignSend
from services.voice.messages import upload
from tests.services.campaigns.test_api import CITY, key
from tests.services.voice.conftest import new_number
from tests.services.voice.test_outbound_calls import _ended, _phone
from tests.support.gateway import LiveGateway

TEXT = "Dear {name}, the vaccination camp is at {place} on Sunday."


def _account(gateway: LiveGateway, channel_type: str) -> str:
    with gateway.ctx.sessions() as db:
        return db.scalars(select(ChannelAccount.id).where(
            ChannelAccount.tenant_id == CITY,
            ChannelAccount.channel_type == channel_type)).one()


def _run(gateway: LiveGateway, name: str, steps: list[str],
         people: list[tuple[str, str]]) -> dict[str, Any]:
    """A campaign on these steps to (number, name) pairs, run to its end; its last answer."""
    officer = key(gateway, name=f"officer {name}")
    made = gateway.http.post("/api/v1/campaigns", headers=officer, json={
        "tenant": CITY, "name": name, "purpose": "transactional", "steps": steps,
        "content": {s: {"en": TEXT} for s in steps}})
    assert made.status_code == 201, made.text
    campaign = made.json()["id"]
    upload = "phone,name,place\n" + "".join(f"{n},{who},the school\n" for n, who in people)
    added = gateway.http.post(f"/api/v1/campaigns/{campaign}/audience.csv",
                              content=upload.encode(),
                              headers={**officer, "Content-Type": "text/csv"}).json()
    assert added["written"] == len(people), added
    for action in ("submit", "start"):
        answer = gateway.http.post(f"/api/v1/campaigns/{campaign}/{action}", headers=officer)
        assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + 40
    while True:
        now: dict[str, Any] = gateway.http.get(f"/api/v1/campaigns/{campaign}",
                                               headers=officer).json()
        waiting = now["counters"]["queued"] + now["counters"]["in_flight"]
        settled = now["counters"]["delivered"] + sum(now["counters"]["failed"].values())
        if now["status"] == "done" and not waiting and settled == len(people):
            return now
        assert time.monotonic() < deadline, json.dumps(now)
        time.sleep(0.2)


@pytest.mark.parametrize("sim", ["twilio-voice", "exotel-voice"])
def test_calls_answered_unanswered_and_busy_update_the_counters(gateway: LiveGateway,
                                                                sim: str) -> None:
    voice = _account(gateway, sim)
    answered, busy, silent, broken = (new_number() for _ in range(4))
    _phone(gateway, sim, answered, keys=("1",))
    _phone(gateway, sim, busy, answer="busy")
    _phone(gateway, sim, silent, answer="no-answer")
    _phone(gateway, sim, broken, answer="failed")
    final = _run(gateway, f"call-{sim}", [voice], [(answered, "Asha"), (busy, "Ravi"),
                                                   (silent, "Jas"), (broken, "Noor")])
    assert final["counters"]["delivered"] == 1
    assert final["counters"]["failed"] == {"call_busy": 1, "call_no_answer": 1,
                                           "call_failed": 1}
    call = _ended(gateway, sim, answered)
    heard = " ".join(call["heard"])
    assert heard.count("Dear Asha, the vaccination camp is at the school") == 2, heard
    assert translate("en", "ivr.again_hint").format(digit="1").rstrip(".") in heard
    with gateway.ctx.sessions() as db:
        row = db.scalars(select(CampaignSend).where(CampaignSend.campaign_id == final["id"],
                                                    CampaignSend.external_id == call["sid"]
                                                    )).one()
        assert row.status == "delivered" and (row.extra or {}).get("announce_plays") == 2


def test_a_busy_call_falls_back_to_the_last_resort_call(gateway: LiveGateway) -> None:
    first, last = _account(gateway, "exotel-voice"), _account(gateway, "twilio-voice")
    number = new_number()
    _phone(gateway, "exotel-voice", number, answer="busy")
    _phone(gateway, "twilio-voice", number)
    final = _run(gateway, "camp-fallback", [first, last], [(number, "Asha")])
    assert final["counters"]["delivered"] == 1 and final["counters"]["fallen_back"] == 1
    assert _ended(gateway, "exotel-voice", number)["status"] == "busy"
    heard = " ".join(_ended(gateway, "twilio-voice", number)["heard"])
    assert "Dear Asha, the vaccination camp" in heard


def test_a_campaign_call_plays_the_campaign_s_recording(gateway: LiveGateway) -> None:
    ctx = gateway.ctx
    with ctx.sessions() as db:  # the state's recording, for every city of it
        upload(db, ctx.media, ctx.crypto, tenant_id="pb", purpose="campaign.camp_rec",
               language="en", data=wav.encode(array("h", bytes(1600)), 16000),
               actor="staff:test")
        db.commit()
    number = new_number()
    _phone(gateway, "twilio-voice", number)
    final = _run(gateway, "camp-rec", [_account(gateway, "twilio-voice")], [(number, "Asha")])
    assert final["counters"]["delivered"] == 1
    heard = _ended(gateway, "twilio-voice", number)["heard"]
    assert len([h for h in heard if "/voice-messages/" in h]) == 1, heard
    assert not any("vaccination camp" in h for h in heard)  # the recording, not the text
