"""A city's gateway accounts: key id, key secret and webhook secret stored encrypted.

Shared by `nagarsetu payments add|list|disable`; every change is in the configuration log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.gateway import PaymentGateway
from payments.gateways import SECRET_FIELDS, build_gateway, check_config, gateway_names
from payments.models import GatewayAccount
from services.audit.record import record
from services.security.crypto import Crypto


class AccountError(Exception):
    """An account refused, with a code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def redacted(config: dict[str, Any]) -> dict[str, Any]:
    """Config for display: secrets as ***."""
    return {k: ("***" if k in SECRET_FIELDS else v) for k, v in config.items()}


def add_account(db: Session, crypto: Crypto, *, actor: str, tenant_id: str, gateway: str,
                config: dict[str, Any], vpa: str, payee_name: str, name: str = "",
                simulated: bool = False) -> GatewayAccount:
    """Store a new account (config checked by the gateway, then encrypted) and log it (a
    simulated demo account, made by seeding and not by staff, is not logged)."""
    if gateway not in gateway_names():
        raise AccountError("unknown_gateway")
    try:
        check_config(gateway, config)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    if not vpa or "@" not in vpa:
        raise AccountError("invalid_vpa")
    account = GatewayAccount(tenant_id=tenant_id, gateway=gateway, name=name, vpa=vpa,
                             payee_name=payee_name, config_enc=crypto.encrypt_json(config),
                             simulated=simulated, active=True)
    db.add(account)
    db.flush()
    if simulated:
        return account
    record(db, tenant_id=tenant_id, actor=actor, entity="payment_account", key=account.id,
           action="create", after={"gateway": gateway, "name": name, "vpa": vpa,
                                   "config": redacted(config)})
    return account


def disable_account(db: Session, *, actor: str, account_id: str) -> GatewayAccount:
    """Stop using an account (its attempts and history stay) and log it."""
    account = db.get(GatewayAccount, account_id)
    if account is None:
        raise AccountError("unknown_account")
    if account.active:
        account.active = False
        record(db, tenant_id=account.tenant_id, actor=actor, entity="payment_account",
               key=account.id, action="update", before={"active": True},
               after={"active": False})
    return account


def active_account(db: Session, tenant_id: str) -> GatewayAccount | None:
    """The tenant's collecting account (the newest active one); None: the city takes no
    payments in the chat."""
    return db.scalar(select(GatewayAccount).where(
        GatewayAccount.tenant_id == tenant_id, GatewayAccount.active.is_(True))
        .order_by(GatewayAccount.created_at.desc(), GatewayAccount.id).limit(1))


def gateway_for(crypto: Crypto, account: GatewayAccount) -> PaymentGateway:
    """A client for the account (built per use: the SDK client is cheap)."""
    return build_gateway(account.gateway, crypto.decrypt_json(account.config_enc))


def webhook_path(account: GatewayAccount) -> str:
    """Where the gateway posts this account's webhooks."""
    return f"/webhooks/{account.gateway}/{account.id}"
