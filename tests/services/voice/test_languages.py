"""A whole grievance call in Tamil, Bengali and Urdu (Hindi is in test_twilio_calls.py).

Tamil and Bengali are spoken by the provider's voices; Urdu has none, so every prompt is played
from the offline clips — which must exist for the call to work.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from i18n import translate
from services.audio.render import build
from services.audio.store import ClipStore, audio_root
from services.grievances.models import Grievance
from tests.services.audio.conftest import require_espeak
from tests.services.voice.conftest import inbox, new_number, press, twilio_call
from tests.support.gateway import LiveGateway

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
SPELLED_ID = re.compile(r"P B, A M R, (\d \d \d \d), (\d \d \d \d \d \d)")
MENU_KEY = {"ur": ("9", "3"), "bn": ("9", "4"), "ta": ("9", "5", "1")}
"""Keys to a language: English (the default) alone, "9" for the others, four at a time."""
SCRIPT = {"ta": re.compile(r"[\u0B80-\u0BFF]"), "bn": re.compile(r"[\u0980-\u09FF]"),
          "ur": re.compile(r"[\u0600-\u06FF]")}


@pytest.mark.parametrize("code", ["ta", "bn", "ur"])
def test_a_call_files_a_grievance_in(gateway: LiveGateway, code: str) -> None:
    spoken = code != "ur"
    if not spoken:
        require_espeak()
        build(ClipStore(audio_root(gateway.settings)), [code])
    caller = new_number()
    call = twilio_call(gateway, caller=caller)
    call.start()
    menu = " ".join(press(call, MENU_KEY[code]))
    if spoken:
        assert translate(code, "menu.prompt") in menu
    else:
        assert f"[plays clip {code}/" in menu and "http" not in menu
    call.answer("1")  # file a grievance
    call.answer("1")  # the first category
    ask = call.answer("1")  # the first locality: now record a description
    assert ask[-1] == "[beep]"
    call.answer("recorded description")
    filed = " ".join(call.answer("1"))  # confirm
    if spoken:
        assert SPELLED_ID.search(filed), filed  # the number, digit by digit
        assert translate(code, "ivr.sms_copy") in filed
    else:
        assert "[plays clip ur/digit." in filed  # the number, digit by digit, from clips

    with gateway.ctx.sessions() as db:
        grievance = db.scalars(select(Grievance).where(Grievance.channel == "voice")
                               .order_by(Grievance.created_at.desc())).first()
        assert grievance is not None
        public_id = grievance.public_id
    (sms,) = inbox(gateway, caller)  # the number confirmed by SMS, in the caller's language
    assert GRIEVANCE_ID.search(sms) and GRIEVANCE_ID.search(sms).group() == public_id
    assert SCRIPT[code].search(sms)
