"""Sending through python-telegram-bot against the local simulator, and the error table."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.concurrency import run_in_threadpool
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from channels.contract import Ask, Choice, DeliveryStatus, OutboundMessage, SendResult
from channels.errors import (
    ConfigError,
    ConnectionFailed,
    ContactStopped,
    MalformedPayload,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)
from channels.registry import build_adapter
from channels.telegram import simulator
from channels.telegram.adapter import Adapter
from channels.telegram.client import map_error
from channels.telegram.simulator import Fault
from tests.channels.telegram.support import BOT_TOKEN, CITIZEN, SECRET, FakeTelegram

LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"), Choice("pa", "ਪੰਜਾਬੀ"))
CATEGORIES = (Choice("garbage", "Garbage not collected"), Choice("water", "No water supply"),
              Choice("__more__", "More"))
LONG_ID = Choice("ward:" + "x" * 70, "Ward 7")
REMOVE = {"remove_keyboard": True}


def adapter(fake: FakeTelegram, **overrides: str) -> Adapter:
    """The adapter built from the registry, pointed at the simulator."""
    built = build_adapter("telegram", fake.account(**overrides))
    assert isinstance(built, Adapter)
    return built


def inline(*rows: list[tuple[str, str]]) -> dict[str, Any]:
    """An inline keyboard: rows of (label, callback_data)."""
    return {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row]
                                for row in rows]}


# message -> the exact sendMessage parameters the Bot API must receive.
REQUESTS: dict[str, tuple[OutboundMessage, dict[str, Any]]] = {
    "plain": (OutboundMessage(CITIZEN, "Grievance PB-AMR-2027-000042 registered."),
              {"text": "Grievance PB-AMR-2027-000042 registered.", "reply_markup": REMOVE}),
    "language_buttons_two_a_row": (
        OutboundMessage(CITIZEN, "अपनी भाषा चुनें", choices=LANGUAGES, ask=Ask.CHOICE),
        {"text": "अपनी भाषा चुनें", "reply_markup": inline(
            [("English", "en"), ("हिन्दी", "hi")], [("ਪੰਜਾਬੀ", "pa")])}),
    "long_labels_one_a_row": (
        OutboundMessage(CITIZEN, "Which problem?", choices=CATEGORIES),
        {"text": "Which problem?", "reply_markup": inline(
            [("Garbage not collected", "garbage")], [("No water supply", "water")],
            [("More", "__more__")])}),
    "long_id_sent_as_index": (
        OutboundMessage(CITIZEN, "Ward?", choices=(Choice("w6", "Ward 6"), LONG_ID)),
        {"text": "Ward?", "reply_markup": inline([("Ward 6", "w6"), ("Ward 7", "#2")])}),
    "hash_id_sent_as_index": (
        OutboundMessage(CITIZEN, "Ward?", choices=(Choice("#7", "Ward 7"),)),
        {"text": "Ward?", "reply_markup": inline([("Ward 7", "#1")])}),
    "choices_without_text": (
        OutboundMessage(CITIZEN, "", choices=(Choice("yes", "हाँ"), Choice("no", "नहीं"))),
        {"text": "1. हाँ\n2. नहीं", "reply_markup": inline([("हाँ", "yes"), ("नहीं", "no")])}),
    "ask_location": (
        OutboundMessage(CITIZEN, "समस्या की जगह भेजें", ask=Ask.LOCATION,
                        choices=(Choice("share", "📍 जगह भेजें"), Choice("skip", "छोड़ें"))),
        {"text": "समस्या की जगह भेजें", "reply_markup": {
            "keyboard": [[{"text": "📍 जगह भेजें", "request_location": True}],
                         [{"text": "छोड़ें"}]],
            "resize_keyboard": True, "one_time_keyboard": True}}),
    "ask_location_without_a_label": (
        OutboundMessage(CITIZEN, "समस्या की जगह भेजें", ask=Ask.LOCATION),
        {"text": "समस्या की जगह भेजें", "reply_markup": REMOVE}),
    "ask_photo": (OutboundMessage(CITIZEN, "फ़ोटो भेजें", ask=Ask.PHOTO),
                  {"text": "फ़ोटो भेजें", "reply_markup": REMOVE}),
}


@pytest.mark.parametrize(("message", "params"), REQUESTS.values(), ids=list(REQUESTS))
def test_request_the_bot_api_receives(fake_telegram: FakeTelegram, message: OutboundMessage,
                                      params: dict[str, Any]) -> None:
    """Exactly chat_id, text and reply_markup reach sendMessage, with our token in the path."""
    result = adapter(fake_telegram).send(message, "https://example.in/status")
    (made,) = simulator.received_requests()
    assert made["method"] == "sendMessage" and made["token"] == BOT_TOKEN
    assert made["params"] == {"chat_id": CITIZEN, **params}
    (delivered,) = simulator.sent_to(CITIZEN)
    expected = f"{sent_ref(CITIZEN)}:{delivered['message_id']}"
    assert result == SendResult(expected, DeliveryStatus.SENT)


def test_long_text_goes_in_pieces_with_the_keyboard_last(fake_telegram: FakeTelegram) -> None:
    """Text over 4096 UTF-16 units is split at a line break; the buttons come with the end."""
    para = "कचरा " * 500  # 2500 characters a paragraph
    text = "\n".join([para.strip()] * 3)
    result = adapter(fake_telegram).send(OutboundMessage(CITIZEN, text, choices=LANGUAGES), None)
    made = [r["params"] for r in simulator.received_requests()]
    assert [len(p["text"]) for p in made] == [len(para.strip())] * 3
    assert [("reply_markup" in p) for p in made] == [False, False, True]
    assert result.external_id == f"{sent_ref(CITIZEN)}:3"


def test_emoji_count_double_towards_the_limit() -> None:
    """Telegram measures in UTF-16 code units: 4096 emoji are two messages."""
    from channels.telegram.payloads import chunks

    assert [len(p) for p in chunks("🙏" * 4096)] == [2048, 2048]
    assert chunks("a" * 4096) == ["a" * 4096]


def test_empty_message_is_a_config_error(fake_telegram: FakeTelegram) -> None:
    """Nothing to show is a bug upstream, not something to retry."""
    with pytest.raises(ConfigError):
        adapter(fake_telegram).send(OutboundMessage(CITIZEN, "  \n"), None)
    assert simulator.received_requests() == []


def test_external_ids_are_unique_across_chats(fake_telegram: FakeTelegram) -> None:
    """message_id counts per chat, so the external id carries a tag of the chat too."""
    bot = adapter(fake_telegram)
    first = bot.send(OutboundMessage("5123456789", "hi"), None)
    second = bot.send(OutboundMessage("5987654321", "hi"), None)
    assert first.external_id.endswith(":1") and second.external_id.endswith(":1")
    assert first.external_id != second.external_id


def test_external_ids_do_not_contain_the_chat_id(fake_telegram: FakeTelegram) -> None:
    """The message log stores the external id in clear: no chat id in it, however written."""
    bot = adapter(fake_telegram)
    sent = [bot.send(OutboundMessage(chat, "hi"), None).external_id
            for chat in (CITIZEN, CITIZEN, "-1001234567890")]
    assert all(CITIZEN not in ref and "1234567890" not in ref for ref in sent)
    assert sent[0].split(":")[0] == sent[1].split(":")[0]  # one chat, one tag
    assert len(set(sent)) == 3


def sent_ref(chat_id: str) -> str:
    """The tag a test chat's external ids start with: an HMAC under the account's secret token."""
    digest = hmac.new(SECRET.encode(), b"chat:" + chat_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


# simulator fault -> (error, retryable, retry_after)
FAULTS: dict[str, tuple[Fault, type[SendError], bool, float | None]] = {
    "429_retry_after": (Fault(429, retry_after=7), Throttled, True, 7.0),
    "403_blocked": (Fault(403), ContactStopped, False, None),
    "403_deactivated": (Fault(403, "Forbidden: user is deactivated"), RecipientInvalid, False,
                        None),
    "400_chat_not_found": (Fault(400, "Bad Request: chat not found"), RecipientInvalid, False,
                           None),
    "400_entities": (Fault(400, "Bad Request: can't parse entities"), ConfigError, False, None),
    "401_unauthorized": (Fault(401), ConfigError, False, None),
    "404_not_found": (Fault(404), ConfigError, False, None),
    "409_conflict": (Fault(409, "Conflict: terminated by other getUpdates"), ConfigError, False,
                     None),
    "500_internal": (Fault(500), ProviderDown, True, None),
    "502_bad_gateway": (Fault(502), ProviderDown, True, None),
}


@pytest.mark.parametrize(("fault", "error", "retryable", "retry_after"), FAULTS.values(),
                         ids=list(FAULTS))
def test_error_mapping(fake_telegram: FakeTelegram, fault: Fault, error: type[SendError],
                       retryable: bool, retry_after: float | None) -> None:
    """Each Bot API error answer becomes one error of the closed set, with its retry advice."""
    simulator.inject_faults(fault)
    with pytest.raises(SendError) as caught:
        adapter(fake_telegram).send(OutboundMessage(CITIZEN, "hello"), None)
    assert type(caught.value) is error
    assert caught.value.retryable is retryable
    assert caught.value.retry_after == retry_after
    assert simulator.sent_to(CITIZEN) == []


def test_simulated_block_and_revoked_token(fake_telegram: FakeTelegram) -> None:
    """The simulator's own checks: a blocked chat stops, a revoked token is a config error."""
    simulator.block_chat(CITIZEN)
    with pytest.raises(ContactStopped):
        adapter(fake_telegram).send(OutboundMessage(CITIZEN, "hello"), None)
    simulator.revoke_token(BOT_TOKEN)
    with pytest.raises(ConfigError):
        adapter(fake_telegram).send(OutboundMessage("5987654321", "hello"), None)


def test_next_send_after_a_fault_succeeds(fake_telegram: FakeTelegram) -> None:
    """Faults are consumed one per request, so a retry goes through on the same client."""
    bot = adapter(fake_telegram)
    simulator.inject_faults(500)
    with pytest.raises(ProviderDown):
        bot.send(OutboundMessage(CITIZEN, "hello"), None)
    assert bot.send(OutboundMessage(CITIZEN, "hello"), None).external_id == f"{sent_ref(CITIZEN)}:1"


def test_api_base_may_be_a_bare_host(fake_telegram: FakeTelegram) -> None:
    """`…/sim/telegram` works like `…/sim/telegram/bot`, for the API and for files."""
    bot = adapter(fake_telegram, api_base=fake_telegram.base_url + "/sim/telegram/")
    assert bot.send(OutboundMessage(CITIZEN, "hello"), None).external_id == f"{sent_ref(CITIZEN)}:1"
    simulator.add_file("f9", b"png", "photos/file_9.png")
    assert bot.fetch_media("tg-file:f9") == (b"png", "image/png")


def test_connection_refused(fake_telegram: FakeTelegram, closed_port_url: str) -> None:
    """Nothing listening at the API base is a retryable ConnectionFailed."""
    bot = adapter(fake_telegram, api_base=closed_port_url + "/bot")
    with pytest.raises(ConnectionFailed) as caught:
        bot.send(OutboundMessage(CITIZEN, "hello"), None)
    assert caught.value.retryable


def test_no_answer_in_time(fake_telegram: FakeTelegram) -> None:
    """A call the API does not answer within the client's timeout is ConnectionFailed."""
    bot = adapter(fake_telegram)
    bot.client.timeout = 0.2
    simulator.inject_faults(Fault(500, delay=1.0))
    with pytest.raises(ConnectionFailed):
        bot.send(OutboundMessage(CITIZEN, "hello"), None)


def test_process_environment_cannot_redirect_sends(fake_telegram: FakeTelegram,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   closed_port_url: str) -> None:
    """Proxy variables do not move traffic off `api_base` (the account config decides)."""
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, closed_port_url)
    result = adapter(fake_telegram).send(OutboundMessage(CITIZEN, "hello"), None)
    assert result.external_id == f"{sent_ref(CITIZEN)}:1"


def test_sends_from_many_threads_share_one_loop(fake_telegram: FakeTelegram) -> None:
    """Worker threads (no event loop of their own) send concurrently through one client."""
    bot = adapter(fake_telegram)
    chats = [str(5_100_000_000 + i) for i in range(12)]
    errors: list[BaseException] = []

    def one(chat: str) -> None:
        try:
            bot.send(OutboundMessage(chat, "hello"), None)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(chat,)) for chat in chats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert all(len(simulator.sent_to(chat)) == 1 for chat in chats)


def test_send_from_fastapi_threadpool_and_from_inside_a_loop(fake_telegram: FakeTelegram) -> None:
    """The sync adapter works from FastAPI's threadpool and even from a thread running a loop."""
    bot = adapter(fake_telegram)

    async def main() -> tuple[SendResult, SendResult]:
        pooled = await run_in_threadpool(bot.send, OutboundMessage(CITIZEN, "one"), None)
        inline_call = bot.send(OutboundMessage(CITIZEN, "two"), None)  # blocks this loop only
        return pooled, inline_call

    pooled, inline_call = asyncio.run(main())
    tag = sent_ref(CITIZEN)
    assert (pooled.external_id, inline_call.external_id) == (f"{tag}:1", f"{tag}:2")


def test_fetch_media(fake_telegram: FakeTelegram) -> None:
    """A photo reference from an inbound event downloads through getFile and the file URL."""
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    simulator.add_file("AgACAgUAAxkBAAIBNmZ0_large", jpeg, "photos/file_12.jpg")
    data, media_type = adapter(fake_telegram).fetch_media("tg-file:AgACAgUAAxkBAAIBNmZ0_large")
    assert (data, media_type) == (jpeg, "image/jpeg")
    methods = [r["method"] for r in simulator.received_requests()]
    assert methods == ["getFile"]


def test_fetch_media_errors(fake_telegram: FakeTelegram) -> None:
    """Not our reference is malformed; an unknown file is the API's BadRequest."""
    bot = adapter(fake_telegram)
    for ref in ("https://example.in/x.jpg", "tg-file:"):
        with pytest.raises(MalformedPayload):
            bot.fetch_media(ref)
    with pytest.raises(ConfigError):
        bot.fetch_media("tg-file:unknown")


def test_no_bot_api_call_on_creation_or_webhooks(fake_telegram: FakeTelegram) -> None:
    """Building an adapter and its client calls nothing (no getMe via Bot.initialize)."""
    bot = adapter(fake_telegram)
    bot.client.bot()
    assert simulator.received_requests() == []


def _caused(exc: TelegramError, cause: BaseException) -> TelegramError:
    """An exception as PTB raises it from a transport error."""
    exc.__cause__ = cause
    return exc


_REQUEST = httpx.Request("POST", "https://api.telegram.org/botREDACTED/sendMessage")

# PTB exceptions the simulator cannot easily provoke -> the send error they must become
MAPPED: dict[str, tuple[TelegramError, type[SendError]]] = {
    "retry_after_int": (RetryAfter(12), Throttled),
    "retry_after_timedelta": (RetryAfter(timedelta(seconds=1.5)), Throttled),
    "timed_out": (TimedOut(), ConnectionFailed),
    "pool_timeout": (TimedOut("Pool timeout"), ConnectionFailed),
    "connect_error": (_caused(NetworkError("httpx.ConnectError: refused"),
                              httpx.ConnectError("refused", request=_REQUEST)), ConnectionFailed),
    "remote_protocol_error": (_caused(NetworkError("httpx.RemoteProtocolError"),
                                      httpx.RemoteProtocolError("x", request=_REQUEST)),
                              ConnectionFailed),
    "server_error_answer": (NetworkError("Bad Gateway"), ProviderDown),
    "chat_migrated": (ChatMigrated(-1001234567890), RecipientInvalid),
    "forbidden_kicked": (Forbidden("Forbidden: bot was kicked from the group chat"),
                         ContactStopped),
    "bad_request_peer": (BadRequest("Bad Request: PEER_ID_INVALID"), RecipientInvalid),
    "bad_request_button": (BadRequest("Bad Request: BUTTON_DATA_INVALID"), ConfigError),
    "invalid_token": (InvalidToken(), ConfigError),
    "conflict": (Conflict("Conflict"), ConfigError),
    "invalid_server_response": (TelegramError("Invalid server response"), ProviderDown),
}


@pytest.mark.parametrize(("exc", "error"), MAPPED.values(), ids=list(MAPPED))
def test_map_error(exc: TelegramError, error: type[SendError]) -> None:
    """PTB's exception hierarchy maps onto the closed set (BadRequest before NetworkError)."""
    assert type(map_error(exc)) is error


def test_retry_after_is_seconds_either_way() -> None:
    """PTB's retry_after may be an int or (with PTB_TIMEDELTA) a timedelta."""
    assert map_error(RetryAfter(12)).retry_after == 12.0
    assert map_error(RetryAfter(timedelta(seconds=1.5))).retry_after == 1.5
