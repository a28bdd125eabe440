"""A WhatsApp handset in the terminal: signed Cloud API webhooks out, the simulator's inbox in.

Typing the number of a button or list row taps it (an interactive reply with the option's id),
as a citizen would on a phone; `/location 31.62,74.87` shares a location; anything else is text.
A new phone on the same number reads the chat so far, so it can tap what an earlier run showed.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

from channels.terminal import LOCATION, phone_http
from channels.whatsapp_cloud.payloads import SIGNATURE_HEADER, envelope, signature, wa_digits


class TerminalPhone:
    """A citizen's WhatsApp, talking to the gateway the way Meta's servers would."""

    def __init__(self, gateway_url: str, sender: str, account: dict[str, str]) -> None:
        self.gateway = gateway_url.rstrip("/")
        self.sender = sender
        self.account = account
        self.sim = f"{self.gateway}/sim/whatsapp-cloud"
        self.name = ""
        """The profile name Meta reports with each message (the number when empty)."""
        self.options: list[dict[str, str]] = []
        self.reply_kind: str | None = None
        self.context: str | None = None
        self.subscribed = self._subscribe()
        inbox = self._inbox(0)
        self._remember(inbox["messages"])
        self.cursor = int(inbox["next"])

    def _subscribe(self) -> bool:
        """Tell the fake Meta our app (to sign statuses) and our callback (handshake first)."""
        pid = self.account["phone_number_id"]
        phone_http().put(f"{self.sim}/apps/{pid}", timeout=10, json={
            "access_token": self.account["access_token"],
            "app_secret": self.account["app_secret"],
            "display_phone_number": self.account["address"]}).raise_for_status()
        version = self.account.get("api_version") or "v21.0"
        answer = phone_http().post(f"{self.sim}/{version}/{pid}", timeout=30, json={
            "webhook_configuration": {"override_callback_uri": self.account["webhook_url"],
                                      "verify_token": self.account["verify_token"]}},
            headers={"Authorization": f"Bearer {self.account['access_token']}"})
        return answer.status_code == 200

    def _inbox(self, after: int) -> dict[str, Any]:
        """The simulator's inbox of this phone from position `after`."""
        url = f"{self.sim}/phones/{wa_digits(self.sender)}/inbox"
        data: dict[str, Any] = phone_http().get(url, params={"after": after}, timeout=10).json()
        return data

    def _message(self, text: str) -> dict[str, Any]:
        """The inbound message a tap, a location or typed text becomes."""
        message: dict[str, Any] = {
            "from": wa_digits(self.sender), "timestamp": str(int(time.time())),
            "id": "wamid." + base64.b64encode(secrets.token_bytes(24)).decode()}
        typed = text.strip()
        index = int(typed) if typed.isdecimal() and len(typed) < 4 else 0
        if self.options and 1 <= index <= len(self.options):
            option = self.options[index - 1]
            reply = f"{self.reply_kind}_reply"
            picked = {k: v for k, v in option.items() if v}
            message.update(type="interactive", interactive={"type": reply, reply: picked})
            if self.context:
                message["context"] = {"from": wa_digits(self.account["address"]),
                                      "id": self.context}
        elif found := LOCATION.fullmatch(typed):
            message.update(type="location", location={"latitude": float(found[1]),
                                                      "longitude": float(found[2])})
        else:
            message.update(type="text", text={"body": text})
        return message

    def send(self, text: str) -> None:
        """POST one message to the gateway, signed with the app secret, as Meta would."""
        self._post(self._message(text))

    def send_location(self, latitude: float, longitude: float) -> None:
        """Share a pinned location, as a `location` message."""
        self.send(f"/location {latitude},{longitude}")

    def send_photo(self, data: bytes, mime_type: str = "image/jpeg", caption: str = "") -> str:
        """Upload a file to the fake Meta and send it as an image message; its media id."""
        upload = phone_http().post(f"{self.sim}/phones/{wa_digits(self.sender)}/media",
                                   content=data, headers={"content-type": mime_type}, timeout=10)
        upload.raise_for_status()
        media_id = str(upload.json()["id"])
        message = self._message("")
        image: dict[str, Any] = {"id": media_id, "mime_type": mime_type,
                                 "sha256": base64.b64encode(secrets.token_bytes(32)).decode()}
        if caption:
            image["caption"] = caption
        message.update(type="image", image=image)
        message.pop("text", None)
        self._post(message)
        return media_id

    def _post(self, message: dict[str, Any]) -> None:
        """One message in a signed webhook, with the sender's profile as Meta sends it."""
        value = {"contacts": [{"profile": {"name": self.name or self.sender},
                               "wa_id": wa_digits(self.sender)}],
                 "messages": [message]}
        body = json.dumps(envelope(self.account["phone_number_id"], self.account["address"],
                                   value)).encode()
        headers = {SIGNATURE_HEADER: signature(self.account["app_secret"], body),
                   "Content-Type": "application/json"}
        response = phone_http().post(self.account["webhook_url"], content=body, timeout=30,
                                     headers=headers)
        response.raise_for_status()

    def receive(self, timeout: float) -> list[str]:
        """New messages in the inbox, waiting up to `timeout` seconds for the first."""
        deadline = time.monotonic() + timeout
        while True:
            data = self._inbox(self.cursor)
            if data["messages"] or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        self.cursor = int(data["next"])
        self._remember(data["messages"])
        return [str(m["text"]) for m in data["messages"]]

    def _remember(self, messages: list[dict[str, Any]]) -> None:
        """Keep the options of the latest message read: a typed number taps one of them."""
        for message in messages:
            self.options = list(message["options"])
            self.reply_kind = message["kind"]
            self.context = message["id"]
