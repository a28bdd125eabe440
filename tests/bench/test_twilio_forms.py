"""The benchmark's webhooks are signed as Twilio signs them, each with a fresh MessageSid."""

from __future__ import annotations

from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator

from bench.twilio_forms import SCRIPT, Account, Senders

ACCOUNT = Account("http://127.0.0.1:8000/webhooks/twilio-sms/abc", "AC" + "1" * 32,
                  "secret-token", "+15005550006")


def test_every_request_validates_and_has_its_own_sid() -> None:
    """The SDK's validator accepts each signature over the public URL; sids never repeat."""
    shots = Senders(ACCOUNT, 3).next(9)
    validator = RequestValidator(ACCOUNT.auth_token)
    forms = [dict(parse_qsl(s.body.decode())) for s in shots]
    for shot, form in zip(shots, forms, strict=True):
        assert validator.validate(ACCOUNT.url, form, shot.headers["X-Twilio-Signature"])
    assert len({f["MessageSid"] for f in forms}) == 9
    assert not RequestValidator("other").validate(ACCOUNT.url, forms[0],
                                                  shots[0].headers["X-Twilio-Signature"])


def test_senders_take_turns_and_each_walks_the_script_in_order() -> None:
    """Request i comes from sender i mod n, which sends the next message of its conversation."""
    shots = Senders(ACCOUNT, 2).next(6)
    forms = [dict(parse_qsl(s.body.decode())) for s in shots]
    assert [f["From"] for f in forms] == [shots[0].sender, shots[1].sender] * 3
    assert [f["Body"] for f in forms[::2]] == list(SCRIPT[:3])
