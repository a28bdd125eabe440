"""The seeded demo city `pb.amritsar`: wards, localities, categories and simulated channels.

Seeding is idempotent: it runs on every embedded start, adds what is missing and points the
simulated channel accounts at the gateway's current public URL (the port may have changed).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import ChannelAccount
from services.accounts.service import create_account
from services.security.crypto import Crypto
from services.tenancy.models import Category, Locality, Tenant, Ward

STATE = ("pb", "PB", {"en": "Punjab", "hi": "पंजाब", "pa": "ਪੰਜਾਬ"})
CITY = ("pb.amritsar", "PB-AMR", {"en": "Amritsar", "hi": "अमृतसर", "pa": "ਅੰਮ੍ਰਿਤਸਰ"})
DEMO_TENANT = CITY[0]
DEMO_SMS_NUMBER = "+15005550006"

# ward code -> (names, [(locality code, names)])
WARDS: dict[str, tuple[dict[str, str], list[tuple[str, dict[str, str]]]]] = {
    "W01": ({"en": "Ward 1", "hi": "वार्ड 1"}, [
        ("hall-bazaar", {"en": "Hall Bazaar", "hi": "हॉल बाज़ार", "pa": "ਹਾਲ ਬਾਜ਼ਾਰ"}),
        ("katra-jaimal-singh", {"en": "Katra Jaimal Singh", "hi": "कटड़ा जैमल सिंह",
                                "pa": "ਕਟੜਾ ਜੈਮਲ ਸਿੰਘ"}),
    ]),
    "W02": ({"en": "Ward 2", "hi": "वार्ड 2"}, [
        ("ranjit-avenue", {"en": "Ranjit Avenue", "hi": "रणजीत एवेन्यू", "pa": "ਰਣਜੀਤ ਐਵੇਨਿਊ"}),
        ("lawrence-road", {"en": "Lawrence Road", "hi": "लॉरेंस रोड", "pa": "ਲਾਰੈਂਸ ਰੋਡ"}),
    ]),
    "W03": ({"en": "Ward 3", "hi": "वार्ड 3"}, [
        ("majitha-road", {"en": "Majitha Road", "hi": "मजीठा रोड", "pa": "ਮਜੀਠਾ ਰੋਡ"}),
        ("green-avenue", {"en": "Green Avenue", "hi": "ग्रीन एवेन्यू", "pa": "ਗ੍ਰੀਨ ਐਵੇਨਿਊ"}),
    ]),
    "W04": ({"en": "Ward 4", "hi": "वार्ड 4"}, [
        ("chheharta", {"en": "Chheharta", "hi": "छेहरटा", "pa": "ਛੇਹਰਟਾ"}),
        ("putlighar", {"en": "Putlighar", "hi": "पुतलीघर", "pa": "ਪੁਤਲੀਘਰ"}),
    ]),
    "W05": ({"en": "Ward 5", "hi": "वार्ड 5"}, [
        ("sultanwind", {"en": "Sultanwind", "hi": "सुल्तानविंड", "pa": "ਸੁਲਤਾਨਵਿੰਡ"}),
        ("white-avenue", {"en": "White Avenue", "hi": "व्हाइट एवेन्यू", "pa": "ਵ੍ਹਾਈਟ ਐਵੇਨਿਊ"}),
    ]),
}

# code -> (names, department, SLA hours)
CATEGORIES: dict[str, tuple[dict[str, str], str, int]] = {
    "garbage": ({"en": "Garbage not collected", "hi": "कचरा नहीं उठाया गया",
                 "pa": "ਕੂੜਾ ਨਹੀਂ ਚੁੱਕਿਆ ਗਿਆ"}, "sanitation", 48),
    "streetlight": ({"en": "Streetlight not working", "hi": "स्ट्रीट लाइट खराब",
                     "pa": "ਸਟਰੀਟ ਲਾਈਟ ਖ਼ਰਾਬ"}, "electrical", 72),
    "water": ({"en": "No water supply", "hi": "पानी की आपूर्ति नहीं",
               "pa": "ਪਾਣੀ ਦੀ ਸਪਲਾਈ ਨਹੀਂ"}, "water", 48),
    "sewer": ({"en": "Sewer blocked or overflowing", "hi": "सीवर जाम या उफान पर",
               "pa": "ਸੀਵਰ ਬੰਦ ਜਾਂ ਓਵਰਫਲੋ"}, "sewerage", 48),
    "road": ({"en": "Pothole or damaged road", "hi": "सड़क पर गड्ढा या टूटी सड़क",
              "pa": "ਸੜਕ ਵਿੱਚ ਟੋਆ ਜਾਂ ਟੁੱਟੀ ਸੜਕ"}, "roads", 168),
    "animals": ({"en": "Stray animals", "hi": "आवारा पशु", "pa": "ਅਵਾਰਾ ਪਸ਼ੂ"},
                "veterinary", 72),
    "mosquito": ({"en": "Mosquito fogging needed", "hi": "मच्छर फॉगिंग चाहिए",
                  "pa": "ਮੱਛਰ ਫੌਗਿੰਗ ਚਾਹੀਦੀ"}, "health", 72),
    "dead-animal": ({"en": "Dead animal removal", "hi": "मृत पशु हटाना",
                     "pa": "ਮਰੇ ਪਸ਼ੂ ਨੂੰ ਹਟਾਉਣਾ"}, "sanitation", 24),
}


def _upsert_tenants(db: Session) -> None:
    """The state and the city, with their languages."""
    for tenant_id, code, names in (STATE, CITY):
        if db.get(Tenant, tenant_id) is None:
            db.add(Tenant(id=tenant_id, parent_id=tenant_id.split(".")[0]
                          if "." in tenant_id else None, code=code, names=names,
                          default_language="en", languages=["en", "hi"]))
    db.flush()


def _upsert_places(db: Session) -> None:
    """Wards and their localities."""
    for ward_code, (ward_names, localities) in WARDS.items():
        ward = db.scalar(select(Ward).where(Ward.tenant_id == DEMO_TENANT, Ward.code == ward_code))
        if ward is None:
            ward = Ward(tenant_id=DEMO_TENANT, code=ward_code, names=ward_names)
            db.add(ward)
            db.flush()
        for code, names in localities:
            exists = db.scalar(select(Locality.id).where(Locality.tenant_id == DEMO_TENANT,
                                                         Locality.code == code))
            if exists is None:
                db.add(Locality(tenant_id=DEMO_TENANT, ward_id=ward.id, code=code, names=names))
    db.flush()


def _upsert_categories(db: Session) -> None:
    """Grievance categories with their SLAs."""
    for code, (names, department, sla) in CATEGORIES.items():
        exists = db.scalar(select(Category.id).where(Category.tenant_id == DEMO_TENANT,
                                                     Category.code == code))
        if exists is None:
            db.add(Category(tenant_id=DEMO_TENANT, code=code, names=names,
                            department=department, sla_hours=sla))
    db.flush()


def _simulated(db: Session, crypto: Crypto, channel_type: str, config: dict[str, Any],
               name: str) -> ChannelAccount:
    """Create the simulated account, or refresh its URL-dependent config."""
    account = db.scalar(select(ChannelAccount).where(
        ChannelAccount.tenant_id == DEMO_TENANT, ChannelAccount.channel_type == channel_type,
        ChannelAccount.simulated.is_(True)))
    if account is None:
        return create_account(db, crypto, tenant_id=DEMO_TENANT, channel_type=channel_type,
                              config=config, name=name, simulated=True)
    current = crypto.decrypt_json(account.config_enc)
    refreshed = {**config, **{k: v for k, v in current.items() if k not in config or
                              k in ("auth_token", "token_secret", "account_sid")}}
    account.config_enc = crypto.encrypt_json(refreshed)
    return account


def seed_demo(db: Session, crypto: Crypto, base_url: str) -> None:
    """Make sure the demo city and its simulated channels exist (safe to repeat)."""
    _upsert_tenants(db)
    _upsert_places(db)
    _upsert_categories(db)
    _simulated(db, crypto, "webchat", {"token_secret": secrets.token_hex(32),
                                       "address": "web"}, "Demo web chat")
    _simulated(db, crypto, "twilio-sms", {
        "account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16),
        "address": DEMO_SMS_NUMBER, "api_base": base_url.rstrip("/") + "/sim/twilio",
    }, "Demo SMS (simulated Twilio)")
    db.flush()
