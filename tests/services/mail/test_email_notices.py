"""Staff with only an e-mail address get their notices by e-mail, over SMTP, with retries."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from services.db.base import utcnow
from services.mail.models import FAILED, PENDING, SENT, EmailItem
from services.mail.queue import deliver, queue_email
from services.mail.smtp import Mail, MailError, send
from services.routing.escalate import run_escalations
from services.routing.models import StaffNotice
from services.staff.models import StaffMember
from tests.services.grievances.citizen import file_by_sms
from tests.services.grievances.helpers import AMRITSAR
from tests.services.routing.city import sanitation
from tests.support.fake_smtp import Received, fake_smtp
from tests.support.gateway import LiveGateway, SmsPhone, free_port, make_settings
from tests.support.services import postgres_database

JE_EMAIL = "je.chahal@mcamritsar.example.in"


@pytest.fixture
def smtp() -> Iterator[Received]:
    """A local SMTP server that wants a login."""
    with fake_smtp(user="mailer", password="s3cret-pass") as received:
        yield received


@pytest.fixture
def mailing(tmp_path: Path, smtp: Received) -> Iterator[LiveGateway]:
    """A gateway whose settings send e-mail through the fake server."""
    port = free_port()
    settings = make_settings(tmp_path, port, smtp_host="127.0.0.1", smtp_port=smtp.port,
                             smtp_starttls=False, smtp_user="mailer",
                             smtp_password="s3cret-pass",
                             smtp_from="MC Amritsar <noreply@mcamritsar.example.in>")
    live = LiveGateway(settings, port).start()
    yield live
    live.stop()


def _wait(smtp: Received, count: int, timeout: float = 15.0) -> None:
    """Until the server took `count` messages."""
    deadline = time.monotonic() + timeout
    while len(smtp.messages) < count:
        assert time.monotonic() < deadline, "no e-mail arrived"
        time.sleep(0.05)


def test_an_officer_with_only_an_email_gets_the_notice_by_email(
        mailing: LiveGateway, smtp: Received) -> None:
    gateway = mailing
    with gateway.ctx.sessions() as db:
        team = sanitation(db, gateway.ctx.crypto)
        je = db.get_one(StaffMember, team.je_w02)
        je.email_enc = gateway.ctx.crypto.encrypt(JE_EMAIL)
        db.commit()
    gid = file_by_sms(gateway, SmsPhone(gateway), language="en", locality="ranjit-avenue")
    _wait(smtp, 1)
    sender, rcpts, message = smtp.messages[0]
    assert (sender, rcpts) == ("noreply@mcamritsar.example.in", [JE_EMAIL])
    assert smtp.logins == [("mailer", "s3cret-pass")]
    assert message["Subject"] == f"शिकायत {gid}"  # the JE's language, Hindi
    body = message.get_content()
    assert gid in body and "कचरा" in body and "सौंपी" in body
    with gateway.ctx.sessions() as db:
        (notice,) = db.scalars(select(StaffNotice)).all()
        assert (notice.staff_id, notice.kind, notice.channel) == (team.je_w02, "assigned",
                                                                  "email")
        row = db.get_one(EmailItem, notice.outbox_id)
        assert (row.status, row.attempts) == (SENT, 1)
        assert JE_EMAIL not in row.to_enc and gid not in row.body_enc  # encrypted at rest


def _queued(gateway: LiveGateway, to: str) -> str:
    """An e-mail queued for a staff member of the demo city (the team made on first use)."""
    with gateway.ctx.sessions() as db:
        member = db.scalars(select(StaffMember).where(StaffMember.tenant_id == AMRITSAR)).first()
        if member is None:
            member = db.get_one(StaffMember, sanitation(db, gateway.ctx.crypto).ee)
        found = queue_email(db, gateway.ctx.crypto, tenant_id=AMRITSAR, staff_id=member.id,
                            to=to, subject="Test", body="Body text", language="en")
        db.commit()
    return found


def _due_now(gateway: LiveGateway, email_id: str) -> None:
    """Skip the backoff wait."""
    with gateway.ctx.sessions() as db:
        db.execute(update(EmailItem).where(EmailItem.id == email_id)
                   .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.commit()


@pytest.mark.parametrize("database", ["sqlite", pytest.param(
    "postgresql", marks=pytest.mark.integration)])
def test_a_busy_server_is_retried_and_a_refused_address_fails(tmp_path: Path, smtp: Received,
                                                             database: str) -> None:
    """On SQLite and PostgreSQL (the claim is a conditional UPDATE on its time)."""
    port = free_port()
    with ExitStack() as stack:
        extra = ({} if database == "sqlite"
                 else {"database_url": stack.enter_context(postgres_database())})
        settings = make_settings(tmp_path, port, smtp_host="127.0.0.1", smtp_port=smtp.port,
                                 smtp_starttls=False, smtp_user="mailer",
                                 smtp_password="s3cret-pass", sweep_interval_seconds=3600,
                                 **extra)
        gateway = LiveGateway(settings, port).start()
        stack.callback(gateway.stop)
        _busy_then_refused(gateway, smtp)


def _busy_then_refused(gateway: LiveGateway, smtp: Received) -> None:
    """A 421 is retried once due, a 550 recipient fails at once."""
    smtp.busy = 1
    first = _queued(gateway, "ee@mcamritsar.example.in")
    assert deliver(gateway.ctx, first) == PENDING  # 421: tried again later
    assert deliver(gateway.ctx, first) is None  # not due yet: not claimed
    _due_now(gateway, first)
    assert deliver(gateway.ctx, first) == SENT
    assert deliver(gateway.ctx, first) is None  # sent once, never again
    assert [rcpts for _, rcpts, _ in smtp.messages] == [["ee@mcamritsar.example.in"]]
    smtp.refuse.add("gone@mcamritsar.example.in")
    second = _queued(gateway, "gone@mcamritsar.example.in")
    assert deliver(gateway.ctx, second) == FAILED
    with gateway.ctx.sessions() as db:
        assert db.get_one(EmailItem, second).error_code == "recipient_refused"
        assert db.get_one(EmailItem, first).error_code is None


def test_wrong_credentials_are_retried_until_the_attempts_are_used(tmp_path: Path,
                                                                  smtp: Received) -> None:
    port = free_port()
    settings = make_settings(tmp_path, port, smtp_host="127.0.0.1", smtp_port=smtp.port,
                             smtp_starttls=False, smtp_user="mailer", smtp_password="wrong",
                             email_max_attempts=2, sweep_interval_seconds=3600)
    gateway = LiveGateway(settings, port).start()
    try:
        queued = _queued(gateway, "ee@mcamritsar.example.in")
        assert deliver(gateway.ctx, queued) == PENDING
        _due_now(gateway, queued)
        assert deliver(gateway.ctx, queued) == FAILED
        with gateway.ctx.sessions() as db:
            assert db.get_one(EmailItem, queued).error_code == "smtp_auth_failed"
        assert smtp.messages == []
    finally:
        gateway.stop()


def test_starttls_is_required_when_asked_and_development_only_logs(
        tmp_path: Path, smtp: Received, caplog: pytest.LogCaptureFixture) -> None:
    mail = Mail("ee@mcamritsar.example.in", "Subject", "Body")
    secure = make_settings(tmp_path, 1, smtp_host="127.0.0.1", smtp_port=smtp.port,
                           smtp_user="mailer", smtp_password="s3cret-pass")
    with pytest.raises(MailError) as refused:
        send(secure, mail, "e1")  # the server offers no STARTTLS: no login in clear
    assert (refused.value.code, refused.value.retryable) == ("starttls_unsupported", True)
    assert smtp.logins == [] and smtp.messages == []
    with caplog.at_level(logging.INFO, logger="services.mail.smtp"):
        send(make_settings(tmp_path, 1), mail, "e2")  # development, no host: logged only
    assert any("e2" in r.getMessage() for r in caplog.records)
    assert not any("ee@" in r.getMessage() for r in caplog.records)
    production = make_settings(tmp_path, 1, env="test", simulators=None, seed_demo=None)
    with pytest.raises(MailError, match="smtp_not_configured"):
        send(production, mail, "e3")


def test_an_escalation_emailed_hands_no_email_id_to_the_outbox_dispatcher(
        mailing: LiveGateway, smtp: Received) -> None:
    """The new holder with only an e-mail gets it by mail; the escalation hands the
    dispatcher only outbox rows (the e-mail's id names no outbox row)."""
    gateway = mailing
    with gateway.ctx.sessions() as db:
        team = sanitation(db, gateway.ctx.crypto)
        ee = db.get_one(StaffMember, team.ee)
        ee.phone_enc, ee.email_enc = None, gateway.ctx.crypto.encrypt(JE_EMAIL)
        db.commit()
    file_by_sms(gateway, SmsPhone(gateway), language="en", locality="ranjit-avenue")
    gateway.settle()
    ctx = gateway.ctx
    (done,) = run_escalations(ctx.sessions, ctx.crypto, ctx.dispatcher,
                              clock=lambda: utcnow() + timedelta(hours=49))
    with ctx.sessions() as db:
        notice = db.scalars(select(StaffNotice).where(StaffNotice.kind == "escalated")).one()
        assert (notice.staff_id, notice.channel) == (team.ee, "email")
        assert db.get(EmailItem, notice.outbox_id) is not None
    assert notice.outbox_id not in done.outbox_ids
    _wait(smtp, 1)
