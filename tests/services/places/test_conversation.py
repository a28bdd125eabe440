"""A citizen on WhatsApp shares a location; it is placed in a ward and locality to confirm."""

from __future__ import annotations

import json
import re
import secrets

from sqlalchemy import select

from channels.registry import terminal_phone
from channels.twilio_whatsapp.phone import TerminalPhone
from services.grievances.models import Grievance
from services.staff.auth import Role, create_key
from services.tenancy.models import Locality, Ward
from tests.support.gateway import LiveGateway

CITY = "pb.amritsar"
GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
WEST, SOUTH, WIDTH, HEIGHT = 74.80, 31.60, 0.02, 0.06


def box(n: int) -> dict[str, object]:
    """Ward W0n of the test map: side by side boxes west to east."""
    west = WEST + WIDTH * (n - 1)
    ring = [[west, SOUTH], [west + WIDTH, SOUTH], [west + WIDTH, SOUTH + HEIGHT],
            [west, SOUTH + HEIGHT], [west, SOUTH]]
    return {"type": "Polygon", "coordinates": [ring]}


def map_the_demo_city(gateway: LiveGateway) -> None:
    """Export the demo city, draw ward boxes and locality points, import it back (API)."""
    with gateway.ctx.sessions() as db:
        token = create_key(db, scope=CITY, role=Role.ADMIN, name="GIS cell")
        db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    document = gateway.http.get(f"/api/v1/places/{CITY}", headers=headers).json()
    seen: dict[str, int] = {}
    for item in document["features"]:
        props = item["properties"]
        if props["kind"] == "ward":
            item["geometry"] = box(int(props["code"][1:]))
        else:  # two localities per ward: the first code south, the second north
            n = int(props["ward"][1:])
            seen[props["ward"]] = seen.get(props["ward"], 0) + 1
            lat = SOUTH + HEIGHT * (0.25 if seen[props["ward"]] == 1 else 0.75)
            item["geometry"] = {"type": "Point",
                                "coordinates": [WEST + WIDTH * (n - 0.5), lat]}
    response = gateway.http.post(f"/api/v1/places/{CITY}/import", params={
        "format": "geojson"}, content=json.dumps(document).encode(), headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["updated"]) == 5 + 10 and not response.json()["retired"]


def whatsapp(gateway: LiveGateway) -> TerminalPhone:
    """A citizen's WhatsApp talking to the demo city's simulated sender."""
    number = "whatsapp:+9197" + str(secrets.randbelow(10**8)).zfill(8)
    phone = terminal_phone("twilio-whatsapp", gateway.base_url, number,
                           gateway.account("twilio-whatsapp"))
    assert isinstance(phone, TerminalPhone)
    return phone


def say(phone: TerminalPhone, text: str) -> str:
    """Send (or tap, for `#n`) and return the one reply."""
    phone.send(text)
    (reply,) = phone.receive(timeout=10)
    return reply


def tap(phone: TerminalPhone, option_id: str) -> str:
    """Tap the option with this id on the latest buttons or list; return the reply."""
    ids = [option["id"] for option in phone.options]
    assert option_id in ids, ids
    return say(phone, f"#{ids.index(option_id) + 1}")


def test_a_shared_location_is_confirmed_as_the_locality(gateway: LiveGateway) -> None:
    map_the_demo_city(gateway)
    phone = whatsapp(gateway)
    say(phone, "hello")
    tap(phone, "en")
    tap(phone, "grievance")
    where = say(phone, "#1")  # the first category; WhatsApp can share a location
    assert "Share your location" in where
    # in ward 2's box, nearest to its northern locality (Ranjit Avenue; codes sort south)
    phone.share_location(SOUTH + HEIGHT * 0.7, WEST + WIDTH * 1.4)
    (asked,) = phone.receive(timeout=10)
    assert "Is this in Ranjit Avenue, Ward 2?" in asked
    assert [o["id"] for o in phone.options] == ["yes", "no"]
    assert [o["title"] for o in phone.options][1] == "Choose from list"
    assert "Please describe the problem" in tap(phone, "yes")
    say(phone, "Streetlight pole has been broken for a week")  # → the photo question
    confirm = tap(phone, "skip")
    assert "Ranjit Avenue" in confirm
    filed = tap(phone, "yes")
    found = GRIEVANCE_ID.search(filed)
    assert found, filed
    with gateway.ctx.sessions() as db:
        row = db.scalars(select(Grievance).where(Grievance.public_id == found.group())).one()
        assert db.get_one(Locality, row.locality_id).code == "ranjit-avenue"
        assert db.get_one(Ward, row.ward_id).code == "W02"


def test_choosing_from_the_list_instead(gateway: LiveGateway) -> None:
    map_the_demo_city(gateway)
    phone = whatsapp(gateway)
    say(phone, "hello")
    tap(phone, "hi")
    tap(phone, "grievance")
    say(phone, "#1")
    phone.share_location(SOUTH + HEIGHT * 0.7, WEST + WIDTH * 1.4)
    (asked,) = phone.receive(timeout=10)
    assert "रणजीत एवेन्यू" in asked and "वार्ड 2" in asked
    tap(phone, "no")  # "choose from the list"
    titles = [o["title"] for o in phone.options]
    assert "रणजीत एवेन्यू" in titles and "हॉल बाज़ार" in titles  # the locality list


def test_a_location_outside_the_city_is_said_and_the_list_shown(gateway: LiveGateway) -> None:
    map_the_demo_city(gateway)
    phone = whatsapp(gateway)
    say(phone, "hello")
    tap(phone, "en")
    tap(phone, "grievance")
    say(phone, "#1")
    phone.share_location(28.6139, 77.2090)  # Delhi
    (reply,) = phone.receive(timeout=10)
    assert "not in any ward we know" in reply and len(phone.options) > 2
