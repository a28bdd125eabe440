"""Through the running gateway: a citizen pays on the Razorpay simulator, Razorpay settles,
finance fetches the day's recon report through the SDK, uploads the bank statement, reconciles
and downloads the reports — only with a finance key of the city or its state."""

from __future__ import annotations

import io
import time
from datetime import date, datetime, timedelta

import openpyxl  # type: ignore[import-untyped]
from sqlalchemy import func, select

from payments.models import GatewayAccount, PaymentAttempt
from payments.razorpay import simulator
from payments.recon.gateway_reports import import_day
from payments.recon.models import SettlementLine
from services.db.base import IST, utcnow
from services.staff.auth import Role, create_key
from tests.payments.conftest import City


def _key(city: City, role: Role = Role.FINANCE, scope: str = "pb.amritsar") -> dict[str, str]:
    """A staff key's header."""
    with city.gateway.ctx.sessions() as db:
        token = create_key(db, scope=scope, role=role, name="finance")
        db.commit()
    return {"Authorization": f"Bearer {token}"}


def _paid(city: City, bill_no: str) -> PaymentAttempt:
    """Pay a demo bill on the simulator and wait for the capture."""
    view = city.start(bill_no)
    simulator.pay(city.attempt(view.id).external_link_id or "")
    deadline = time.monotonic() + 10
    while (row := city.attempt(view.id)).receipt_number is None:  # the worker is done
        assert time.monotonic() < deadline, row.status
        time.sleep(0.05)
    return row


def _statement(utr: str, paise: int, day: date) -> bytes:
    """A bank statement in the default mapping's columns naming the UTR in the narration."""
    return (f"date,narration,reference,debit,credit,balance\n"
            f"{day.isoformat()},NEFT CR RAZORPAY {utr.upper()},,,{paise // 100}."
            f"{paise % 100:02d},99999.00\n").encode()


def test_fetch_import_reconcile_and_report(city: City) -> None:
    http = city.gateway.http
    first, second = _paid(city, "PT-2026-0001"), _paid(city, "WS-2026-0001")
    today = utcnow().astimezone(IST).date()
    settled = simulator.settle([first.external_payment_id or ""], day=today)
    simulator.add_recon_item(_merchant_key(city), {
        "entity_id": "rfnd_sim1", "type": "refund", "debit": 1000, "credit": 0,
        "amount": 1000, "fee": 0, "tax": 0, "on_hold": False, "settled": True,
        "settled_at": int(datetime.now(IST).timestamp()), "settlement_id": settled["id"],
        "settlement_utr": settled["utr"], "payment_id": first.external_payment_id,
        "created_at": int(time.time())})
    ctx = city.gateway.ctx
    with ctx.sessions() as db:
        account = db.get(GatewayAccount, city.account_id)
        assert account is not None
        db.expunge(account)
    # the SDK pages through the day; no SQLite transaction is open while the simulator (which
    # reads our accounts) answers
    with ctx.sessions() as db:
        report = import_day(db, ctx.crypto, account, today, actor="test")
        db.commit()
    with ctx.sessions() as db:
        again = import_day(db, ctx.crypto, account, today, actor="test")
        db.commit()
        assert (report.rows_total, report.rows_new, report.rows_bad) == (2, 2, 0)
        assert again.duplicate_file and again.rows_new == 0
        line = db.scalar(select(SettlementLine).where(SettlementLine.kind == "payment"))
        assert line is not None and line.payment_ref == first.external_payment_id
        assert line.fee_paise + line.tax_paise + line.credit_paise == line.amount_paise
        assert line.tax_paise == (line.fee_paise * 18 + 50) // 100 and line.fee_paise > 0
    auth = _key(city)
    bank = http.post("/api/v1/finance/imports/bank", headers=auth, params={"filename": "b.csv"},
                     content=_statement(settled["utr"], settled["amount"] - 1000, today))
    assert bank.status_code == 200 and bank.json()["rows_new"] == 1, bank.text
    ran = http.post("/api/v1/finance/reconcile", headers=auth,
                    params={"as_of": (today + timedelta(days=7)).isoformat()})
    assert ran.status_code == 200, ran.text
    opened = ran.json()["open_by_kind"]
    # the second payment was never settled; the refund line is for finance to see; the demo's
    # bills paid at the counter have no payment here
    assert opened.pop("not_settled") == 1 and opened.pop("refund_line") == 1
    assert set(opened) == {"paid_without_payment"}
    listed = http.get("/api/v1/finance/exceptions", headers=auth,
                      params={"kind": "not_settled"}).json()
    assert [e["payment_ref"] for e in listed] == [second.external_payment_id]
    done = http.post(f"/api/v1/finance/exceptions/{listed[0]['id']}/resolve", headers=auth,
                     json={"note": "settles with tomorrow's batch"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    summary = http.get("/api/v1/finance/reports/settlements", headers=auth,
                       params={"first": today.isoformat()})
    assert summary.status_code == 200 and summary.headers["content-type"].startswith("text/csv")
    header, row = summary.text.strip().splitlines()
    assert header.startswith("settlement,utr,settled_on,payments,gross,refunds")
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert cells["settlement"] == settled["id"] and cells["refunds"] == "10.00"
    assert cells["bank_credit"] == cells["net"]
    book = http.get("/api/v1/finance/reports/collections", headers=auth,
                    params={"first": today.isoformat(), "format": "xlsx"})
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("date", "service", "channel", "mode", "ward", "payments", "amount")
    assert sorted((r[1], r[5]) for r in values[1:]) == [("property_tax", 1), ("water", 1)]
    water = next(r for r in values[1:] if r[1] == "water")
    assert float(water[6]) == 423.50


def _merchant_key(city: City) -> str:
    """The simulated account's key id."""
    with city.gateway.ctx.sessions() as db:
        account = db.get(GatewayAccount, city.account_id)
        assert account is not None
        return str(city.gateway.ctx.crypto.decrypt_json(account.config_enc)["key_id"])


def test_only_finance_staff_of_the_city_or_its_state_see_it(city: City) -> None:
    http = city.gateway.http
    day = {"first": "2026-11-20"}
    for role in (Role.VIEWER, Role.OFFICER, Role.ADMIN):
        refused = http.get("/api/v1/finance/reports/receipts", params=day,
                           headers=_key(city, role))
        assert refused.status_code == 403 and refused.json()["detail"]["code"] == "forbidden_role"
    other = http.get("/api/v1/finance/reports/receipts",
                     params={**day, "tenant": "pb.amritsar"},
                     headers=_key(city, scope="pb.ludhiana"))
    assert other.status_code == 403 and other.json()["detail"]["code"] == "forbidden_tenant"
    assert http.get("/api/v1/finance/reports/receipts", params=day).status_code == 401
    state = http.get("/api/v1/finance/reports/receipts",
                     params={**day, "tenant": "pb.amritsar"}, headers=_key(city, scope="pb"))
    assert state.status_code == 200 and state.text.startswith("number,issued_at")
    bad = http.get("/api/v1/finance/reports/receipts", headers=_key(city),
                   params={"first": "2026-11-20", "last": "2026-01-01"})
    assert bad.status_code == 400 and bad.json()["detail"]["code"] == "invalid_range"
    with city.gateway.ctx.sessions() as db:
        assert db.scalar(select(func.count()).select_from(SettlementLine)) == 0
