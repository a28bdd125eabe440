"""The IVR benchmark's calls are what Twilio sends: the gateway accepts every signed webhook
and answers each key with the next prompt, so the benchmark measures real turns."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bench.ivr_answer import KEYS, Line, call, next_action
from services.messaging.models import Message
from tests.support.gateway import LiveGateway


def _one_call(line: Line, caller: str, latencies: list[float | None]) -> bool:
    """Run one benchmark call (no think time) against the line; whether it completed."""
    import aiohttp

    async def one() -> bool:
        async with aiohttp.ClientSession() as session:
            return await call(session, line, caller, 0.0, 15.0, latencies)

    return asyncio.run(one())


def test_a_benchmark_call_walks_the_ivr_turn_by_turn(gateway: LiveGateway) -> None:
    account = gateway.account("twilio-voice")
    line = Line(account["webhook_url"], account["account_sid"], account["auth_token"],
                account["address"])
    latencies: list[float | None] = []
    assert _one_call(line, "+919812300001", latencies) is True
    assert len(latencies) == 1 + len(KEYS) and None not in latencies
    with gateway.ctx.sessions() as db:
        said = db.scalars(select(Message).where(Message.direction == "in")).all()
    assert len(said) >= len(KEYS)  # every key reached the conversation as a turn


def test_a_call_signed_with_the_wrong_token_counts_as_failed(gateway: LiveGateway) -> None:
    account = gateway.account("twilio-voice")
    line = Line(account["webhook_url"], account["account_sid"], "not-the-token",
                account["address"])
    latencies: list[float | None] = []
    assert _one_call(line, "+919812300002", latencies) is False
    assert latencies == [None]


def test_the_next_answer_goes_where_the_twiml_says() -> None:
    assert next_action('<Response><Gather action="/x?step=2"><Say>hi</Say></Gather>'
                       "</Response>") == "/x?step=2"
    assert next_action('<Response><Say>hi</Say><Record action="/x?step=3"/></Response>') == (
        "/x?step=3")
    assert next_action("<Response><Hangup/></Response>") is None
