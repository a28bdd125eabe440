"""Outbound calls (a notice spoken to a citizen who cannot read), through the voice simulators.

The gateway queues the message on the city's voice account like any outbox row; delivery
places the call with the provider's API (the simulator's), the simulated phone answers (or
not) on its own thread, and the provider's status callbacks come back signed to the gateway.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from channels.contract import MessagePart
from i18n import translate
from services.accounts.models import ChannelAccount
from services.audio.store import ClipStore, audio_root
from services.contacts.service import get_or_create
from services.messaging.lanes import Lane
from services.messaging.models import Message
from services.messaging.outbox import queue_message
from services.voice.announce import MAX_PLAYS, VOICE_MESSAGE
from tests.services.voice.conftest import new_number
from tests.support.gateway import LiveGateway

JOINED = re.compile(r"\[plays audio ([a-z]+)/(prompt\.[0-9a-f]+)\]")
NOTICE = "Water supply in ward 7 will be off on Friday from 10 to 2."
CITY = "pb.amritsar"


def _queue(gateway: LiveGateway, channel_type: str, number: str, *, language: str = "en",
           parts: tuple[MessagePart, ...] = (), extras: dict[str, Any] | None = None) -> str:
    """Queue the notice on the city's voice account; the message id (delivery starts)."""
    ctx = gateway.ctx
    with ctx.sessions() as db:
        account = db.scalar(select(ChannelAccount).where(
            ChannelAccount.tenant_id == CITY, ChannelAccount.channel_type == channel_type))
        assert account is not None
        contact = get_or_create(db, ctx.crypto, CITY, f"tel:{number}")
        outbox_id = queue_message(db, ctx.crypto, account=account, contact=contact,
                                  text=NOTICE, language=language, parts=parts,
                                  lane=Lane.BULK)
        row = db.scalar(select(Message).where(Message.contact_id == contact.id,
                                              Message.direction == "out"))
        assert row is not None
        if extras:
            row.extras = {**row.extras, **extras}
        db.commit()
        message_id = row.id
    ctx.dispatcher.enqueue([outbox_id])
    return message_id


def _phone(gateway: LiveGateway, sim: str, number: str, answer: str = "answered",
           keys: tuple[str, ...] = ()) -> None:
    response = gateway.http.put(f"/sim/{sim}/phones/{number}",
                                json={"answer": answer, "keys": list(keys)})
    assert response.status_code == 200, response.text


def _words(gateway: LiveGateway, heard: list[str]) -> list[str]:
    """What was heard, joined clips (Exotel plays one file a prompt) read back as words."""
    store = ClipStore(audio_root(gateway.settings))
    out = []
    for item in heard:
        found = JOINED.fullmatch(item)
        out.append(store.said(found[1], found[2]) or item if found else item)
    return out


def _ended(gateway: LiveGateway, sim: str, number: str, timeout: float = 20.0) -> dict[str, Any]:
    """The phone's one call, once it is over (joined clips read back as their words)."""
    deadline = time.monotonic() + timeout
    while True:
        calls = gateway.http.get(f"/sim/{sim}/phones/{number}/calls").json()["calls"]
        if calls and calls[-1]["status"] is not None:
            assert len(calls) == 1, calls
            return {**calls[0], "heard": _words(gateway, calls[0]["heard"])}
        assert time.monotonic() < deadline, f"no finished call to {number}: {calls}"
        time.sleep(0.05)


def _status(gateway: LiveGateway, message_id: str, want: str,
            timeout: float = 10.0) -> tuple[str, str | None, str | None]:
    """The message's status, error code and external id once its status is `want`."""
    deadline = time.monotonic() + timeout
    while True:
        with gateway.ctx.sessions() as db:
            row = db.get(Message, message_id)
            assert row is not None
            got = (row.status, row.error_code, row.external_id)
        if got[0] == want or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


SIMS = {"twilio-voice": "twilio-voice", "exotel-voice": "exotel-voice"}


@pytest.mark.parametrize("channel_type", sorted(SIMS))
def test_an_answered_call_speaks_the_message_and_is_delivered(
        gateway: LiveGateway, channel_type: str) -> None:
    number = new_number()
    _phone(gateway, SIMS[channel_type], number, keys=("1",))
    message_id = _queue(gateway, channel_type, number)
    call = _ended(gateway, SIMS[channel_type], number)
    heard = " ".join(call["heard"])
    assert heard.count("Water supply in ward 7") == 2, heard  # heard, then again after 1
    assert translate("en", "ivr.menu_hint") in heard
    assert call["status"] == "completed"
    status, error, external = _status(gateway, message_id, "delivered")
    assert (status, error, external) == ("delivered", None, call["sid"])


@pytest.mark.parametrize("channel_type", sorted(SIMS))
@pytest.mark.parametrize(("answer", "code"), [("no-answer", "call_no_answer"),
                                              ("busy", "call_busy"),
                                              ("failed", "call_failed")])
def test_an_unanswered_call_fails_with_the_reason(gateway: LiveGateway, channel_type: str,
                                                  answer: str, code: str) -> None:
    number = new_number()
    _phone(gateway, SIMS[channel_type], number, answer=answer)
    message_id = _queue(gateway, channel_type, number)
    call = _ended(gateway, SIMS[channel_type], number)
    assert call["status"] == answer and call["heard"] == []
    assert _status(gateway, message_id, "failed")[:2] == ("failed", code)


@pytest.mark.parametrize("channel_type", sorted(SIMS))
def test_0_leaves_the_message_for_the_ivr_menu(gateway: LiveGateway, channel_type: str) -> None:
    number = new_number()
    # the menu, then help behind "more options" (file, track, pay, payments come first)
    _phone(gateway, SIMS[channel_type], number, keys=("0", "5", "2"))
    message_id = _queue(gateway, channel_type, number)
    call = _ended(gateway, SIMS[channel_type], number)
    heard = " ".join(call["heard"])
    assert heard.count("Water supply in ward 7") == 1
    assert translate("en", "menu.prompt") in heard  # in the message's language
    assert translate("en", "voice.help.text")[:30] in heard, heard
    assert _status(gateway, message_id, "delivered")[0] == "delivered"
    with gateway.ctx.sessions() as db:  # the IVR ran on the same call, as the citizen's
        replies = db.scalars(select(func.coalesce(Message.external_id, "")).where(
            Message.external_id.like(f"{call['sid']}:%"), Message.direction == "out"))
        logged = sorted(replies)  # the menu's answer first, then what the keys led to
        assert logged[0] == f"{call['sid']}:0" and len(logged) >= 2


def test_the_message_is_played_at_most_max_plays_times(gateway: LiveGateway) -> None:
    number = new_number()
    _phone(gateway, "twilio-voice", number, keys=("1",) * (MAX_PLAYS + 2))
    _queue(gateway, "twilio-voice", number)
    heard = " ".join(_ended(gateway, "twilio-voice", number)["heard"])
    assert heard.count("Water supply in ward 7") == MAX_PLAYS
    assert translate("en", "ivr.goodbye") in heard


def test_a_language_without_provider_tts_plays_the_offline_clips(gateway: LiveGateway) -> None:
    number = new_number()
    _phone(gateway, "twilio-voice", number)
    message_id = _queue(gateway, "twilio-voice", number, language="or",
                        parts=(MessagePart("optout.started"),))
    heard = _ended(gateway, "twilio-voice", number)["heard"]
    assert heard and all(h.startswith("[plays clip or/") for h in heard), heard
    assert any("ivr.again_hint" in h for h in heard)
    assert _status(gateway, message_id, "delivered")[0] == "delivered"


def test_a_recorded_voice_message_is_played(gateway: LiveGateway) -> None:
    from array import array

    from services.audio import wav
    from services.voice.messages import upload

    ctx = gateway.ctx
    with ctx.sessions() as db:
        upload(db, ctx.media, ctx.crypto, tenant_id="pb", purpose="water_cut", language="hi",
               data=wav.encode(array("h", bytes(1600)), 16000), actor="staff:test")
        db.commit()
    number = new_number()
    _phone(gateway, "twilio-voice", number)
    _queue(gateway, "twilio-voice", number, language="hi", extras={VOICE_MESSAGE: "water_cut"})
    heard = _ended(gateway, "twilio-voice", number)["heard"]
    played = [h for h in heard if "/voice-messages/" in h]
    assert len(played) == 1, heard
    url = played[0].removeprefix("[plays ").removesuffix("]")
    audio = gateway.http.get(url)
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert translate("hi", "ivr.menu_hint") in " ".join(heard)
    forged = gateway.http.get(url.replace("sig=", "sig=0"))
    assert forged.status_code in (403, 422)
