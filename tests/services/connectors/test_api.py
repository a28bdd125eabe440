"""The staff API over platform connectors: a city's bills looked up in DIGIT and paid through
our gateway, and a platform that is down answered 503 `platform_unavailable`, never a 500."""

from __future__ import annotations

from sqlalchemy import delete

from payments.models import NumberFormat
from services.staff.auth import Role, create_key
from tests.services.connectors.conftest import AMRITSAR, Fake, connect_digit
from tests.support.gateway import LiveGateway


def _auth(gateway: LiveGateway) -> dict[str, str]:
    """An officer's key for the demo city."""
    with gateway.ctx.sessions() as db:
        token = create_key(db, scope=AMRITSAR, role=Role.OFFICER, name="counter")
        db.commit()
    return {"Authorization": f"Bearer {token}"}


def test_digit_bills_through_the_api_and_payable(gateway: LiveGateway, digit: Fake) -> None:
    with gateway.ctx.sessions() as db:
        connect_digit(db, gateway.ctx.crypto, digit, domain="bills")
        db.execute(delete(NumberFormat).where(NumberFormat.tenant_id == AMRITSAR))
        db.commit()
    auth = _auth(gateway)
    found = gateway.http.get("/api/v1/bills", headers=auth,
                             params={"service": "property_tax", "consumer_no": "PT-107-000123"})
    assert found.status_code == 200, found.text
    [bill] = found.json()
    assert bill["amount_paise"] == 150000
    paid = gateway.http.post(f"/api/v1/bills/{bill['id']}/payment", headers=auth)
    assert paid.status_code == 200 and "am=1500.00" in paid.json()["upi_intent"]
    digit.knobs(down=True)
    down = gateway.http.get("/api/v1/bills", headers=auth,
                            params={"service": "property_tax", "consumer_no": "PT-107-000123"})
    assert down.status_code == 503 and down.json()["detail"]["code"] == "platform_unavailable"


def test_grievance_list_says_the_platform_is_down(gateway: LiveGateway, digit: Fake) -> None:
    with gateway.ctx.sessions() as db:
        connect_digit(db, gateway.ctx.crypto, digit)
    digit.knobs(down=True)
    answer = gateway.http.get("/api/v1/grievances", headers=_auth(gateway))
    assert answer.status_code == 503
    assert answer.json() == {"detail": {"code": "platform_unavailable"}}
    one = gateway.http.get("/api/v1/grievances/PB-PGR-2026-01-01-000001", headers=_auth(gateway))
    assert one.status_code == 503
