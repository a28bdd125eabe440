"""Authentic webhooks that do not fit are refused with a 400/413 and a code, never a 500.

Each case is signed with the account's real credentials, so only the bound can refuse it; on
PostgreSQL an over-long id used to fail the transaction (StringDataRightTruncation), a 500 the
provider retries for a day. Nothing of a refused request is stored.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx

from channels.whatsapp_cloud.payloads import SIGNATURE_HEADER, envelope, signature
from services.inbox.models import InboxEvent
from tests.support.gateway import LiveGateway, SmsPhone

DEEP = 1000


DEEP_JSON = "[" * DEEP + '"x"' + "]" * DEEP
"""A JSON value nested a thousand lists deep (too deep for `json.dumps` to write)."""
HOLE = "@@deep@@"


def with_deep(payload: Any) -> bytes:
    """The payload as JSON with the string HOLE replaced by DEEP_JSON."""
    return json.dumps(payload).replace(json.dumps(HOLE), DEEP_JSON).encode()


def refused(response: httpx.Response, status: int, code: str) -> None:
    """The provider is told why, with a code."""
    assert response.status_code == status, response.text
    assert response.json()["error"] == code


def test_twilio_ids_texts_and_bodies_out_of_bounds(live: LiveGateway) -> None:
    phone = SmsPhone(live)
    refused(phone.post(phone.form("hello", sid="SM" + "a" * 150)), 400, "invalid_event_id")
    refused(phone.post({**phone.form("hello"), "From": "+91" + "9" * 80}), 400,
            "sender_too_long")
    refused(phone.post(phone.form("x" * 5000)), 400, "text_too_long")
    refused(phone.post(phone.form("x" * 1_000_000)), 413, "payload_too_large")
    assert live.count(InboxEvent) == 0
    phone.send("hello", sid="SM" + "b" * 98)  # 100 characters fit
    assert live.count(InboxEvent) == 1  # recorded; the turn runs in a worker


def test_whatsapp_cloud_long_wamid_and_deep_json(live: LiveGateway) -> None:
    account = live.account("whatsapp-cloud")

    def post(payload: Any) -> httpx.Response:
        body = with_deep(payload)
        return live.http.post(account["webhook_url"], content=body, headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(account["app_secret"], body)})

    message = {"from": "919876543210", "id": "wamid." + "A" * 200, "timestamp": "1767225600",
               "type": "text", "text": {"body": "hello"}}
    value = {"contacts": [{"wa_id": "919876543210", "profile": {"name": "A"}}],
             "messages": [message]}
    refused(post(envelope(account["phone_number_id"], account["address"], value)), 400,
            "invalid_event_id")
    deep = envelope(account["phone_number_id"], account["address"], value)
    deep["entry"][0]["changes"][0]["value"]["messages"][0]["text"] = HOLE
    refused(post(deep), 400, "json_too_deep")
    refused(post(HOLE), 400, "json_too_deep")
    assert live.count(InboxEvent) == 0


def test_telegram_huge_update_id_and_deep_json(live: LiveGateway) -> None:
    account = live.account("telegram")
    headers = {"X-Telegram-Bot-Api-Secret-Token": account["secret_token"]}
    update = {"update_id": 10**120, "message": {
        "message_id": 1, "date": 1767225600, "text": "hello",
        "chat": {"id": 5550001, "type": "private"},
        "from": {"id": 5550001, "is_bot": False, "first_name": "A"}}}
    refused(live.http.post(account["webhook_url"], json=update, headers=headers), 400,
            "malformed_payload")
    refused(live.http.post(account["webhook_url"], content=with_deep({"update_id": 1, "x": HOLE}),
                           headers={**headers, "Content-Type": "application/json"}), 400,
            "json_too_deep")
    assert live.count(InboxEvent) == 0


def test_msg91_deep_json(live: LiveGateway) -> None:
    account = live.account("msg91-sms")
    for body in (DEEP_JSON.encode(), json.dumps({"data": DEEP_JSON}).encode()):
        response = live.http.post(account["webhook_url"] + "/status",
                                  params={"token": account["webhook_secret"]}, content=body,
                                  headers={"Content-Type": "application/json"})
        refused(response, 400, "json_too_deep")
    assert live.count(InboxEvent) == 0


def test_an_id_of_any_shape_fits_once_bounded(live: LiveGateway) -> None:
    """The message log keeps what passed the bounds; duplicates still have one effect."""
    phone = SmsPhone(live)
    sid = "SM" + secrets.token_hex(49)  # exactly 100 characters
    phone.send("hello", sid=sid)
    phone.send("hello", sid=sid)
    assert live.count(InboxEvent, InboxEvent.external_id == sid) == 1
