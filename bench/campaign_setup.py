"""What a campaign run needs in a fresh database: the city, a DLT SMS account on the sink,
the campaign's registered templates, and a campaign expanded to its recipients.

Used by bench/campaign_send.py and the chaos integration test. The Exotel SMS account sends
through the real adapter to `api_base` (bench/campaign_sink.py), with `mps` as its rate.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts.service import create_account
from services.campaigns import control
from services.campaigns.recipients import OptedOut, Recipient
from services.db.base import utcnow
from services.security.crypto import Crypto
from services.templates.service import register
from services.tenancy.models import Tenant

CITY = "pb.amritsar"
TEXT = "Dear {name}, water supply in {ward} will be off on {day}. -PMC"
DLT = "Dear {#var#}, water supply in {#var#} will be off on {#var#}. -PMC"


def city(db: Session) -> None:
    """The state and the city (enough for campaigns)."""
    db.add(Tenant(id="pb", parent_id=None, code="PB", names={"en": "Punjab"},
                  default_language="en", languages=["en"]))
    db.flush()
    db.add(Tenant(id=CITY, parent_id="pb", code="AMR", names={"en": "Amritsar"},
                  default_language="en", languages=["en"]))
    db.flush()


def sms_account(db: Session, crypto: Crypto, api_base: str, mps: int) -> str:
    """An Exotel SMS account on the sink; its id."""
    account = create_account(db, crypto, tenant_id=CITY, channel_type="exotel-sms", config={
        "account_sid": "bench", "api_key": "k", "api_token": "t", "webhook_secret": "w",
        "address": "+918047091234", "api_base": api_base, "mps": str(mps),
        "entity_id": "1101000000000004242", "sender": "NGRSTU"})
    db.flush()
    return account.id


def campaign(db: Session, crypto: Crypto, account_id: str, recipients: list[Recipient], *,
             name: str = "water-cut", rate_cap: int | None = None) -> str:
    """A transactional campaign on the account, its DLT template registered, submitted and
    started; its id (committed)."""
    register(db, tenant_id=CITY, channel_type="exotel-sms", key=f"campaign.{name}",
             language="en", provider_id="1107161234567890123", text=DLT,
             variables=["name", "ward", "day"],
             extra={"entity_id": "1101000000000004242", "header": "NGRSTU"})
    row = control.create(db, tenant_id=CITY, actor="bench", draft=control.Draft(
        name, "transactional", [account_id], {account_id: {"en": TEXT}}, rate_cap=rate_cap))
    control.add_audience(db, crypto, row, recipients, OptedOut(crypto))
    control.act(db, row, "submit", actor="bench", now=utcnow(), default_threshold=10**9)
    db.commit()
    return row.id


def start(db: Session, campaign_id: str) -> None:
    """Start it (committed)."""
    from services.campaigns.models import Campaign

    control.act(db, db.get_one(Campaign, campaign_id), "start", actor="bench", now=utcnow())
    db.commit()


def recipients(count: int, start_at: int = 0) -> list[Recipient]:
    """Distinct Indian mobile numbers with the text's variables."""
    return [Recipient(f"+9197{start_at + n:08d}", "en", f"Citizen {start_at + n}",
                      {"ward": "Ward 12", "day": "Friday"}) for n in range(count)]
