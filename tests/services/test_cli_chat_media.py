"""`nagarsetu chat` as a citizen on WhatsApp and Telegram: buttons tapped by number across
separate `--say` runs, `/location` and `/photo` in each provider's wire format, filed through
to the grievance; channels that cannot carry them say so and send nothing."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.media.models import STORED
from services.messaging.models import Message
from tests.services.grievances.citizen import Staff, new_key
from tests.services.media.conversation import JPEG, POINT, media_rows
from tests.support.gateway import LiveGateway

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")


class Citizen:
    """One number on one provider; every line is its own `nagarsetu chat --say` run."""

    def __init__(self, gateway: LiveGateway, channel: str, provider: str, sender: str) -> None:
        self.base = ["chat", "--channel", channel, "--provider", provider, "--from", sender,
                     "--gateway", gateway.base_url, "--wait", "10"]

    def say(self, text: str) -> str:
        """Run the CLI once with this line; what it printed."""
        result = CliRunner().invoke(app, [*self.base, "--say", text], terminal_width=200)
        assert result.exit_code == 0, result.output
        return result.output

    def tap(self, label: str, shown: str) -> str:
        """Tap the button shown as `[n] label` (in a new run), by typing its number."""
        found = re.search(r"\[(\d+)\] " + re.escape(label), shown)
        assert found is not None, shown
        return self.say(found[1])


def file_grievance(citizen: Citizen, photo: str) -> str:
    """English, a complaint of the first category, shared location, a description, a photo;
    the grievance number."""
    shown = citizen.tap("English", citizen.say("hi"))
    shown = citizen.tap("File a complaint", shown)
    shown = citizen.say("1")  # the first category
    assert "Share your location" in shown, shown
    shown = citizen.say(f"/location {POINT[0]},{POINT[1]}")
    if "[1] Yes" in shown:  # placed in a locality: confirm it
        shown = citizen.tap("Yes", shown)
    else:
        shown = citizen.say("1")
    shown = citizen.say("Garbage heap outside the school for a week")
    assert "photo" in shown, shown
    shown = citizen.say(photo)
    shown = citizen.tap("Yes", shown)
    found = GRIEVANCE_ID.search(shown)
    assert found is not None, shown
    return found[0]


def filed(gateway: LiveGateway, public_id: str) -> tuple[dict[str, Any], list[str | None]]:
    """The grievance's location as staff see it, and the types of its photos once copied."""
    body = Staff(gateway, new_key(gateway)).get(public_id).json()
    deadline = time.monotonic() + 15
    while True:
        rows = media_rows(gateway)
        if all(r.status == STORED for r in rows) or time.monotonic() > deadline:
            return dict(body["location"] or {}), [r.content_type for r in rows]
        time.sleep(0.1)


@pytest.mark.parametrize("provider", ["twilio-whatsapp", "whatsapp-cloud"])
def test_a_whatsapp_citizen_files_with_location_and_photo(gateway: LiveGateway, provider: str,
                                                          tmp_path: Path) -> None:
    picture = tmp_path / "pothole.jpg"
    picture.write_bytes(JPEG)
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    citizen = Citizen(gateway, "whatsapp", provider, number)
    public_id = file_grievance(citizen, f"/photo {picture}")
    location, media = filed(gateway, public_id)
    assert (location["lat"], location["lon"]) == POINT
    assert media == ["image/jpeg"]


def test_a_telegram_citizen_presses_share_location_in_a_later_run(gateway: LiveGateway) -> None:
    citizen = Citizen(gateway, "telegram", "telegram", str(10**9 + secrets.randbelow(10**9)))
    shown = citizen.tap("English", citizen.say("hi"))
    shown = citizen.tap("File a complaint", shown)
    shown = citizen.say("1")  # the first category
    shown = citizen.tap("📍 Share location", shown)  # a new run presses the earlier keyboard
    assert "Share your location" not in shown, shown  # taken: not asked again
    shown = citizen.tap("Yes", shown) if "[1] Yes" in shown else citizen.say("1")
    shown = citizen.say("Streetlight broken for a week")
    shown = citizen.say("/photo")  # a sample picture
    found = GRIEVANCE_ID.search(citizen.tap("Yes", shown))
    assert found is not None
    location, media = filed(gateway, found[0])
    assert "lat" in location  # the button shared a point, not the text "1"
    assert media == ["image/png"]


def test_whatsapp_buttons_show_as_numbers_in_brackets(gateway: LiveGateway) -> None:
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    shown = Citizen(gateway, "whatsapp", "twilio-whatsapp", number).say("hi")
    assert "[1] English" in shown and "#1" not in shown


@pytest.mark.parametrize(("channel", "line"), [
    ("sms", "/photo"), ("sms", "/location 31.62,74.87"), ("ivr", "/photo")])
def test_channels_without_photos_or_locations_say_so(gateway: LiveGateway, channel: str,
                                                     line: str) -> None:
    before = gateway.count(Message, Message.direction == "in")
    result = CliRunner().invoke(app, [
        "chat", "--channel", channel, "--from", "+9197" + str(secrets.randbelow(10**8)).zfill(8),
        "--gateway", gateway.base_url, "--say", line, "--wait", "0.5"], terminal_width=200)
    assert result.exit_code == 0, result.output
    kind = "photo" if line.startswith("/photo") else "location"
    assert f"cannot send a {kind}" in " ".join(result.output.split())
    if channel == "sms":
        assert gateway.count(Message, Message.direction == "in") == before  # nothing was sent


def test_a_photo_that_is_not_a_picture_is_not_sent(gateway: LiveGateway,
                                                   tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    number = "+9198" + str(secrets.randbelow(10**8)).zfill(8)
    shown = Citizen(gateway, "whatsapp", "whatsapp-cloud", number).say(f"/photo {notes}")
    assert "is not a JPEG, PNG or WebP picture" in " ".join(shown.split())
    assert gateway.count(Message, Message.direction == "in") == 0
