"""Citizens are shown the city's public contact details with the help text, after filing a
grievance, and the web chat is given them for its header; in the citizen's language."""

from __future__ import annotations

from services.tenancy.admin import TenantFields, update_tenant
from services.tenancy.models import Tenant
from tests.services.grievances.citizen import DEVANAGARI, file_by_sms
from tests.services.grievances.helpers import AMRITSAR
from tests.support.gateway import LiveGateway, SmsPhone

HELPLINE = "+911832402222"


def _contact(gateway: LiveGateway) -> None:
    """Amritsar's helpline, address and hours; the e-mail only the state has."""
    with gateway.ctx.sessions() as db:
        city, state = db.get_one(Tenant, AMRITSAR), db.get_one(Tenant, "pb")
        update_tenant(db, city, TenantFields(
            phone="0183 240 2222", address={"en": "Town Hall, Amritsar",
                                            "hi": "टाउन हॉल, अमृतसर"},
            hours={"en": "Mon-Sat 9:00-17:00", "hi": "सोम-शनि 9:00-17:00"}), actor="test")
        update_tenant(db, state, TenantFields(email="grievances@punjab.example.in"),
                      actor="test")
        db.commit()


def test_the_help_text_is_followed_by_the_citys_contact_details(gateway: LiveGateway,
                                                                phone: SmsPhone) -> None:
    before = phone.chat("help")
    assert HELPLINE not in before  # nothing configured yet: nothing added
    _contact(gateway)
    gateway.ctx.master.clear()
    text = phone.chat("help")
    assert "Send 'menu' or 0" in text or DEVANAGARI.search(text)
    assert f"Phone: {HELPLINE}" in text and "Hours: Mon-Sat 9:00-17:00" in text
    assert "Office: Town Hall, Amritsar" in text
    assert "E-mail: grievances@punjab.example.in" in text  # the state's, the city has none


def test_a_filed_grievance_names_whom_to_contact_in_the_citizens_language(
        gateway: LiveGateway, phone: SmsPhone) -> None:
    _contact(gateway)
    gid = file_by_sms(gateway, phone, language="hi")
    inbox = gateway.http.get(f"/sim/twilio/phones/{phone.number}/inbox").json()["messages"]
    (filed,) = [text for text in inbox if gid in text]
    assert f"फ़ोन: {HELPLINE}" in filed and "टाउन हॉल, अमृतसर" in filed
    assert "समय: सोम-शनि 9:00-17:00" in filed and "Phone:" not in filed


def test_the_web_chat_session_carries_the_contact_details(gateway: LiveGateway) -> None:
    _contact(gateway)
    opened = gateway.http.post("/webchat/session", json={"tenant": AMRITSAR})
    assert opened.status_code == 200, opened.text
    assert opened.json()["contact"] == {
        "phone": HELPLINE, "email": "grievances@punjab.example.in",
        "address": {"en": "Town Hall, Amritsar", "hi": "टाउन हॉल, अमृतसर"},
        "hours": {"en": "Mon-Sat 9:00-17:00", "hi": "सोम-शनि 9:00-17:00"}}
