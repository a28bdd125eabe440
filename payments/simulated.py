"""Development wiring of the gateway simulators: mounted routes, the demo city's account.

`mount` adds each gateway simulator's router and lets the simulator find the simulated
accounts' keys and webhook URL in our database (so restarts and port changes need nothing);
`seed_demo_payments` gives the demo city a simulated Razorpay account and its bills.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.accounts import add_account, webhook_path
from payments.bbps.demo import seed_demo_billers
from payments.bills.demo import seed_demo_bills
from payments.gateways import gateway_names, simulator_router
from payments.models import GatewayAccount
from services.security.crypto import Crypto

if TYPE_CHECKING:
    from fastapi import FastAPI

    from services.context import AppContext

SIM_PREFIX = "/sim/razorpay"


def mount(app: FastAPI, ctx: AppContext) -> None:
    """Mount the simulators (development and tests only) and point them at our accounts."""
    for name in gateway_names():
        router = simulator_router(name)
        if router is not None:
            app.include_router(router, include_in_schema=False)
    from payments.razorpay import simulator

    def lookup(key_id: str) -> simulator.Merchant | None:
        with ctx.sessions() as db:
            for account in db.scalars(select(GatewayAccount).where(
                    GatewayAccount.simulated.is_(True), GatewayAccount.active.is_(True))):
                config = ctx.crypto.decrypt_json(account.config_enc)
                if config.get("key_id") == key_id:
                    return simulator.Merchant(key_id, str(config["key_secret"]),
                                              str(config["webhook_secret"]),
                                              ctx.settings.base_url + webhook_path(account))
        return None

    simulator.lookup = lookup


def seed_demo_payments(db: Session, crypto: Crypto, tenant_id: str, base_url: str) -> None:
    """The demo city's bills and a simulated Razorpay account (its URL refreshed)."""
    seed_demo_bills(db, crypto, tenant_id)
    seed_demo_billers(db, crypto, tenant_id)
    account = db.scalar(select(GatewayAccount).where(
        GatewayAccount.tenant_id == tenant_id, GatewayAccount.gateway == "razorpay",
        GatewayAccount.simulated.is_(True)))
    sim_url = base_url.rstrip("/") + SIM_PREFIX
    if account is None:
        config = {"key_id": "rzp_test_" + secrets.token_hex(7),
                  "key_secret": secrets.token_hex(16),
                  "webhook_secret": secrets.token_hex(16), "base_url": sim_url}
        add_account(db, crypto, actor="system:demo", tenant_id=tenant_id, gateway="razorpay",
                    config=config, vpa="amritsar.mc@razorpay", payee_name="MC Amritsar",
                    name="Demo Razorpay (simulated)", simulated=True)
        return
    config = crypto.decrypt_json(account.config_enc)
    if config.get("base_url") != sim_url:
        account.config_enc = crypto.encrypt_json({**config, "base_url": sim_url})
