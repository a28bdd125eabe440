"""Citizens filing a grievance with a photo on the simulated channels, and the staff view."""

from __future__ import annotations

import re
import secrets
from typing import Any

from channels.registry import terminal_phone
from channels.telegram.phone import TerminalPhone as TelegramPhone
from channels.telegram.phone import buttons_of
from channels.twilio_whatsapp.phone import TerminalPhone as TwilioPhone
from channels.whatsapp_cloud.phone import TerminalPhone as CloudPhone
from services.media.models import MediaObject
from tests.support.gateway import LiveGateway

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
DESCRIPTION = "Garbage heap outside the school for a week"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256))
"""The start of a real JFIF file (what the magic-number check reads), then some bytes."""
POINT = (31.6200, 74.8765)


def one_reply(phone: Any, text: str | None = None) -> str:
    """Send (unless None) and wait for the turn's one reply."""
    if text is not None:
        phone.send(text)
    replies = phone.receive(timeout=15)
    assert len(replies) == 1, replies
    return str(replies[0])


def tap(phone: CloudPhone, option_id: str) -> str:
    """Tap the WhatsApp button or list row with this id; the reply."""
    ids = [o["id"] for o in phone.options]
    assert option_id in ids, ids
    return one_reply(phone, str(ids.index(option_id) + 1))


def cloud_phone(gateway: LiveGateway, name: str = "Harpreet Kaur") -> CloudPhone:
    """A citizen on the demo city's WhatsApp Cloud number, with a profile name."""
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("whatsapp-cloud", gateway.base_url, number,
                           gateway.account("whatsapp-cloud"))
    assert isinstance(phone, CloudPhone)
    phone.name = name
    return phone


def file_on_cloud(phone: CloudPhone, photo: bytes = JPEG, mime: str = "image/jpeg") -> str:
    """English, first category, a shared point (asked before the list), the placed or first
    locality, a description, a photo."""
    one_reply(phone, "hi")
    tap(phone, "en")
    tap(phone, "grievance")
    where = tap(phone, phone.options[0]["id"])
    assert where.endswith("[📍]")
    one_reply(phone, f"/location {POINT[0]},{POINT[1]}")
    ids = [o["id"] for o in phone.options]
    tap(phone, "yes" if "yes" in ids else ids[0])  # confirm where it was placed, or the list
    one_reply(phone, DESCRIPTION)
    assert [o["id"] for o in phone.options] == ["skip"]
    phone.send_photo(photo, mime)
    assert DESCRIPTION in one_reply(phone)
    found = GRIEVANCE_ID.search(tap(phone, "yes"))
    assert found is not None
    return found.group(0)


def press(phone: TelegramPhone, data: str | None = None) -> str:
    """Press the Telegram button with this callback data (the first when None); the reply."""
    assert phone.last is not None
    buttons = buttons_of(phone.last)
    index = 1 if data is None else next(
        i for i, b in enumerate(buttons, start=1) if b.get("callback_data") == data)
    phone.press(index)
    return one_reply(phone)


def file_on_telegram(gateway: LiveGateway) -> str:
    """The same conversation on Telegram: buttons, a skipped location, a photo."""
    phone = terminal_phone("telegram", gateway.base_url, str(10**9 + secrets.randbelow(10**9)),
                           gateway.account("telegram"))
    assert isinstance(phone, TelegramPhone)
    one_reply(phone, "hi")
    press(phone, data="en")
    press(phone, data="grievance")
    press(phone)  # first category
    one_reply(phone, "Opposite the water tank")  # a typed landmark for the location
    press(phone)  # first locality
    one_reply(phone, DESCRIPTION)
    phone.send_photo(JPEG)
    assert DESCRIPTION in one_reply(phone)
    found = GRIEVANCE_ID.search(press(phone, data="yes"))
    assert found is not None
    return found.group(0)


def twilio_phone(gateway: LiveGateway) -> TwilioPhone:
    """A citizen on the demo city's Twilio WhatsApp sender."""
    number = "+9197" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("twilio-whatsapp", gateway.base_url, "whatsapp:" + number,
                           gateway.account("twilio-whatsapp"))
    assert isinstance(phone, TwilioPhone)
    return phone


def media_rows(gateway: LiveGateway) -> list[MediaObject]:
    """Every media row, oldest first."""
    with gateway.ctx.sessions() as db:
        rows = list(db.query(MediaObject).order_by(MediaObject.created_at))
        db.expunge_all()
    return rows
