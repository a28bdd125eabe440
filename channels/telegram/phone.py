"""A Telegram user in the terminal, and the Update JSON Telegram posts for what a user does.

Typing a number presses that button of the bot's last keyboard (an inline button sends a
callback_query; a share-location button sends a fixed point in Amritsar); anything else is a
text message. Like Telegram, the phone carries out a method the gateway puts in its webhook
answer (answerCallbackQuery) against the simulated Bot API. A new phone for the same chat reads
the chat so far, so it can press the keyboard an earlier run was shown.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from typing import Any

import httpx

from channels.telegram.payloads import SECRET_HEADER
from channels.terminal import phone_http

DEMO_POINT = (31.6200, 74.8765)
"""Where a simulated "share location" puts the user (Harmandir Sahib, Amritsar)."""
_update_ids = itertools.count(secrets.randbelow(2**40))


def chat_for(sender: str) -> int:
    """A private chat id for a terminal user: the digits they gave (a phone number), else random."""
    digits = re.sub(r"[^0-9]", "", sender)
    return int(digits[-15:]) if digits else 10**9 + secrets.randbelow(10**9)


def user(chat_id: int) -> dict[str, Any]:
    """The Telegram User behind a private chat (same id)."""
    return {"id": chat_id, "is_bot": False, "first_name": "Citizen", "language_code": "hi"}


def message_update(chat_id: int, message_id: int, **content: Any) -> dict[str, Any]:
    """An Update carrying a user's message (text=…, location=…, contact=…, photo=…)."""
    return {"update_id": next(_update_ids), "message": {
        "message_id": message_id, "from": user(chat_id),
        "chat": {"id": chat_id, "first_name": "Citizen", "type": "private"},
        "date": int(time.time()), **content}}


def callback_update(chat_id: int, bot_message: dict[str, Any], data: str) -> dict[str, Any]:
    """An Update for a press on an inline button of one of the bot's messages."""
    return {"update_id": next(_update_ids), "callback_query": {
        "id": str(secrets.randbelow(2**63)), "from": user(chat_id), "message": bot_message,
        "chat_instance": str(-chat_id), "data": data}}


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a bot message's keyboard, row by row, inline or reply."""
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [button for row in rows for button in row]


def render(message: dict[str, Any]) -> str:
    """A bot message as the terminal shows it: the text, then numbered buttons."""
    if "photo" in message and "text" not in message:
        return "[photo] " + str(message.get("photo_url", ""))
    labels = [("📍 " if b.get("request_location") else "") + str(b["text"])
              for b in buttons_of(message)]
    if not labels:
        return str(message["text"])
    return str(message["text"]) + "\n\n" + "\n".join(
        f"[{i}] {label}" for i, label in enumerate(labels, start=1))


class TerminalPhone:
    """A Telegram user: posts Updates with the webhook secret, reads the simulated chat."""

    def __init__(self, gateway_url: str, sender: str, account: dict[str, str]) -> None:
        self.gateway = gateway_url.rstrip("/")
        self.account = account
        self.chat_id = chat_for(sender)
        self.last: dict[str, Any] | None = None
        self.sent = 0
        shown = self._inbox(0)["messages"]
        self.cursor = len(shown)
        if shown:
            self.last = shown[-1]

    def _inbox(self, after: int) -> dict[str, Any]:
        """The simulator's record of what the bot sent to this chat."""
        url = f"{self.gateway}/sim/telegram/chats/{self.chat_id}/inbox"
        data: dict[str, Any] = phone_http().get(url, params={"after": after}, timeout=10).json()
        return data

    def post(self, update: dict[str, Any]) -> httpx.Response:
        """POST an Update to the gateway as Telegram does, then run any method in the answer."""
        headers = {SECRET_HEADER: self.account["secret_token"]}
        response = phone_http().post(self.account["webhook_url"], json=update, headers=headers,
                              timeout=30)
        response.raise_for_status()
        if response.headers.get("content-type", "").startswith("application/json"):
            reply = dict(response.json())
            if "method" in reply:
                method = reply.pop("method")
                url = f"{self.account['api_base']}{self.account['bot_token']}/{method}"
                phone_http().post(url, json=reply, timeout=10).raise_for_status()
        return response

    def _message(self, **content: Any) -> None:
        """Send one message of this user's."""
        self.sent += 1
        self.post(message_update(self.chat_id, self.sent, **content))

    def send_location(self, latitude: float, longitude: float) -> None:
        """Share a location (as the attachment menu does): a message with a `location`."""
        self._message(location={"latitude": latitude, "longitude": longitude})

    def send_photo(self, data: bytes, mime_type: str = "image/jpeg", caption: str = "") -> str:
        """Upload a photo to the simulated Bot API and send it; its file_id."""
        name = "photo." + {"image/png": "png", "image/webp": "webp"}.get(mime_type, "jpg")
        upload = phone_http().post(f"{self.gateway}/sim/telegram/files", content=data,
                                   params={"name": name}, timeout=10)
        upload.raise_for_status()
        file_id = str(upload.json()["file_id"])
        size = {"file_id": file_id, "file_unique_id": "u" + file_id[-8:], "width": 1280,
                "height": 960, "file_size": len(data)}
        content: dict[str, Any] = {"photo": [{**size, "width": 90, "height": 68}, size]}
        if caption:
            content["caption"] = caption
        self._message(**content)
        return file_id

    def press(self, number: int) -> None:
        """Press the n-th button of the bot's last keyboard."""
        if self.last is None or not 1 <= number <= len(buttons_of(self.last)):
            raise LookupError(f"no button {number}")
        button = buttons_of(self.last)[number - 1]
        if "callback_data" in button:
            self.post(callback_update(self.chat_id, self.last, button["callback_data"]))
        elif button.get("request_location"):
            self._message(location={"latitude": DEMO_POINT[0], "longitude": DEMO_POINT[1]})
        else:
            self._message(text=button["text"])

    def send(self, text: str) -> None:
        """A number presses a button of the last keyboard; anything else is a text message."""
        stripped = text.strip()
        count = len(buttons_of(self.last)) if self.last is not None else 0
        if stripped.isascii() and stripped.isdigit() and 1 <= int(stripped) <= count:
            self.press(int(stripped))
        else:
            self._message(text=text)

    def receive(self, timeout: float) -> list[str]:
        """New bot messages, rendered, waiting up to `timeout` seconds for the first."""
        deadline = time.monotonic() + timeout
        while True:
            data = self._inbox(self.cursor)
            if data["messages"] or time.monotonic() >= deadline:
                self.cursor = data["next"]
                if data["messages"]:
                    self.last = data["messages"][-1]
                return [render(m) for m in data["messages"]]
            time.sleep(0.1)
