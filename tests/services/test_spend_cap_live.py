"""SMS pumping against a live gateway: many numbers, each one message, and the city's paid
replies stop at its daily cap; staff see it in the CLI and the API, and raising it lets the held
replies go."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.messaging.attempt import Code
from services.messaging.models import OutboxItem
from services.messaging.prices import DEFAULT_PRICES_PAISE, price_of
from services.settings import get_settings
from services.staff.auth import Role, create_key
from tests.support.gateway import LiveGateway, SmsPhone, free_port, make_settings

ALLOWED = 3


@pytest.fixture
def greeting_price(gateway: LiveGateway) -> int:
    """What the first reply (the language question, in the state's languages) costs as Twilio
    SMS, read off an uncapped gateway: the price of a segment times the segments the phone
    received."""
    text = SmsPhone(gateway).chat("hello")
    return price_of(DEFAULT_PRICES_PAISE, "twilio-sms", text, window_open=False)


@pytest.fixture
def capped(tmp_path: Path, greeting_price: int) -> Iterator[LiveGateway]:
    """A gateway whose cities may spend three such replies a day."""
    port = free_port()
    live = LiveGateway(make_settings(tmp_path / "capped", port,
                                     daily_spend_cap_paise=ALLOWED * greeting_price),
                       port).start()
    yield live
    live.stop()


def held(gateway: LiveGateway) -> int:
    """Replies waiting for the cap."""
    return gateway.count(OutboxItem, OutboxItem.last_error == Code.SPEND_CAP,
                         OutboxItem.status == "pending")


def test_pumping_many_numbers_stops_at_the_cap(capped: LiveGateway, greeting_price: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    phones = [SmsPhone(capped) for _ in range(8)]
    for phone in phones:
        phone.send("hello")
    deadline = time.monotonic() + 20
    while held(capped) < len(phones) - ALLOWED:
        assert time.monotonic() < deadline, "replies were neither sent nor held"
        time.sleep(0.1)
    time.sleep(0.5)
    answered = [p for p in phones if p.inbox()]
    assert len(answered) == ALLOWED
    assert held(capped) == len(phones) - ALLOWED  # kept, not lost

    with capped.ctx.sessions() as db:
        key = create_key(db, scope="pb.amritsar", role=Role.VIEWER, name="finance desk")
        db.commit()
    shown = capped.http.get("/api/v1/spend", headers={"Authorization": f"Bearer {key}"}).json()
    assert (shown["spent_paise"], shown["sends"], shown["cap_paise"]) == (
        ALLOWED * greeting_price, ALLOWED, ALLOWED * greeting_price)
    assert shown["capped_at"] is not None and shown["warned_at"] is not None
    other = capped.http.get("/api/v1/spend", params={"tenant": "pb"},
                            headers={"Authorization": f"Bearer {key}"})
    assert other.status_code == 403 and other.json()["detail"]["code"] == "forbidden_tenant"

    monkeypatch.setenv("DATABASE_URL", capped.settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", capped.settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    monkeypatch.setenv("NAGARSETU_DAILY_SPEND_CAP_PAISE", str(ALLOWED * greeting_price))
    get_settings.cache_clear()
    try:
        cli = CliRunner()
        status = cli.invoke(app, ["tenant", "spend", "pb.amritsar"])
        assert status.exit_code == 0, status.output
        assert f"{ALLOWED} paid sends" in status.output and "cap reached" in status.output
        raised = cli.invoke(app, ["tenant", "spend", "pb.amritsar", "--cap", "100000"])
        assert raised.exit_code == 0, raised.output
        assert "of ₹1,000.00 (own cap)" in raised.output
        assert cli.invoke(app, ["tenant", "spend", "pb", "--cap", "lots"]).exit_code != 0
    finally:
        get_settings.cache_clear()
    with capped.ctx.sessions() as db:  # held replies ask again within minutes; now, here
        db.query(OutboxItem).filter(OutboxItem.status == "pending").update(
            {OutboxItem.next_attempt_at: OutboxItem.created_at})
        db.commit()
    capped.settle(timeout=20)
    assert all(p.inbox() for p in phones)
