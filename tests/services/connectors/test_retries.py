"""Remote failures: retried with jittered backoff, never filed twice, kept and filed later
when the platform stays down, the citizen told plainly (DIGIT and Open311 fakes)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.connectors.errors import FilingQueued, Refused, Unavailable
from services.connectors.factory import ConnectedGrievances
from services.connectors.filing import file_due
from services.connectors.models import FILED, PENDING, RemoteGrievance
from services.connectors.retry import Policy, delay, retrying
from services.db.base import aware, utcnow
from services.messaging.models import Message
from services.security.crypto import Crypto
from tests.services.connectors.conftest import (
    AMRITSAR,
    Citizen,
    Fake,
    connect,
    connect_digit,
    refs,
)
from tests.services.connectors.test_digit_grievances import file, login


def test_backoff_is_jittered_and_capped() -> None:
    rng = random.Random(7)
    waits = [delay(n, rng=rng) for n in range(12)]
    assert all(2 ** n / 2 <= w <= 2 ** n for n, w in enumerate(waits[:9]))
    assert max(waits) <= 600 and waits[11] >= 300
    assert len({round(delay(3, rng=rng), 6) for _ in range(20)}) > 1  # not all the same


def test_a_refusal_is_not_retried_and_a_found_earlier_try_wins() -> None:
    calls: list[str] = []

    def refuse() -> str:
        calls.append("call")
        raise Refused("platform_refused", 400)

    with pytest.raises(Refused):
        retrying(refuse, sleep=lambda _: None)
    assert calls == ["call"]

    def down() -> str:
        calls.append("down")
        raise Unavailable()

    assert retrying(down, before_retry=lambda: "found", sleep=lambda _: None) == "found"
    with pytest.raises(Unavailable):
        retrying(down, policy=Policy(attempts=2), sleep=lambda _: None)


def test_digit_retry_after_a_lost_answer_files_once(db: Session, crypto: Crypto, digit: Fake,
                                                    citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    digit.knobs(lose_answers=1)  # stored, then 504 as a timed-out gateway answers
    public_id = file(db, crypto, citizen)
    state = digit.state()
    assert [w["service"]["serviceRequestId"] for w in state["services"]] == [public_id]
    assert state["calls"]["create"] == 1  # the retry found it instead of creating again


def test_digit_busy_then_up_is_retried_in_the_turn(db: Session, crypto: Crypto, digit: Fake,
                                                   citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    digit.knobs(fail_creates=1)
    file(db, crypto, citizen)
    state = digit.state()
    assert len(state["services"]) == 1 and state["calls"]["create"] == 2


def _due_now(sessions: sessionmaker[Session]) -> None:
    """Make every pending link due (as the backoff would after a while)."""
    with sessions() as db:
        db.execute(update(RemoteGrievance).values(next_attempt_at=utcnow() - timedelta(1)))
        db.commit()


def test_digit_down_keeps_the_grievance_and_files_it_later(
        sessions: sessionmaker[Session], db: Session, crypto: Crypto, digit: Fake,
        citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    digit.knobs(down=True)
    cat, loc = refs(db)
    registry = ConnectedGrievances().for_tenant(db, crypto, AMRITSAR)
    with pytest.raises(FilingQueued):
        registry.file(tenant_id=AMRITSAR, category_id=cat, locality_id=loc,
                      description="Street light out on the main road",
                      contact_id=citizen.contact_id, account_id=citizen.account_id,
                      channel="sms", actor="citizen")
    db.commit()
    link = db.scalar(select(RemoteGrievance))
    assert link is not None and link.state == PENDING and link.attempts == 1
    assert aware(link.next_attempt_at) > utcnow()  # backed off
    db.commit()  # (SQLite: let the sweeper's sessions write)
    assert file_due(sessions, crypto, ConnectedGrievances()) == []  # not due yet
    _due_now(sessions)
    assert file_due(sessions, crypto, ConnectedGrievances()) == []  # still down: retried later
    digit.knobs(down=False)
    _due_now(sessions)
    [told] = file_due(sessions, crypto, ConnectedGrievances())
    assert file_due(sessions, crypto, ConnectedGrievances()) == []
    [stored] = digit.state()["services"]
    with sessions() as check:
        row = check.scalar(select(RemoteGrievance))
        assert row is not None and row.state == FILED
        assert row.remote_id == stored["service"]["serviceRequestId"]
        message = check.scalars(select(Message).where(Message.contact_id == citizen.contact_id)
                                .order_by(Message.created_at.desc())).first()
        assert message is not None and told
        assert row.remote_id in crypto.decrypt(message.body_enc)


def test_a_sweeper_retry_finds_what_a_lost_answer_filed(
        sessions: sessionmaker[Session], db: Session, crypto: Crypto, digit: Fake,
        citizen: Citizen) -> None:
    """The platform stored the first try but its answer was lost, and it stayed down for the
    turn's retries: the sweeper finds the request by our key instead of filing again."""
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    digit.knobs(lose_answers=1)
    cat, loc = refs(db)
    registry = ConnectedGrievances().for_tenant(db, crypto, AMRITSAR)
    registry.client.pgr_search = _down  # type: ignore[attr-defined]  # search fails too
    with pytest.raises(FilingQueued):
        registry.file(tenant_id=AMRITSAR, category_id=cat, locality_id=loc,
                      description="Water pipe burst near the school",
                      contact_id=citizen.contact_id, account_id=citizen.account_id,
                      channel="sms", actor="citizen")
    db.commit()
    _due_now(sessions)
    file_due(sessions, crypto, ConnectedGrievances())
    state = digit.state()
    assert len(state["services"]) == 1 and state["calls"]["create"] == 1
    with sessions() as check:
        row = check.scalar(select(RemoteGrievance))
        assert row is not None and row.state == FILED


def _down(*_: object) -> list[object]:
    """A search that times out."""
    raise Unavailable()


def test_open311_down_then_filed_once(sessions: sessionmaker[Session], db: Session,
                                      crypto: Crypto, open311: Fake, citizen: Citizen) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="fake-key")
    open311.knobs(down=True)
    cat, loc = refs(db)
    registry = ConnectedGrievances().for_tenant(db, crypto, AMRITSAR)
    with pytest.raises(FilingQueued):
        registry.file(tenant_id=AMRITSAR, category_id=cat, locality_id=loc,
                      description="Garbage not collected for three days",
                      contact_id=citizen.contact_id, account_id=citizen.account_id,
                      channel="sms", actor="citizen")
    db.commit()
    open311.knobs(down=False, lose_answers=1)  # back, but the first answer is lost
    _due_now(sessions)
    [told] = file_due(sessions, crypto, ConnectedGrievances())
    state = open311.state()
    assert len(state["requests"]) == 1 and state["creates"] == 1 and told
