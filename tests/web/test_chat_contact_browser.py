"""The web chat's header tells a citizen how to reach the city, in the page's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.tenancy.admin import TenantFields, update_tenant
from services.tenancy.models import Tenant
from tests.support.gateway import LiveGateway
from tests.web.conftest import PHONE, Chat

pytestmark = pytest.mark.browser


def _give_contact(gateway: LiveGateway) -> None:
    """Amritsar's helpline and office hours (in English and Hindi)."""
    with gateway.ctx.sessions() as db:
        update_tenant(db, db.get_one(Tenant, "pb.amritsar"), TenantFields(
            phone="0183 240 2222",
            hours={"en": "Mon-Sat 9:00-17:00", "hi": "सोम-शनि 9:00-17:00"}), actor="test")
        db.commit()


def test_a_city_without_contact_details_shows_none(chat: Chat) -> None:
    chat.open()
    expect(chat.page.locator("#contact")).to_be_hidden()


def test_the_header_shows_the_helpline_and_hours_and_follows_the_language(chat: Chat) -> None:
    _give_contact(chat.gateway)
    chat.viewport = PHONE
    chat.open()
    header = chat.page.locator("#contact")
    expect(header).to_be_visible()
    expect(header).to_contain_text("Phone: +911832402222")
    expect(header).to_contain_text("Hours: Mon-Sat 9:00-17:00")
    chat.click(chat.button("हिन्दी"))
    expect(header).to_contain_text("फ़ोन: +911832402222")
    expect(header).to_contain_text("सोम-शनि 9:00-17:00")
    box = header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]  # stays on screen
    chat.screenshot("chat-phone-contact-hi")
