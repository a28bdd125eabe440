"""Anyone verifies a receipt with the published key or its QR link; the PDF by signed link."""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from payments.receipts.canonical import SignedFields
from payments.receipts.issue import ReceiptInput, issue_receipt, signed_fields
from payments.receipts.links import pdf_path, verify_url
from payments.receipts.models import Receipt
from payments.receipts.query import recent_receipts
from payments.receipts.signing import verify
from services.contacts.models import Contact
from services.context import build_context
from services.db.migrate import upgrade
from services.tenancy.models import Tenant
from services.web.access_log import redact
from services.web.app import create_app
from tests.payments.receipts.support import payment
from tests.support.gateway import make_settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """An app on a migrated SQLite database with Amritsar and a receipt."""
    settings = make_settings(tmp_path, 8000)
    upgrade(settings.database_url)
    ctx = build_context(settings)
    with ctx.sessions() as db:
        db.add(Tenant(id="pb", code="PB", names={"en": "Punjab"}, languages=[]))
        db.flush()
        db.add(Tenant(id="pb.amritsar", parent_id="pb", code="PB-AMR",
                      names={"en": "Amritsar", "hi": "अमृतसर"}, languages=[]))
        db.commit()
    with TestClient(create_app(ctx=ctx)) as test_client:
        yield test_client
    ctx.close()


def issued(client: TestClient, data: ReceiptInput | None = None) -> Receipt:
    """A receipt issued and committed in the app's database."""
    with client.app.state.ctx.sessions() as db:  # type: ignore[attr-defined]
        receipt = issue_receipt(db, data or payment())
        db.commit()
        return receipt


def test_a_receipt_verifies_with_only_the_published_key_and_a_tampered_one_fails(
        client: TestClient) -> None:
    receipt = issued(client)
    keys = client.get("/receipts/keys/pb.amritsar").json()["keys"]
    assert [k["key_id"] for k in keys] == [receipt.key_id] and keys[0]["current"]
    printed = signed_fields(receipt, "Harpreet Kaur")  # everything the paper shows
    assert verify(keys[0]["public_key"], printed, receipt.signature)
    for change in ({"amount_paise": 1}, {"consumer_no": "PT-0042-7782"},
                   {"payer_name": "Someone Else"}, {"number": "AMR/PT/2026-27/000002"}):
        tampered = dataclasses.replace(printed, **change)
        assert not verify(keys[0]["public_key"], tampered, receipt.signature)
    assert printed.message().startswith(b'nagarsetu-receipt-v1\n{"amount_paise":123456750,')
    assert client.get("/receipts/keys/pb.nowhere").status_code == 404


def test_the_qr_link_says_genuine_in_the_readers_language_and_shows_nothing_private(
        client: TestClient) -> None:
    receipt = issued(client)
    url = urlsplit(verify_url("http://x", receipt.number, receipt.signature, "hi"))
    page = client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200 and 'lang="hi"' in page.text
    assert 'data-genuine="true"' in page.text and "अमृतसर" in page.text
    assert "₹12,34,567.50" in page.text and "xxxxxxxx7781" in page.text
    assert "PT-0042-7781" not in page.text and "Harpreet" not in page.text
    answer = client.get(f"{url.path}?sig={receipt.signature}&format=json").json()
    assert answer["genuine"] and answer["receipt"]["consumer_no"] == "xxxxxxxx7781"
    assert "Harpreet" not in str(answer)
    forged = receipt.signature[:-2] + ("AA" if receipt.signature[-2:] != "AA" else "BA")
    wrong = client.get(f"{url.path}?sig={forged}", headers={"Accept-Language": "ta-IN"})
    assert 'data-genuine="false"' in wrong.text and 'lang="ta"' in wrong.text
    assert "AMR" not in wrong.text.split("<body>")[1]
    assert client.get(f"{url.path}?sig=short").status_code == 422


def test_a_changed_row_no_longer_verifies(client: TestClient) -> None:
    receipt = issued(client)
    with client.app.state.ctx.sessions() as db:  # type: ignore[attr-defined]
        row = db.get_one(Receipt, receipt.id)
        row.amount_paise = 100
        db.commit()
    answer = client.get(f"/receipts/verify/{receipt.number}",
                        params={"sig": receipt.signature, "format": "json"}).json()
    assert answer == {"genuine": False, "receipt": None}


def test_the_pdf_opens_by_signed_link_until_it_expires(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    receipt = issued(client)
    crypto = client.app.state.ctx.crypto  # type: ignore[attr-defined]
    path, _ = pdf_path(crypto, receipt.id, "hi", 60)
    answer = client.get(path)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert answer.headers["content-type"] == "application/pdf"
    assert client.get(path.replace("lang=hi", "lang=ta")).json()["detail"]["code"] == (
        "bad_signature")
    old, _ = pdf_path(crypto, receipt.id, "hi", 60, now=0)
    assert client.get(old).json()["detail"]["code"] == "link_expired"


def test_my_payments_lists_only_the_citizens_own_receipts_in_their_city(
        client: TestClient) -> None:
    with client.app.state.ctx.sessions() as db:  # type: ignore[attr-defined]
        mine, theirs = (Contact(tenant_id="pb.amritsar", urn_hash=secrets.token_hex(8),
                                urn_enc="x") for _ in range(2))
        db.add_all([mine, theirs])
        db.commit()
    first = issued(client, payment(contact_id=mine.id))
    second = issued(client, payment(contact_id=mine.id, service="water"))
    issued(client, payment(contact_id=theirs.id))
    with client.app.state.ctx.sessions() as db:  # type: ignore[attr-defined]
        own = recent_receipts(db, tenant_id="pb.amritsar", contact_id=mine.id)
        elsewhere = recent_receipts(db, tenant_id="pb.ludhiana", contact_id=mine.id)
    assert {r.number for r in own} == {first.number, second.number} and elsewhere == []
    assert re.fullmatch(r"AMR/WS/2026-27/000001", second.number)
    assert isinstance(signed_fields(first, None), SignedFields)


def test_a_pdf_link_never_reaches_the_access_log() -> None:
    line = '127.0.0.1:5000 - "GET /receipts/pdf/0a1b?lang=hi&exp=1700000000&sig=' + "f" * 64
    assert redact(line + ' HTTP/1.1"') == '127.0.0.1:5000 - "GET /receipts/pdf/0a1b HTTP/1.1"'
