"""Telegram bot adapter: check the webhook secret, translate Updates, send with inline keyboards."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from typing import ClassVar

from telegram import CallbackQuery, Message, ReplyKeyboardRemove, User
from telegram.constants import ChatType

from channels.base import ChannelAdapter
from channels.contract import (
    AccountConfig,
    Ask,
    Capabilities,
    DeliveryStatus,
    InboundEvent,
    MediaFile,
    Medium,
    OutboundMessage,
    RateLimit,
    SendResult,
    WebhookRequest,
    WebhookResponse,
    WebhookResult,
)
from channels.errors import BadSignature, ConfigError, MalformedPayload
from channels.render import numbered_menu
from channels.telegram.client import API_BASE, BotClient, Markup
from channels.telegram.payloads import (
    BOT_TOKEN,
    CONTENT,
    FILE_REF,
    SECRET_HEADER,
    SECRET_TOKEN,
    address,
    chunks,
    inline_keyboard,
    kind_of,
    location_keyboard,
    location_of,
    media_of,
    parse_update,
    read_callback,
    text_of,
)

BOT_RATE = RateLimit(30)
"""About 30 messages a second per bot (Bot API FAQ)."""
CHAT_RATE = RateLimit(3, 3.0)
"""One a second per chat on average; a conversation's quick pair or triple goes at once, as
Telegram tolerates short bursts in a chat."""


def name_of(user: User | None) -> str | None:
    """The user's first and last name (PTB does not check types: a part may be anything)."""
    parts = (user.first_name, user.last_name) if user is not None else ()
    name = " ".join(p for p in parts if isinstance(p, str) and p).strip()[:256]
    return name or None


class Adapter(ChannelAdapter):
    """A Telegram bot; config: bot_token, secret_token (of setWebhook), address (bot username),
    api_base (default https://api.telegram.org/bot; the simulator in dev and tests)."""

    channel_type = "telegram"
    medium = Medium.TELEGRAM
    capabilities = Capabilities(buttons=8, page_size=8, numbered_menus=False, location=True,
                                photo=True, images=True, max_text_length=4096,
                                account_rate=BOT_RATE,
                                recipient_rate=CHAT_RATE)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"bot_token", "secret_token"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"bot_token", "secret_token", "address"})

    def __init__(self, config: AccountConfig) -> None:
        super().__init__(config)
        if not BOT_TOKEN.fullmatch(str(config["bot_token"])):
            raise ConfigError("bot_token is not a Bot API token (digits:letters)")
        if not SECRET_TOKEN.fullmatch(str(config["secret_token"])):
            raise ConfigError("secret_token must be 1-256 of A-Z a-z 0-9 _ -")
        self._client: BotClient | None = None
        self._lock = threading.Lock()

    @property
    def api_base(self) -> str:
        """The Bot API base URL: `…/bot`, which the token follows (a bare host also works)."""
        return str(self.config.get("api_base") or API_BASE)

    @property
    def client(self) -> BotClient:
        """The bot's API client, made on first use (webhooks never need one)."""
        with self._lock:
            if self._client is None:
                self._client = BotClient(str(self.config["bot_token"]), self.api_base)
            return self._client

    def close(self) -> None:
        """Close the bot's connection pool, if a client was made."""
        with self._lock:
            client = self._client
        if client is not None:
            client.close()

    def _verify(self, request: WebhookRequest) -> None:
        """The secret token header must be the one we gave setWebhook."""
        sent = request.header(SECRET_HEADER)
        if not sent:
            raise BadSignature(f"missing {SECRET_HEADER}")
        if not hmac.compare_digest(sent.encode(), str(self.config["secret_token"]).encode()):
            raise BadSignature(f"{SECRET_HEADER} does not match")

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Verify, then turn a message or a button press into an event; acknowledge the rest."""
        self._verify(request)
        if kind != "inbound":
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        update = parse_update(request.body)
        if update.message is not None:
            return self._message(update.update_id, update.message)
        if update.callback_query is not None:
            return self._callback(update.update_id, update.callback_query)
        found = kind_of(update)
        if found is None:
            raise MalformedPayload("update without content")
        return WebhookResult((), ignored=f"{found} update")

    def _message(self, update_id: int, message: Message) -> WebhookResult:
        """A citizen's message in a private chat: text, location, contact, photo."""
        if message.chat is None:  # PTB builds a Message without one
            raise MalformedPayload("message without chat")
        if message.chat.type != ChatType.PRIVATE:
            return WebhookResult((), ignored=f"message in a {message.chat.type} chat")
        sender = address(message.chat.id)
        # A shared contact's number arrives as text, exactly as shared; the sender stays the chat.
        text, location, media = text_of(message), location_of(message), media_of(message)
        if not (text or location or media or any(getattr(message, c) for c in CONTENT)):
            return WebhookResult((), ignored="service message")
        event = InboundEvent(external_id=str(update_id), sender=sender, recipient=self.address,
                             text=text, media_urls=media, location=location,
                             received_at=message.date, sender_name=name_of(message.from_user))
        return WebhookResult((event,))

    def _callback(self, update_id: int, query: CallbackQuery) -> WebhookResult:
        """An inline button press; answered in the webhook response so the spinner stops."""
        if not isinstance(query.id, str) or not query.id or query.from_user is None:
            raise MalformedPayload("callback query without id or sender")
        answer = WebhookResponse(200, json.dumps({"method": "answerCallbackQuery",
                                                  "callback_query_id": query.id}),
                                 "application/json")
        chat = query.message.chat if query.message is not None else None
        if query.message is not None and chat is None:
            raise MalformedPayload("button message without chat")
        if chat is not None and chat.type != ChatType.PRIVATE:
            return WebhookResult((), answer, ignored=f"button in a {chat.type} chat")
        if not isinstance(query.data, str):
            return WebhookResult((), answer, ignored="button without callback data")
        sender = address(chat.id if chat is not None else query.from_user.id)
        text, payload = read_callback(query.data)
        event = InboundEvent(external_id=str(update_id), sender=sender, recipient=self.address,
                             text=text, payload=payload, sender_name=name_of(query.from_user))
        return WebhookResult((event,), answer)

    @classmethod
    def render_text(cls, message: OutboundMessage) -> str:
        """The text as shown: choices are buttons, so they are listed only if there is no text."""
        return message.text if message.text.strip() else numbered_menu(message)

    @staticmethod
    def reply_markup(message: OutboundMessage) -> Markup:
        """Inline buttons for choices, a share-location keyboard when a location is asked for,
        else the removal of any reply keyboard an earlier question left open."""
        if message.ask is Ask.LOCATION and message.choices:
            keyboard = location_keyboard(message.choices)
            if keyboard is not None:
                return keyboard
        if message.choices:
            return inline_keyboard(message.choices)
        return ReplyKeyboardRemove()

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """sendPhoto when there is a picture, then sendMessage (long text in several, the
        keyboard on the last); Telegram has no
        delivery callbacks, so `status_callback` is unused and the result is SENT."""
        pieces = chunks(self.render_text(message))
        if not pieces:
            raise ConfigError("nothing to send: empty text and no choices")
        if message.media_url:  # the picture first (a UPI QR), then the text that explains it
            self.client.send_photo(message.to, message.media_url)
        for piece in pieces[:-1]:
            self.client.send_message(message.to, piece, None)
        sent = self.client.send_message(message.to, pieces[-1], self.reply_markup(message))
        # message_id counts per chat, and the message log wants ids unique per account; the
        # chat id is personal data, so the log gets a keyed tag of it, never the id itself.
        return SendResult(f"{self.chat_tag(message.to)}:{sent.message_id}", DeliveryStatus.SENT)

    def chat_tag(self, chat_id: str) -> str:
        """A short HMAC of a chat id under the account's secret token (not reversible)."""
        key = str(self.config["secret_token"]).encode()
        return hmac.new(key, b"chat:" + chat_id.encode(), hashlib.sha256).hexdigest()[:16]

    def fetch_media(self, ref: str) -> MediaFile:
        """The bytes and media type behind a `tg-file:<file_id>` from InboundEvent.media_urls."""
        if not ref.startswith(FILE_REF) or len(ref) == len(FILE_REF):
            raise MalformedPayload("not a Telegram file reference")
        return self.client.download(ref[len(FILE_REF):])

