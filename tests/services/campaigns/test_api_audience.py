"""The staff API takes an audience as an uploaded CSV or a query: refused rows answered with
their line numbers, duplicates and exclusions counted, nothing dropped silently."""

from __future__ import annotations

from services.consent.record import opt_out
from services.contacts.service import get_or_create
from services.staff.auth import Role
from tests.services.campaigns.test_api import CITY, key, sms_account, spec
from tests.support.gateway import LiveGateway

CSV = ("phone,name,language,ward\n"
       "98140 00011,Asha,en,Ward 7\n"
       "98140 00012,Ravi,hi,Ward 7\n"
       "not a number,Bad,en,Ward 7\n"
       "+91 98140 00011,Asha again,en,Ward 7\n"
       "98140 00013,Stopped,en,Ward 9\n"
       "98140 00014,Jas,zz,Ward 9\n")


def test_a_csv_upload_answers_its_bad_rows_by_line(gateway: LiveGateway) -> None:
    officer = key(gateway)
    with gateway.ctx.sessions() as db:
        stopped = get_or_create(db, gateway.ctx.crypto, CITY, "tel:+919814000013")
        db.flush()
        opt_out(db, stopped, opted_out=True, channel_type="twilio-sms")
        db.commit()
    made = gateway.http.post("/api/v1/campaigns", json=spec(sms_account(gateway)),
                             headers=officer).json()
    url = f"/api/v1/campaigns/{made['id']}/audience.csv"
    answer = gateway.http.post(url, content=CSV.encode(), headers={
        **officer, "Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(e["line"], e["code"]) for e in body["errors"]] == [
        (4, "invalid_phone"), (5, "duplicate"), (7, "unknown_language")]
    assert (body["written"], body["excluded"], body["duplicates"], body["rows"],
            body["total"]) == (2, {"opted_out": 1}, 1, 6, 2)
    assert body["refused_by_code"] == {"invalid_phone": 1, "duplicate": 1,
                                       "unknown_language": 1}
    again = gateway.http.post(url, content=b"mobile,ward\n9814000012,Ward 7\n", headers={
        **officer, "Content-Type": "text/csv"}).json()
    assert (again["written"], again["duplicates"], again["total"]) == (0, 1, 2)
    followed = gateway.http.get(f"/api/v1/campaigns/{made['id']}", headers=officer).json()
    assert followed["counters"]["opted_out"] == 1 and followed["total"] == 2
    assert followed["counters"]["excluded"] == {"opted_out": 1, "duplicate": 1}


def test_csv_and_query_refusals(gateway: LiveGateway) -> None:
    officer = key(gateway)
    made = gateway.http.post("/api/v1/campaigns", json=spec(sms_account(gateway),
                                                            name="notice"),
                             headers=officer).json()
    base = f"/api/v1/campaigns/{made['id']}"
    csv = {**officer, "Content-Type": "text/csv"}
    header = gateway.http.post(f"{base}/audience.csv", content=b"name\nAsha\n", headers=csv)
    assert header.status_code == 422
    assert header.json()["detail"]["code"] == "no_phone_column"
    latin = gateway.http.post(f"{base}/audience.csv", content="phone,name\n1,Jos\xe9\n"
                              .encode("latin-1"), headers=csv)
    assert latin.status_code == 422 and latin.json()["detail"]["code"] == "invalid_encoding"
    ward = gateway.http.post(f"{base}/audience", json={"source": "ward", "ward": "W99"},
                             headers=officer)
    assert ward.status_code == 422 and ward.json()["detail"]["code"] == "unknown_ward"
    missing = gateway.http.post(f"{base}/audience", json={"source": "bills_due"},
                                headers=officer)
    assert missing.status_code == 422 and missing.json()["detail"]["code"] == "invalid_query"
    due = gateway.http.post(f"{base}/audience", json={"source": "bills_due", "within_days": 7},
                            headers=officer)
    assert due.status_code == 200, due.text
    assert due.json()["errors"] == []
    reader = key(gateway, name="viewer", role=Role.VIEWER)
    assert gateway.http.post(f"{base}/audience.csv", content=b"phone\n9814000021\n",
                             headers={**reader, "Content-Type": "text/csv"}).status_code == 403
    other = key(gateway, scope="pb.ludhiana", name="other city")
    assert gateway.http.post(f"{base}/audience", json={"source": "ward", "ward": "W01"},
                             headers=other).status_code == 404
    first = gateway.http.post(f"{base}/audience.csv", content=b"phone,ward\n9814000021,W\n",
                              headers=csv).json()
    assert first["written"] == 1
    assert gateway.http.post(f"{base}/submit", headers=officer).json()["status"] == "scheduled"
    late = gateway.http.post(f"{base}/audience.csv", content=b"phone\n9814000021\n",
                             headers=csv)
    assert late.status_code == 409 and late.json()["detail"]["code"] == "invalid_state"
