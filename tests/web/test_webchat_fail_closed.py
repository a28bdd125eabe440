"""Web chat fails closed: expiring tokens, disabled accounts, per-visitor ids, bad `after`."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import select, update

from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for
from services.contacts.service import get_or_create
from services.grievances.builtin import BuiltinRegistry
from services.messaging.models import Message
from services.security.crypto import Crypto
from services.tenancy.models import Tenant
from tests.services.grievances.helpers import AMRITSAR, file, member
from tests.support.gateway import LiveGateway, WebVisitor


def _session(gateway: LiveGateway, token: str | None = None) -> dict[str, Any]:
    """What `/webchat/session` hands the page."""
    data: dict[str, Any] = gateway.http.post("/webchat/session", json={"token": token}).json()
    return data


def _feed(gateway: LiveGateway, account: str, token: str, **params: str) -> httpx.Response:
    """The reply feed as a token sees it."""
    return gateway.http.get(f"/webchat/{account}/messages", params=params,
                            headers={"Authorization": "Bearer " + token})


def _post(gateway: LiveGateway, session: dict[str, Any], msg_id: str, text: str,
          token: str | None = None) -> httpx.Response:
    """A widget message."""
    return gateway.http.post(session["post_url"], json={"id": msg_id, "text": text},
                             headers={"Authorization": "Bearer " + (token or session["token"])})


def _expired_token(gateway: LiveGateway, account_id: str, address: str) -> str:
    """A genuine token for a visitor, issued long enough ago to have expired."""
    with gateway.ctx.sessions() as db:
        adapter = adapter_for(gateway.ctx.crypto, db.get_one(ChannelAccount, account_id))
    return adapter.issue_client_token(address, now=1_000_000)  # type: ignore[call-arg]


def test_expired_token_gets_401_token_expired_on_feed_and_post(gateway: LiveGateway) -> None:
    """A token past its expiry is refused with a code the page acts on, and opening a session
    with it starts a new visitor rather than reviving the old one."""
    session = _session(gateway)
    address = session["token"].split(".")[0]
    assert _post(gateway, session, "live-0001", "hello").status_code == 200
    old = _expired_token(gateway, session["account"], address)
    feed = _feed(gateway, session["account"], old)
    assert (feed.status_code, feed.json()["detail"]) == (401, {"code": "token_expired"})
    posted = _post(gateway, session, "late-0001", "hello again", token=old)
    assert (posted.status_code, posted.json()) == (401, {"error": "token_expired"})
    assert _session(gateway, old)["token"].split(".")[0] != address


def test_disabled_account_serves_no_history(gateway: LiveGateway) -> None:
    """Switching a web chat account off stops its feed (403 account_disabled) and its posts."""
    session = _session(gateway)
    assert _post(gateway, session, "before-0001", "hello").status_code == 200
    deadline = time.monotonic() + 10  # the turn runs in a worker
    while not _feed(gateway, session["account"], session["token"]).json()["messages"]:
        assert time.monotonic() < deadline, "the message never reached the feed"
        time.sleep(0.05)
    with gateway.ctx.sessions() as db:
        db.execute(update(ChannelAccount).where(ChannelAccount.id == session["account"])
                   .values(active=False))
        db.commit()
    gateway.ctx.accounts.clear()  # webhooks trust their copy for NAGARSETU_ACCOUNT_CACHE_SECONDS
    feed = _feed(gateway, session["account"], session["token"])
    assert (feed.status_code, feed.json()["detail"]) == (403, {"code": "account_disabled"})
    posted = _post(gateway, session, "after-0001", "hello")
    assert (posted.status_code, posted.json()) == (404, {"error": "unknown_account"})


def test_same_client_id_from_two_visitors_is_two_messages(gateway: LiveGateway) -> None:
    """Dedupe is per visitor: Bob's message is not dropped because Alice used his id."""
    alice, bob = _session(gateway), _session(gateway)
    assert _post(gateway, alice, "same-id-0001", "hello from alice").status_code == 200
    assert _post(gateway, bob, "same-id-0001", "hello from bob").status_code == 200
    gateway.settle()
    for visitor, text in ((alice, "hello from alice"), (bob, "hello from bob")):
        messages = _feed(gateway, visitor["account"], visitor["token"]).json()["messages"]
        mine = [m for m in messages if m["direction"] == "in"]
        assert [(m["ref"], m["text"]) for m in mine] == [("same-id-0001", text)]
        assert any(m["direction"] == "out" for m in messages)  # and it was answered
    assert _post(gateway, bob, "same-id-0001", "hello from bob").status_code == 200
    gateway.settle()
    assert gateway.count(Message, Message.direction == "in") == 2  # a retry is still one


def test_after_beyond_utc_is_422_not_500(gateway: LiveGateway) -> None:
    """An `after` UTC cannot represent (year 1 at +14:00) is a client error with a code."""
    session = _session(gateway)
    for after in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"):
        response = _feed(gateway, session["account"], session["token"], after=after)
        assert (response.status_code, response.json()["detail"]) == (422, {"code": "bad_after"})


def test_account_under_an_unknown_key_is_401_with_a_code(gateway: LiveGateway) -> None:
    """Credentials encrypted under a key the ring lacks: a clear refusal, not a 500."""
    session = _session(gateway)
    stranger = Crypto("k9:" + "s" * 40)
    with gateway.ctx.sessions() as db:
        db.execute(update(ChannelAccount).where(ChannelAccount.id == session["account"])
                   .values(config_enc=stranger.encrypt_json({"token_secret": "x" * 32})))
        db.commit()
    feed = _feed(gateway, session["account"], session["token"])
    assert (feed.status_code, feed.json()["detail"]) == (401, {"code": "unknown_key"})
    opened = gateway.http.post("/webchat/session", json={})
    assert (opened.status_code, opened.json()["detail"]) == (401, {"code": "unknown_key"})


def _filed_by_someone_else(gateway: LiveGateway) -> str:
    """A grievance filed by SMS from another citizen, with a staff note naming people."""
    ctx = gateway.ctx
    with ctx.sessions() as db:
        contact = get_or_create(db, ctx.crypto, AMRITSAR, "tel:+919800000077")
        account = db.scalars(select(ChannelAccount).where(
            ChannelAccount.tenant_id == AMRITSAR, ChannelAccount.channel_type == "twilio-sms")
        ).first()
        assert account is not None
        view = file(db, ctx.crypto, description="Garbage outside house 14 of Mr Sharma",
                    contact_id=contact.id, account_id=account.id)
        BuiltinRegistry(db, ctx.crypto).transition(
            scope=AMRITSAR, public_id=view.id, action="assign", actor="staff:1",
            note="Called Mrs Kaur at 98140 12345", assignee=member(db, "JE"))
        db.commit()
    return view.id


def test_a_web_visitor_cannot_walk_grievance_numbers(gateway: LiveGateway) -> None:
    """By default another citizen's number answers exactly like a missing one; with the city's
    `public_status` = status it shows category and status, never the note or the text."""
    public_id = _filed_by_someone_else(gateway)
    visitor = WebVisitor(gateway)
    visitor.chat("", "__open__")
    visitor.chat("English", "en")
    visitor.chat("", "track")
    hidden = visitor.chat(public_id)
    visitor.chat("", "track")
    gap = visitor.chat(public_id[:-6] + "999999")
    first = hidden.split("\n")[0]
    assert first == gap.split("\n")[0] and "couldn't find" in first
    assert "98140" not in hidden and "Kaur" not in hidden
    with gateway.ctx.sessions() as db:
        db.get_one(Tenant, AMRITSAR).public_status = "status"
        db.commit()
    visitor.chat("", "track")
    shown = visitor.chat(public_id)
    assert shown.startswith(f"Complaint {public_id}\nCategory: ")
    assert "Status: Assigned" in shown and "Expected by" not in shown
    assert "98140" not in shown and "Kaur" not in shown and "Sharma" not in shown
