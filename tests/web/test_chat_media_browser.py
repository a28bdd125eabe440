"""A grievance filed from the web chat with a photo (file picker) and a location (geolocation)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from services.grievances.models import Grievance
from services.media.models import STORED, MediaObject
from tests.web.conftest import PHONE, Chat

pytestmark = pytest.mark.browser

NUMBER = re.compile(r"PB-AMR-\d{4}-\d{6}")
GOLDEN_TEMPLE = {"latitude": 31.6200, "longitude": 74.8765}


def photo(tmp_path: Path, name: str = "pothole.jpg", size: int = 64) -> Path:
    """A real little JPEG, as a phone's camera would give (smaller)."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (120, 90, 60)).save(buffer, format="JPEG")
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def to_the_location_question(chat: Chat) -> None:
    """English, file a complaint, the first category: the bot asks where it is."""
    chat.open()
    chat.click(chat.button("English"))
    chat.click(chat.option("grievance"))
    chat.click(chat.active.first)
    expect(chat.bot.last).to_contain_text("Share your location")


def test_file_a_grievance_with_a_location_and_a_photo(chat: Chat, tmp_path: Path) -> None:
    """Share my location → the list → a description → Add a photo → yes: both are kept."""
    chat.viewport = PHONE
    chat.permissions = ["geolocation"]
    chat.geolocation = GOLDEN_TEMPLE
    to_the_location_question(chat)
    page = chat.page
    expect(page.locator("#photo")).to_be_hidden()
    share = chat.option("__location__")
    expect(share).to_have_text("Share location")
    chat.click(share)  # the page answers with the browser's position
    expect(chat.mine.last).to_contain_text("My location")
    while not page.locator("#photo").is_visible():  # the locality list, then the description
        if chat.bot.last.locator("button.choice:enabled").count():
            chat.click(chat.active.first)
        else:
            chat.say("A deep pothole by the gate, two scooters fell today")
    expect(chat.bot.last).to_contain_text("photo")
    chat.screenshot("media-photo-question-phone")
    seen = chat.bot.count()
    with page.expect_file_chooser() as chooser:
        page.locator("#photo").click()
    chooser.value.set_files(str(photo(tmp_path)))
    chat.wait_reply(seen)
    expect(chat.mine.last).to_contain_text("Photo")
    expect(chat.option("yes")).to_be_visible()
    filed = chat.click(chat.option("yes"))
    expect(filed).to_contain_text(NUMBER)
    chat.screenshot("media-filed-phone")
    chat.gateway.settle()
    with chat.gateway.ctx.sessions() as db:
        grievance = db.scalars(select(Grievance)).one()
        evidence = chat.gateway.ctx.crypto.decrypt_json(grievance.evidence_enc)
        stored = db.scalars(select(MediaObject)).all()
    assert evidence["location"]["lat"] == pytest.approx(GOLDEN_TEMPLE["latitude"])
    assert evidence["location"]["lon"] == pytest.approx(GOLDEN_TEMPLE["longitude"])
    assert [(m.status, m.content_type) for m in stored] == [(STORED, "image/jpeg")]


def test_refused_location_falls_back_to_typing(chat: Chat) -> None:
    """Geolocation denied: the page says so and the citizen types a landmark instead."""
    chat.viewport = PHONE
    to_the_location_question(chat)  # no geolocation permission in this profile
    chat.option("__location__").click()
    expect(chat.page.locator("#banner-text")).to_contain_text("type a nearby landmark")
    expect(chat.page.locator("#input")).to_be_focused()
    reply = chat.say("Behind the Golden Temple bus stand")
    expect(reply).not_to_contain_text("Share your location")


def test_the_photo_picker_refuses_what_is_not_a_photo(chat: Chat, tmp_path: Path) -> None:
    """A PDF named .jpg is refused by the gateway (bytes, not names), nothing is sent."""
    chat.viewport = PHONE
    to_the_location_question(chat)
    chat.click(chat.active.filter(has_text="Skip"))
    while not chat.page.locator("#photo").is_visible():
        if chat.bot.last.locator("button.choice:enabled").count():
            chat.click(chat.active.first)
        else:
            chat.say("Street light broken for a week")
    fake = tmp_path / "not-a-photo.jpg"
    fake.write_bytes(b"%PDF-1.4 not a photo at all")
    sent = chat.mine.count()
    with chat.page.expect_file_chooser() as chooser:
        chat.page.locator("#photo").click()
    chooser.value.set_files(str(fake))
    expect(chat.page.locator("#banner-text")).to_contain_text("Please choose a photo")
    assert chat.mine.count() == sent
