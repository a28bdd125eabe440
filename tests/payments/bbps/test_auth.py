"""Who may call the biller API: the aggregator's credentials, from its addresses only."""

from __future__ import annotations

import base64
import json
import time

import pytest
from sqlalchemy import select

from payments.bbps.auth import make_jwt, verify_jwt
from payments.bbps.errors import BbpsError
from payments.bbps.models import BbpsBiller
from tests.payments.bbps.conftest import Biller, fixture

BODY = fixture("fetch__customer_id", consumer="2301004512")


def _call(biller: Biller, authorization: str | None, biller_id: str | None = None) -> tuple[
        int, str]:
    """(status, error code) of a fetch with this Authorization header."""
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    answer = biller.gateway.http.post(f"/bbps/{biller_id or biller.id}/bills/fetch",
                                      content=BODY, headers=headers)
    body = answer.json()
    return answer.status_code, (body.get("error") or {}).get("code", "")


def _b64(data: dict[str, object]) -> str:
    """base64url JSON without padding."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_the_aggregators_token_is_accepted(tax: Biller) -> None:
    assert _call(tax, "Bearer " + make_jwt(tax.scheme_id, tax.secret)) == (200, "")


@pytest.mark.parametrize(("header", "code"), [
    (None, "invalid-auth-header"),
    ("Basic dXNlcjpwYXNz", "invalid-auth-header"),
    ("Bearer not.a.jwt.at.all", "invalid-auth-header"),
    ("Bearer " + make_jwt("someone-else", "x" * 32), "jwt-verification-failed"),
])
def test_wrong_credentials_are_refused(tax: Biller, header: str | None, code: str) -> None:
    status, got = _call(tax, header)
    assert got == code and status in (400, 401)


def test_a_token_signed_with_another_secret_or_audience_is_refused(tax: Biller) -> None:
    assert _call(tax, "Bearer " + make_jwt(tax.scheme_id, "a-different-secret-1234")) == (
        401, "jwt-verification-failed")
    assert _call(tax, "Bearer " + make_jwt("other-scheme", tax.secret)) == (
        401, "jwt-verification-failed")


def test_a_stale_token_is_refused(tax: Biller) -> None:
    stale = make_jwt(tax.scheme_id, tax.secret, iat=time.time() - 121)
    assert _call(tax, "Bearer " + stale) == (401, "jwt-token-expired")
    ahead = make_jwt(tax.scheme_id, tax.secret, iat=time.time() + 600)
    assert _call(tax, "Bearer " + ahead) == (401, "jwt-verification-failed")


def test_an_unsigned_token_is_refused(tax: Biller) -> None:
    claims = {"aud": tax.scheme_id, "iat": int(time.time()), "jti": "x"}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert _call(tax, "Bearer " + unsigned) == (401, "jwt-verification-failed")
    with pytest.raises(BbpsError):
        verify_jwt(unsigned, tax.scheme_id, tax.secret)


def test_another_billers_token_opens_nothing_here(tax: Biller, water: Biller) -> None:
    assert _call(tax, "Bearer " + make_jwt(water.scheme_id, water.secret)) == (
        401, "jwt-verification-failed")


def test_calls_from_an_address_not_allowed_are_refused(tax: Biller) -> None:
    with tax.gateway.ctx.sessions() as db:
        row = db.get(BbpsBiller, tax.id)
        assert row is not None
        row.allowed_ips = ["10.20.0.0/16"]
        db.commit()
    assert _call(tax, "Bearer " + make_jwt(tax.scheme_id, tax.secret)) == (403, "forbidden")


def test_unknown_or_disabled_billers_answer_not_found(tax: Biller) -> None:
    token = "Bearer " + make_jwt(tax.scheme_id, tax.secret)
    assert _call(tax, token, biller_id="0" * 32) == (404, "entity-not-found")
    with tax.gateway.ctx.sessions() as db:
        row = db.scalar(select(BbpsBiller).where(BbpsBiller.id == tax.id))
        assert row is not None
        row.active = False
        db.commit()
    assert _call(tax, token) == (404, "entity-not-found")


def test_the_database_down_is_a_503_in_the_contracts_shape(tax: Biller) -> None:
    tax.gateway.ctx.db_engine.dispose()
    original = tax.gateway.ctx.sessions.kw.get("bind")
    from sqlalchemy import create_engine

    tax.gateway.ctx.sessions.configure(bind=create_engine("sqlite:////nonexistent/dir/x.db"))
    try:
        status, code = _call(tax, "Bearer " + make_jwt(tax.scheme_id, tax.secret))
    finally:
        tax.gateway.ctx.sessions.configure(bind=original)
    assert (status, code) == (503, "service-unavailable")
