"""Telegram webhooks: real Update JSON in, neutral events out; forged or garbage refused."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.constants import UpdateType

from channels.contract import InboundEvent, Location, WebhookRequest, WebhookResult
from channels.errors import BadSignature, ConfigError, MalformedPayload, WebhookRejected
from channels.registry import build_adapter
from channels.telegram.adapter import Adapter
from channels.telegram.payloads import SECRET_HEADER, kind_of
from tests.channels.telegram.support import BOT, BOT_TOKEN, SECRET

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://nagarsetu.example.in/webhooks/telegram/acc-9"
CITIZEN = "5123456789"
SENT = datetime(2024, 6, 1, 6, 0, tzinfo=UTC)  # 1717221600, the fixtures' message date


@dataclass(frozen=True)
class Ignored:
    """Expected outcome: acknowledged with 200, no event, the reason mentions `what`."""

    what: str


@dataclass(frozen=True)
class Pressed:
    """Expected outcome of a button press: this event (or Ignored), answered in the response."""

    outcome: InboundEvent | Ignored
    query_id: str


Expected = InboundEvent | Ignored | Pressed | type[WebhookRejected]


def event(update_id: int, **fields: Any) -> InboundEvent:
    """An event from the citizen's private chat to our bot, with their first and last name."""
    fields.setdefault("sender_name", "Gurpreet Kaur")
    return InboundEvent(str(update_id), CITIZEN, BOT, **fields)


# fixture (event__variant) -> what the adapter must make of it, with the right secret header.
CASES: dict[str, Expected] = {
    "message__text": event(804512301, text="पानी की सप्लाई दो दिन से बंद है", received_at=SENT),
    "message__start": event(804512300, text="/start", received_at=SENT),
    "message__location": event(804512302, location=Location(31.619972, 74.87653),
                               received_at=SENT),
    "message__venue": event(804512303, location=Location(31.633979, 74.872264), received_at=SENT),
    "message__contact": event(804512304, text="919876543210", received_at=SENT),
    "message__photo": event(804512305, text="Garbage pile near ward 12 park",
                            media_urls=("tg-file:AgACAgUAAxkBAAIBNmZ0_large",), received_at=SENT),
    "message__image_document": event(804512306, media_urls=("tg-file:BQACAgUAAxkBAAIBN2Z0_doc",),
                                     received_at=SENT),
    "message__pdf_document": event(804512316, received_at=SENT),
    "message__sticker": event(804512307, received_at=SENT),
    "message__group_chat": Ignored("supergroup chat"),
    "message__pinned_service": Ignored("service message"),
    "callback_query__button": Pressed(event(804512310, payload="hi"), "2200945583193487741"),
    "callback_query__index": Pressed(event(804512311, text="3"), "2200945583193487742"),
    "callback_query__inline_mode": Pressed(event(804512318, payload="track"),
                                           "2200945583193487745"),
    "callback_query__game": Pressed(Ignored("without callback data"), "2200945583193487743"),
    "callback_query__group_chat": Pressed(Ignored("supergroup chat"), "2200945583193487744"),
    "edited_message__text": Ignored("edited_message"),
    "my_chat_member__blocked": Ignored("my_chat_member"),
    "channel_post__text": Ignored("channel_post"),
    "update__unknown_kind": Ignored("guest_poll_vote"),
    "callback_query__missing_chat_instance": MalformedPayload,
    "message__no_chat": MalformedPayload,
    "message__string_chat_id": MalformedPayload,
    "message__bad_latitude": MalformedPayload,
    "message__text_latitude": MalformedPayload,
    "message__number_as_text": MalformedPayload,
    "message__photo_text_width": MalformedPayload,
    "update__no_update_id": MalformedPayload,
    "update__string_update_id": MalformedPayload,
    "update__no_content": MalformedPayload,
    "update__not_json": MalformedPayload,
    "update__array": MalformedPayload,
}


def adapter(**overrides: str) -> Adapter:
    """The Telegram adapter for the test bot, built through the registry."""
    config = {"bot_token": BOT_TOKEN, "secret_token": SECRET, "address": BOT, **overrides}
    built = build_adapter("telegram", config)
    assert isinstance(built, Adapter)
    return built


def fixture(name: str) -> bytes:
    """An Update exactly as Telegram posts it."""
    return (FIXTURES / f"{name}.json").read_bytes()


def request(body: bytes, secret: str | None = SECRET, header: str = SECRET_HEADER.lower(),
            ) -> WebhookRequest:
    """A POST as Telegram makes it (headers as Starlette hands them over: lower-case)."""
    headers = {"content-type": "application/json", "host": "nagarsetu.example.in"}
    if secret is not None:
        headers[header] = secret
    return WebhookRequest("POST", URL, headers, body)


def deliver(body: bytes, **kwargs: Any) -> WebhookResult:
    """Hand a body to the adapter with the right secret."""
    return adapter().handle_webhook(request(body, **kwargs), "inbound")


def check_answer(result: WebhookResult, query_id: str) -> None:
    """The callback query is answered in the webhook response itself."""
    assert result.response.status == 200
    assert result.response.media_type == "application/json"
    assert json.loads(result.response.body) == {"method": "answerCallbackQuery",
                                                "callback_query_id": query_id}


@pytest.mark.parametrize(("name", "expected"), CASES.items(), ids=list(CASES))
def test_fixture(name: str, expected: Expected) -> None:
    """Each real payload, with the right secret, becomes exactly the expected outcome."""
    body = fixture(name)
    if isinstance(expected, type):
        with pytest.raises(expected) as caught:
            deliver(body)
        assert caught.value.http_status == 400
        return
    result = deliver(body)
    outcome = expected.outcome if isinstance(expected, Pressed) else expected
    if isinstance(expected, Pressed):
        check_answer(result, expected.query_id)
    else:
        assert result.response.status == 200 and result.response.body == ""
    if isinstance(outcome, Ignored):
        assert result.events == ()
        assert result.ignored is not None and outcome.what in result.ignored
    else:
        assert result.events == (outcome,)
        assert result.ignored is None


def test_every_fixture_has_a_case() -> None:
    """No payload file sits untested, and no case points at a missing file."""
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(CASES)


GOOD = fixture("message__text")

# name -> (secret header value sent, header name); every one must be refused with 403.
FORGED: dict[str, tuple[str | None, str]] = {
    "missing": (None, SECRET_HEADER),
    "empty": ("", SECRET_HEADER),
    "wrong": ("nagarsetu_pb-amritsar_0000000000", SECRET_HEADER),
    "prefix_only": (SECRET[:-1], SECRET_HEADER),
    "with_suffix": (SECRET + "x", SECRET_HEADER),
    "other_case": (SECRET.upper(), SECRET_HEADER),
    "bot_token_instead": (BOT_TOKEN, SECRET_HEADER),
    "non_ascii": ("नगरसेतु", SECRET_HEADER),
    "other_header": (SECRET, "X-Telegram-Secret-Token"),
}


@pytest.mark.parametrize(("secret", "header"), FORGED.values(), ids=list(FORGED))
@pytest.mark.parametrize("kind", ["inbound", "status"])
def test_forged_requests_are_refused(secret: str | None, header: str, kind: str) -> None:
    """Without exactly our secret token in Telegram's header the request is a BadSignature."""
    with pytest.raises(BadSignature) as caught:
        adapter().handle_webhook(request(GOOD, secret, header), kind)
    assert caught.value.http_status == 403


def test_secret_of_another_bot() -> None:
    """Another account's secret does not open this account's webhook."""
    with pytest.raises(BadSignature):
        adapter(secret_token="another_bot_secret").handle_webhook(request(GOOD), "inbound")


def test_header_name_is_case_insensitive() -> None:
    """HTTP header names are case-insensitive; Telegram's own spelling works as well."""
    assert deliver(GOOD, header=SECRET_HEADER).events
    assert deliver(GOOD, header=SECRET_HEADER.upper()).events


def test_garbage_with_the_right_secret_is_400_without_the_secret_403() -> None:
    """Authenticity is checked before the body is read."""
    with pytest.raises(MalformedPayload):
        deliver(b"\xff\xfe not json")
    with pytest.raises(BadSignature):
        adapter().handle_webhook(request(b"\xff\xfe not json", None), "inbound")


def test_status_webhooks_do_not_exist() -> None:
    """Telegram reports no delivery statuses: an authentic request to /status is malformed."""
    with pytest.raises(MalformedPayload):
        adapter().handle_webhook(request(GOOD), "status")


def test_update_id_is_the_dedupe_key() -> None:
    """A redelivered update keeps its external id, so the message log drops the duplicate."""
    first, again = deliver(GOOD).events, deliver(GOOD).events
    assert first == again and isinstance(first[0], InboundEvent)
    assert first[0].external_id == "804512301"


def _user(uid: int = 5123456789) -> dict[str, Any]:
    """A Telegram user."""
    return {"id": uid, "is_bot": False, "first_name": "Gurpreet"}


_PRIVATE = {"id": 5123456789, "type": "private", "first_name": "Gurpreet"}
_GROUP = {"id": -1001876543210, "type": "supergroup", "title": "Ward 7"}
_CHANNEL = {"id": -1001234567890, "type": "channel", "title": "Amritsar Updates"}
_D = 1717221600


def _message(chat: dict[str, Any] = _PRIVATE, **extra: Any) -> dict[str, Any]:
    """A message in a chat."""
    return {"message_id": 42, "date": _D, "chat": chat, "from": _user(), "text": "hi", **extra}


_SOURCE = {"source": "premium", "user": _user()}

# Every update kind other than message and callback_query, as Telegram sends it.
OTHER_KINDS: dict[str, dict[str, Any]] = {
    "edited_message": _message(edit_date=_D + 60),
    "channel_post": _message(_CHANNEL, sender_chat=_CHANNEL),
    "edited_channel_post": _message(_CHANNEL, sender_chat=_CHANNEL, edit_date=_D + 60),
    "inline_query": {"id": "1", "from": _user(), "query": "ward 7", "offset": ""},
    "chosen_inline_result": {"result_id": "r1", "from": _user(), "query": "ward"},
    "shipping_query": {"id": "s1", "from": _user(), "invoice_payload": "bill",
                       "shipping_address": {"country_code": "IN", "state": "Punjab",
                                            "city": "Amritsar", "street_line1": "Hall Bazar",
                                            "street_line2": "", "post_code": "143001"}},
    "pre_checkout_query": {"id": "p1", "from": _user(), "currency": "INR",
                           "total_amount": 45000, "invoice_payload": "bill"},
    "poll": {"id": "5", "question": "Clean?", "options": [{"text": "Yes", "voter_count": 1,
                                                       "persistent_id": "o1"}],
             "total_voter_count": 1, "is_closed": False, "is_anonymous": True,
             "type": "regular", "allows_multiple_answers": False, "allows_revoting": False,
             "members_only": False},
    "poll_answer": {"poll_id": "5", "user": _user(), "option_ids": [0],
                    "option_persistent_ids": ["o1"]},
    "my_chat_member": {"chat": _PRIVATE, "from": _user(), "date": _D,
                       "old_chat_member": {"user": _user(7), "status": "member"},
                       "new_chat_member": {"user": _user(7), "status": "kicked",
                                           "until_date": 0}},
    "chat_member": {"chat": _GROUP, "from": _user(), "date": _D,
                    "old_chat_member": {"user": _user(), "status": "left"},
                    "new_chat_member": {"user": _user(), "status": "member"}},
    "chat_join_request": {"chat": _GROUP, "from": _user(), "user_chat_id": 5123456789,
                          "date": _D},
    "chat_boost": {"chat": _CHANNEL, "boost": {"boost_id": "b1", "add_date": _D,
                                               "expiration_date": _D + 86400,
                                               "source": _SOURCE}},
    "removed_chat_boost": {"chat": _CHANNEL, "boost_id": "b1", "remove_date": _D,
                           "source": _SOURCE},
    "message_reaction": {"chat": _PRIVATE, "message_id": 41, "user": _user(), "date": _D,
                         "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}]},
    "message_reaction_count": {"chat": _GROUP, "message_id": 41, "date": _D, "reactions": [
        {"type": {"type": "emoji", "emoji": "👍"}, "total_count": 3}]},
    "business_connection": {"id": "bc1", "user": _user(), "user_chat_id": 5123456789,
                            "date": _D, "is_enabled": True},
    "business_message": _message(business_connection_id="bc1"),
    "edited_business_message": _message(business_connection_id="bc1", edit_date=_D + 60),
    "deleted_business_messages": {"business_connection_id": "bc1", "chat": _PRIVATE,
                                  "message_ids": [41]},
    "purchased_paid_media": {"from": _user(), "paid_media_payload": "x"},
    "managed_bot": {"user": _user(), "bot": _user(7)},
    "guest_message": _message(),
}
HANDLED = {"message", "callback_query"}


def test_other_kinds_cover_every_update_type() -> None:
    """A kind PTB learns in a new release must be added here (and decided on) before it ships."""
    assert sorted(OTHER_KINDS) == sorted(t.value for t in UpdateType if t.value not in HANDLED)


@pytest.mark.parametrize(("kind", "content"), OTHER_KINDS.items(), ids=list(OTHER_KINDS))
def test_no_other_kind_of_update_is_matched(kind: str, content: dict[str, Any]) -> None:
    """Every other update kind is acknowledged and ignored, never taken for a message."""
    data = {"update_id": 804519999, kind: content}
    parsed = Update.de_json(data, None)
    assert kind_of(parsed) == kind  # the example really is that kind of update
    result = deliver(json.dumps(data).encode())
    assert result.events == ()
    assert result.ignored == f"{kind} update"
    assert result.response.status == 200


# config -> the error it must be refused with
BAD_CONFIGS: dict[str, dict[str, str]] = {
    "token_without_bot_id": {"bot_token": "AAHk3Jx9Qm2Lr8Tz5Vb1Nc4Wd7Ye0Fg6Hu3"},
    "token_with_slash": {"bot_token": "7123456789:AAHk3Jx9/../sendMessage"},
    "secret_with_space": {"secret_token": "nagarsetu secret"},
    "secret_too_long": {"secret_token": "s" * 257},
}


@pytest.mark.parametrize("overrides", BAD_CONFIGS.values(), ids=list(BAD_CONFIGS))
def test_bad_config_is_refused(overrides: dict[str, str]) -> None:
    """Credentials Telegram would never accept are a ConfigError when the account is made."""
    with pytest.raises(ConfigError) as caught:
        adapter(**overrides)
    assert BOT_TOKEN not in str(caught.value)


def _mutations(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, wrong value) replacing one field of a JSON document with another type."""
    if isinstance(data, dict):
        items: Iterable[tuple[Any, Any]] = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        items = ()
    for key, value in items:
        here = (*path, key)
        wrongs: tuple[Any, ...] = ("x", -1, 1e300, None, True, [], {})
        for wrong in wrongs:
            if type(wrong) is not type(value):
                yield here, wrong
        yield from _mutations(value, here)


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of a document with one field replaced."""
    copy = json.loads(json.dumps(data))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


@pytest.mark.parametrize("name", [n for n, e in CASES.items() if not isinstance(e, type)])
def test_no_wrongly_typed_field_is_a_server_error(name: str) -> None:
    """Any field of a valid update given the wrong type is handled or refused with 400 — never
    an exception that would make the webhook answer 500 and Telegram redeliver it forever."""
    data = json.loads(fixture(name))
    for path, wrong in _mutations(data):
        body = json.dumps(_replaced(data, path, wrong)).encode()
        try:
            result = deliver(body)
        except MalformedPayload:
            continue
        for found in result.events:
            assert isinstance(found, InboundEvent), path
            assert isinstance(found.text, str) and isinstance(found.sender, str), path
            assert found.payload is None or isinstance(found.payload, str), path
            assert found.sender.lstrip("-").isdigit(), path
