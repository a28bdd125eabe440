"""Voice-call fixtures: simulated callers on the live gateway, and what the database holds."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from channels.exotel_voice.simulator import ExotelCall
from channels.twilio_voice.call import SimulatedCall
from services.accounts.models import ChannelAccount
from services.accounts.service import create_account
from services.messaging.models import Message, OutboxItem
from tests.support.gateway import LiveGateway

HINDI = ("9", "1")
"""Keys to Hindi in the demo state's language menu: English (the default) alone first, then
"9" for the others, Hindi the first of them."""
URDU = ("9", "3")


def press(call: Any, keys: tuple[str, ...]) -> Any:
    """Press keys one after the other on a simulated call; what the last one made heard."""
    heard = None
    for key in keys:
        heard = call.answer(key)
    return heard


def new_number() -> str:
    """A fresh Indian mobile number."""
    return "+9197" + str(secrets.randbelow(10**8)).zfill(8)


def twilio_call(gateway: LiveGateway, caller: str | None = None,
                account: dict[str, str] | None = None) -> SimulatedCall:
    """A call from a new number to the demo city's (or the given) Twilio voice number."""
    acc = account or gateway.account("twilio-voice")
    return SimulatedCall(acc["webhook_url"], acc["account_sid"], acc["auth_token"],
                         caller or new_number(), acc["address"])


def exotel_call(gateway: LiveGateway, caller: str | None = None,
                missed: bool = False) -> ExotelCall:
    """A call to the demo city's ExoPhone (Exotel sends Indian numbers with a leading 0)."""
    acc = gateway.account("exotel-voice")
    number = caller or new_number()
    return ExotelCall(acc["webhook_url"], acc["token"], "0" + number[3:], acc["address"],
                      missed_call_number=missed)


@pytest.fixture
def call(gateway: LiveGateway) -> Callable[..., SimulatedCall]:
    """Make Twilio calls to the gateway."""
    return lambda **kw: twilio_call(gateway, **kw)


def add_account(gateway: LiveGateway, channel_type: str, config: dict[str, Any]) -> dict[str, str]:
    """Register another simulated account in the demo city; its directory entry."""
    with gateway.ctx.sessions() as db:
        account = create_account(db, gateway.ctx.crypto, tenant_id="pb.amritsar",
                                 channel_type=channel_type, config=config,
                                 name=f"test {channel_type}", simulated=True)
        db.commit()
        account_id = account.id
    return next(a for a in gateway.http.get("/sim/directory").json()["accounts"]
                if a["id"] == account_id)


def messages(gateway: LiveGateway, account_id: str, direction: str) -> list[Message]:
    """The account's logged messages in one direction, oldest first."""
    with gateway.ctx.sessions() as db:
        return list(db.scalars(select(Message).where(
            Message.account_id == account_id, Message.direction == direction)
            .order_by(Message.created_at, Message.id)))


def outbox_of(gateway: LiveGateway, account_id: str) -> int:
    """Outbox rows of an account's messages."""
    with gateway.ctx.sessions() as db:
        return len(db.scalars(select(OutboxItem.id).join(
            Message, Message.id == OutboxItem.message_id).where(
            Message.account_id == account_id)).all())


def inbox(gateway: LiveGateway, number: str, at_least: int = 1,
          timeout: float = 10.0) -> list[str]:
    """SMS the Twilio simulator delivered to a number, waiting for `at_least`."""
    deadline = time.monotonic() + timeout
    while True:
        got = list(gateway.http.get(f"/sim/twilio/phones/{number}/inbox").json()["messages"])
        if len(got) >= at_least or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def account_row(gateway: LiveGateway, channel_type: str) -> ChannelAccount:
    """The demo city's simulated account of a channel type."""
    with gateway.ctx.sessions() as db:
        row = db.scalar(select(ChannelAccount).where(
            ChannelAccount.tenant_id == "pb.amritsar", ChannelAccount.channel_type == channel_type,
            ChannelAccount.simulated.is_(True)))
        assert row is not None
        return row
