"""A citizen files by SMS with a city whose grievances DIGIT holds: the platform's OTP login
asked in the conversation, then the complaint filed there with the platform's number; and
told plainly, with the complaint kept, when the platform is down."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from services.connectors.models import PENDING, RemoteGrievance
from services.db.base import utcnow
from tests.services.connectors.conftest import AMRITSAR, Fake, connect_digit
from tests.support.gateway import LiveGateway, SmsPhone

DIGIT_ID = re.compile(r"PB-PGR-\d{4}-\d{2}-\d{2}-\d{6}")


def _to_confirmation(phone: SmsPhone) -> None:
    """Walk the English grievance conversation up to its confirmation."""
    phone.chat("hi")
    phone.chat("1")  # English
    phone.chat("1")  # file a complaint
    phone.chat("1")  # first category
    phone.chat("1")  # first locality
    confirm = phone.chat("Garbage has been lying on the road for three days")
    assert "Garbage has been lying" in confirm


def test_sms_filing_logs_in_with_the_platforms_code(gateway: LiveGateway, phone: SmsPhone,
                                                    digit: Fake) -> None:
    with gateway.ctx.sessions() as db:
        connect_digit(db, gateway.ctx.crypto, digit)
    _to_confirmation(phone)
    asked = phone.chat("yes")
    assert "one-time code" in asked and "type the code" in asked
    mobile = phone.number.removeprefix("+91")
    bad = phone.chat("000000")
    assert "did not work" in bad and "type the code" in bad  # asked again
    assert digit.state()["services"] == []
    filed = phone.chat(digit.http.get(f"/_fake/otp/{mobile}").json()["otp"])
    found = DIGIT_ID.search(filed)
    assert found and "Complaint registered" in filed, filed
    [stored] = digit.state()["services"]
    assert stored["service"]["serviceRequestId"] == found.group()
    assert stored["service"]["citizen"]["mobileNumber"] == mobile


def test_sms_filing_while_the_platform_is_down(live: LiveGateway, digit: Fake) -> None:
    """On SQLite and (integration) PostgreSQL."""
    gateway, phone = live, SmsPhone(live)
    with gateway.ctx.sessions() as db:
        connect_digit(db, gateway.ctx.crypto, digit)
    digit.knobs(down=True)
    _to_confirmation(phone)
    told = phone.chat("yes")
    assert "complaint system is down" in told and "saved" in told
    with gateway.ctx.sessions() as db:
        link = db.scalar(select(RemoteGrievance).where(RemoteGrievance.tenant_id == AMRITSAR))
        assert link is not None and link.state == PENDING
        db.execute(update(RemoteGrievance).values(next_attempt_at=utcnow()))  # backoff over
        db.commit()
    digit.knobs(down=False)
    assert gateway.ctx.sweep_connectors() == 1  # filed (on the citizen's behalf), told
    later = "\n".join(phone.receive(1))
    found = DIGIT_ID.search(later)
    assert found and "now registered" in later, later
    [stored] = digit.state()["services"]
    assert stored["service"]["serviceRequestId"] == found.group()
    assert gateway.ctx.sweep_connectors() == 0
