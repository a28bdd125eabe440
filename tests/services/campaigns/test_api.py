"""The campaigns staff API on a running embedded gateway: a campaign from creation to its
report through the simulated SMS account, and refusals answered with codes."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from services.accounts.models import ChannelAccount
from services.audit.models import ConfigChange
from services.staff.auth import Role, create_key
from tests.support.gateway import LiveGateway

CITY = "pb.amritsar"
PEOPLE = [{"phone": "98140 00001", "language": "en", "name": "Asha",
           "variables": {"ward": "Ward 7"}},
          {"phone": "+919814000002", "language": "hi", "name": "Ravi",
           "variables": {"ward": "Ward 7"}},
          {"phone": "+919814000003", "language": "pa", "name": "Jas",
           "variables": {"ward": "Ward 9"}},
          {"phone": "+91 98140 00001", "language": "en", "name": "Asha again",
           "variables": {"ward": "Ward 7"}}]


def key(gateway: LiveGateway, role: Role = Role.OFFICER, scope: str = CITY,
        name: str = "officer") -> dict[str, str]:
    """Authorization headers of a new staff key."""
    with gateway.ctx.sessions() as db:
        token = create_key(db, scope=scope, role=role, name=name)
        db.commit()
    return {"Authorization": f"Bearer {token}"}


def sms_account(gateway: LiveGateway) -> str:
    """The demo city's simulated Twilio SMS account."""
    with gateway.ctx.sessions() as db:
        return db.scalars(select(ChannelAccount.id).where(
            ChannelAccount.tenant_id == CITY, ChannelAccount.channel_type == "twilio-sms")).one()


def spec(account: str, **extra: Any) -> dict[str, Any]:
    """A campaign body."""
    return {"tenant": CITY, "name": "water-cut", "purpose": "transactional",
            "steps": [account], "default_language": "en",
            "content": {account: {"en": "Dear {name}, no water in {ward} on Friday.",
                                  "hi": "प्रिय {name}, शुक्रवार को {ward} में पानी नहीं।"}},
            **extra}


def test_a_campaign_from_creation_to_its_report(gateway: LiveGateway) -> None:
    officer = key(gateway)
    account = sms_account(gateway)
    made = gateway.http.post("/api/v1/campaigns", json=spec(account), headers=officer)
    assert made.status_code == 201, made.text
    campaign = made.json()["id"]
    added = gateway.http.post(f"/api/v1/campaigns/{campaign}/recipients",
                              json={"recipients": PEOPLE}, headers=officer).json()
    assert added == {"written": 3, "excluded": {"duplicate": 1}, "total": 3}
    preview = gateway.http.get(f"/api/v1/campaigns/{campaign}/preview", headers=officer).json()
    by_language = {p["language"]: p for p in preview["languages"]}
    assert by_language["hi"]["encoding"] == "UCS-2"
    assert by_language["en"]["text"].startswith("Dear Asha, no water in Ward 7")
    assert by_language["pa"]["text"].startswith("Dear Jas")  # no Punjabi text: the default
    assert preview["cost_paise"]["twilio-sms"] > 0
    for action in ("submit", "start"):
        answer = gateway.http.post(f"/api/v1/campaigns/{campaign}/{action}", headers=officer)
        assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + 30
    while (now := gateway.http.get(f"/api/v1/campaigns/{campaign}",
                                   headers=officer).json())["status"] != "done":
        assert time.monotonic() < deadline, now
        time.sleep(0.3)
    assert now["counters"]["sent"] == 3
    lines = gateway.http.get(f"/api/v1/campaigns/{campaign}/report.csv",
                             headers=officer).text.splitlines()
    assert lines[0].startswith("row,phone,name")
    assert sorted(line.split(",")[1] for line in lines[1:]) == [
        "+919814000001", "+919814000002", "+919814000003"]
    with gateway.ctx.sessions() as db:
        actions = db.scalars(select(ConfigChange.action).where(
            ConfigChange.entity == "campaign", ConfigChange.key == campaign)).all()
    assert sorted(actions) == ["create", "start", "submit"]


def test_refusals_carry_codes(gateway: LiveGateway) -> None:
    officer = key(gateway)
    account = sms_account(gateway)
    viewer = key(gateway, Role.VIEWER, name="viewer")
    elsewhere = key(gateway, scope="hr.gurugram", name="other city")
    refused = gateway.http.post("/api/v1/campaigns", json=spec(account), headers=viewer)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (403, "forbidden_role")
    bad = gateway.http.post("/api/v1/campaigns", json=spec(account, name="Water Cut!"),
                            headers=officer)
    assert (bad.status_code, bad.json()["detail"]["code"]) == (422, "invalid_name")
    unknown = gateway.http.post("/api/v1/campaigns", json=spec("0" * 32), headers=officer)
    assert unknown.json()["detail"]["code"] == "unknown_account"
    broken = spec(account)
    broken["content"][account]["en"] = "Dear {name!r}"
    assert gateway.http.post("/api/v1/campaigns", json=broken,
                             headers=officer).json()["detail"]["code"] == "invalid_text"
    campaign = gateway.http.post("/api/v1/campaigns", json=spec(account),
                                 headers=officer).json()["id"]
    assert gateway.http.get(f"/api/v1/campaigns/{campaign}",
                            headers=elsewhere).status_code == 404
    early = gateway.http.post(f"/api/v1/campaigns/{campaign}/start", headers=officer)
    assert (early.status_code, early.json()["detail"]["code"]) == (409, "invalid_state")
    empty = gateway.http.post(f"/api/v1/campaigns/{campaign}/submit", headers=officer)
    assert (empty.status_code, empty.json()["detail"]["code"]) == (422, "empty_audience")
    assert gateway.http.post(f"/api/v1/campaigns/{campaign}/explode",
                             headers=officer).status_code == 404
    assert gateway.http.get(f"/api/v1/campaigns/{campaign}").status_code == 401
