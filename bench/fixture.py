"""The city a benchmark talks to: tenant master data, and a Twilio SMS account via the CLI.

Production refuses demo data, so the benchmark sets the city up the way an operator would: the
master data (the demo city's wards, localities and categories, as plain rows) and then
``nagarsetu channels add`` for a Twilio SMS account whose ``api_base`` is the benchmark's own
Twilio stand-in process.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from bench.procs import VENV_BIN, run_command
from bench.twilio_forms import Account

CITY = "pb.amritsar"
NUMBER = "+15005550006"


def create_city(database_url: str) -> None:
    """Insert the state, the city, its wards, localities and grievance categories."""
    from services.db.engine import make_engine, make_sessionmaker
    from services.tenancy.demo import demo_data
    from services.tenancy.models import Category, Locality, Tenant, Ward

    data: dict[str, Any] = demo_data()
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            state, city = data["state"], data["city"]
            for spec, parent in ((state, None), (city, state["id"])):
                db.add(Tenant(id=spec["id"], parent_id=parent, code=spec["code"],
                              names=spec["names"],
                              default_language=spec.get("default_language", "en"),
                              languages=spec.get("languages", [])))
            db.flush()
            for ward_spec in data["wards"]:
                ward = Ward(tenant_id=CITY, code=ward_spec["code"], names=ward_spec["names"])
                db.add(ward)
                db.flush()
                for loc in ward_spec["localities"]:
                    db.add(Locality(tenant_id=CITY, ward_id=ward.id, code=loc["code"],
                                    names=loc["names"]))
            for cat in data["categories"]:
                db.add(Category(tenant_id=CITY, code=cat["code"], names=cat["names"],
                                department=cat["department"], sla_hours=cat["sla_hours"]))
            db.commit()
    finally:
        engine.dispose()


def add_sms_account(env: Mapping[str, str], database_url: str, public_base: str,
                    api_base: str) -> Account:
    """`nagarsetu channels add` a Twilio SMS account pointed at `api_base`, sending up to 1,000
    messages a second; its webhook."""
    from services.accounts.models import ChannelAccount
    from services.db.engine import make_engine, make_sessionmaker

    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    run_command([str(VENV_BIN / "nagarsetu"), "channels", "add", "--tenant", CITY,
                 "--type", "twilio-sms", "--name", "bench", "--set", f"account_sid={sid}",
                 "--set", f"auth_token={token}", "--set", f"address={NUMBER}",
                 "--set", f"api_base={api_base}",
                 # a high-throughput sender (short code or a pool): a long code's 1 segment a
                 # second, the default, would pace the replies measured to one a second
                 "--set", "mps=1000"], env)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            account_id = db.scalars(select(ChannelAccount.id).where(
                ChannelAccount.tenant_id == CITY,
                ChannelAccount.channel_type == "twilio-sms")).one()
    finally:
        engine.dispose()
    return Account(f"{public_base}/webhooks/twilio-sms/{account_id}", sid, token, NUMBER)
