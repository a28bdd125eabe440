"""A WhatsApp handset in the terminal: signed Twilio webhooks out, the simulator's inbox in.

Typing `2` (or `#2`) taps the second button (or list row) of the latest message, the way a
citizen taps rather than types; anything else is sent as text. A new phone on the same number
reads the chat so far, so it can tap the buttons an earlier run was shown.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from channels.terminal import phone_http
from channels.twilio_whatsapp.payloads import bare, wa

API_VERSION = "2010-04-01"
_TAP = re.compile(r"#?(\d{1,2})")


class TerminalPhone:
    """A citizen's WhatsApp: posts webhooks as Twilio would and reads its simulated inbox."""

    def __init__(self, gateway_url: str, sender: str, account: dict[str, str]) -> None:
        self.gateway = gateway_url.rstrip("/")
        self.number = bare(sender)
        self.account = account
        self.sim = account.get("api_base") or self.gateway + "/sim/twilio-whatsapp"
        self.options: list[dict[str, str]] = []
        self.replied_to = ""
        inbox = self._inbox(0)
        self._remember(inbox)
        self.cursor = int(inbox["next"])

    def _inbox(self, after: int) -> dict[str, Any]:
        """The simulator's inbox for this phone from position `after`."""
        url = f"{self.sim}/phones/{self.number}/inbox"
        data: dict[str, Any] = phone_http().get(url, params={"after": after}, timeout=10).json()
        return data

    def post(self, fields: dict[str, str]) -> httpx.Response:
        """POST one inbound webhook with the usual fields, signed with the account's token."""
        sid = ("MM" if fields.get("NumMedia", "0") != "0" else "SM") + uuid.uuid4().hex
        params = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid,
                  "AccountSid": self.account["account_sid"], "From": wa(self.number),
                  "To": wa(self.account["address"]), "Body": "", "NumMedia": "0",
                  "NumSegments": "1", "ReferralNumMedia": "0", "ProfileName": "Citizen",
                  "WaId": self.number.lstrip("+"), "SmsStatus": "received",
                  "ApiVersion": API_VERSION, "MessageType": "text", **fields}
        url = self.account["webhook_url"]
        signature = RequestValidator(self.account["auth_token"]).compute_signature(url, params)
        phone_http().post(f"{self.sim}/phones/{self.number}/wrote", timeout=10)
        response = phone_http().post(url, data=params, headers={"X-Twilio-Signature": signature},
                              timeout=30)
        response.raise_for_status()
        return response

    def send(self, text: str) -> None:
        """Send a text, or tap an option when the text is `n` (or `#n`) and option n is on
        screen."""
        tap = _TAP.fullmatch(text.strip())
        if tap and 1 <= int(tap.group(1)) <= len(self.options):
            self.tap(int(tap.group(1)))
        else:
            self.post({"Body": text})

    def tap(self, n: int) -> None:
        """Tap option n (from 1) of the latest buttons or list, as WhatsApp reports a tap."""
        option = self.options[n - 1]
        replied = {"OriginalRepliedMessageSid": self.replied_to,
                   "OriginalRepliedMessageSender": wa(self.account["address"]),
                   "Body": option["title"]}
        if option.get("kind") == "list":
            self.post({**replied, "MessageType": "interactive", "ListId": option["id"],
                       "ListTitle": option["title"]})
        else:
            self.post({**replied, "MessageType": "button", "ButtonPayload": option["id"],
                       "ButtonText": option["title"]})

    def send_location(self, latitude: float, longitude: float) -> None:
        """Share a pinned location (`/location` in the terminal)."""
        self.share_location(latitude, longitude)

    def share_location(self, latitude: float, longitude: float, label: str = "",
                       address: str = "") -> None:
        """Share a pinned location, with a place's label and address when given."""
        fields = {"MessageType": "location", "Latitude": str(latitude),
                  "Longitude": str(longitude)}
        fields.update({k: v for k, v in (("Label", label), ("Address", address)) if v})
        self.post(fields)

    def send_photo(self, data: bytes, content_type: str = "image/jpeg", caption: str = "") -> str:
        """Attach a photo (kept by the simulator behind Basic auth); returns its media URL."""
        upload = phone_http().post(f"{self.sim}/phones/{self.number}/media", content=data,
                            params={"account_sid": self.account["account_sid"]},
                            headers={"content-type": content_type}, timeout=10)
        url = str(upload.json()["url"])
        self.post({"MessageType": "image", "Body": caption, "NumMedia": "1", "MediaUrl0": url,
                   "MediaContentType0": content_type})
        return url

    def receive(self, timeout: float) -> list[str]:
        """New messages in the inbox, waiting up to `timeout` seconds for the first."""
        deadline = time.monotonic() + timeout
        while True:
            data = self._inbox(self.cursor)
            if data["messages"] or time.monotonic() >= deadline:
                self._remember(data)
                self.cursor = int(data["next"])
                return [str(m) for m in data["messages"]]
            time.sleep(0.1)

    def _remember(self, data: dict[str, Any]) -> None:
        """Keep the options of the latest message read (none when it had none): a number taps
        one of them."""
        for shown, sid in zip(data["options"], data["sids"], strict=True):
            self.options, self.replied_to = list(shown), str(sid)
