"""Signed Twilio inbound-SMS webhooks: a fixed population of senders walking one conversation.

Each request has a fresh ``MessageSid`` and an ``X-Twilio-Signature`` computed by the Twilio
SDK's ``RequestValidator`` over the public URL the gateway verifies against. Senders take turns
(request ``i`` comes from sender ``i mod senders``), so one sender's messages are
``senders / rate`` seconds apart and each continues that sender's conversation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench.load import Shot

FORM_TYPE = "application/x-www-form-urlencoded"

# One citizen's SMS conversation: first contact, language, file a grievance, track it, help,
# the menu keyword, change language. "{...}" fields are filled per sender.
SCRIPT: tuple[str, ...] = (
    "hi",             # new contact: the language question
    "1",              # English: the main menu
    "1",              # file a grievance: categories
    "{category}",     # a category: localities
    "{locality}",     # a locality: describe it
    "{description}",  # the description: confirm?
    "yes",            # files it (a service call) and says so
    "2",              # track: the citizen's grievances
    "1",              # the first one: its status
    "4",              # help, then the menu
    "menu",           # the menu keyword
    "3",              # change language: the language question
    "1",              # English again: the menu
)
DESCRIPTIONS = (
    "Garbage has not been collected on our street for three days",
    "The streetlight near the gurdwara gate is off every night",
    "No water supply since yesterday morning in the whole lane",
    "Sewer is overflowing in front of the school, please send someone",
)


@dataclass(frozen=True)
class Account:
    """The Twilio account the webhooks claim to come from, and where they are posted."""

    url: str
    account_sid: str
    auth_token: str
    address: str


@dataclass
class Senders:
    """A population of citizens; hands out each one's next signed message in turn."""

    account: Account
    count: int
    prefix: str = "+9198"
    position: list[int] = field(init=False)
    turn: int = 0
    sent: int = 0

    def __post_init__(self) -> None:
        self.position = [0] * self.count
        self.validator = RequestValidator(self.account.auth_token)

    def number(self, index: int) -> str:
        """Sender `index`'s phone number."""
        return f"{self.prefix}{index:08d}"

    def text(self, index: int) -> str:
        """Sender `index`'s next message, and advance its conversation."""
        step = self.position[index]
        self.position[index] = step + 1
        return SCRIPT[step % len(SCRIPT)].format(
            category=1 + index % 8, locality=1 + (index // 8) % 8,
            description=DESCRIPTIONS[index % len(DESCRIPTIONS)])

    def shot(self, index: int, text: str) -> Shot:
        """A signed inbound form from sender `index`."""
        sid = "SM" + uuid.uuid4().hex
        form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid,
                "AccountSid": self.account.account_sid, "From": self.number(index),
                "To": self.account.address, "Body": text, "NumMedia": "0",
                "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        signature = str(self.validator.compute_signature(self.account.url, form))
        return Shot(urlencode(form).encode(), {"Content-Type": FORM_TYPE,
                                               "X-Twilio-Signature": signature},
                    self.number(index))

    def next(self, n: int) -> list[Shot]:
        """The next `n` requests, senders taking turns."""
        shots = []
        for _ in range(n):
            index = self.turn % self.count
            self.turn += 1
            shots.append(self.shot(index, self.text(index)))
        self.sent += n
        return shots
