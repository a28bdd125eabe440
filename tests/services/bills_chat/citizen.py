"""A citizen paying a bill in the conversation, on any channel: the driver the tests share.

Each channel's simulated phone (or the web chat's HTTP API) is wrapped as `say(text) -> what
the citizen sees`; the payment is completed on the Razorpay simulator, which posts correctly
signed webhooks to the gateway, and the receipt arrives on the same channel.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from channels.registry import terminal_phone
from payments.models import PaymentAttempt
from payments.razorpay import simulator
from tests.support.gateway import LiveGateway, WebVisitor

RECEIPT_NO = re.compile(r"AMR/(PT|WS|SW|TL)/\d{4}-\d{2}/\d{6}")
LINK = re.compile(r"http://\S+/sim/razorpay/pay/(plink_\w+)")
UPI = re.compile(r"upi://pay\?\S+")
VERIFY = re.compile(r"http://\S+/receipts/verify/\S+")
PDF = re.compile(r"http://\S+/receipts/pdf/\S+")
QR = re.compile(r"http://\S+/payments/qr/\w+\.png\?\S+")
SCRIPT = {"hi": "DEVANAGARI", "ta": "TAMIL", "bn": "BENGALI"}
DIGITS = {"hi": "०१२३४५६७८९", "ta": "௦௧௨௩௪௫௬௭௮௯", "bn": "০১২৩৪৫৬৭৮৯"}
Say = Callable[[str], str]


def native(number: str, code: str) -> str:
    """A number written in the language's own digits (dashes kept)."""
    return "".join(DIGITS[code][int(ch)] if ch.isdigit() else ch for ch in number)


def share_in_script(text: str, code: str) -> float:
    """The share of letters outside links and codes that are in the language's script."""
    plain = re.sub(r"\S*[/:]\S*|[A-Z]{2}-\d{4}-\d{4}", "", text)
    letters = [ch for ch in plain if unicodedata.category(ch)[0] == "L"]
    native_ = [ch for ch in letters if unicodedata.name(ch, "").startswith(SCRIPT[code])]
    return len(native_) / max(1, len(letters))


@dataclass
class Channel:
    """One citizen on one channel: `say` sends and returns what arrived; `wait` returns what
    arrives later (a receipt) without sending anything."""

    say: Say
    wait: Callable[[], str]


def phone_channel(gateway: LiveGateway, channel_type: str, number: str) -> Channel:
    """A citizen's phone on a simulated provider (SMS, WhatsApp, Telegram, a call)."""
    phone = terminal_phone(channel_type, gateway.base_url, number, gateway.account(channel_type))

    def say(text: str) -> str:
        phone.send(text)
        got = phone.receive(10)
        while got and got[-1].startswith("[photo]"):  # Telegram: the picture, then its text
            got += phone.receive(10)
        return "\n---\n".join(got)

    def wait() -> str:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            got = phone.receive(1)
            if got:
                return "\n---\n".join(got)
        return ""
    return Channel(say, wait)


def web_channel(gateway: LiveGateway) -> Channel:
    """A visitor in the web chat (texts and the pictures sent with them)."""
    visitor = WebVisitor(gateway)

    def show(replies: list[dict[str, object]]) -> str:
        return "\n---\n".join((f"[image] {m['image']}\n" if m.get("image") else "")
                              + str(m["text"]) + "\n"
                              + "\n".join(str(c["label"]) for c in m["choices"])  # type: ignore[attr-defined]
                              for m in replies)

    def say(text: str) -> str:
        visitor.send(text)
        return show(visitor.replies())

    def wait() -> str:
        return show(visitor.replies(timeout=15))
    return Channel(say, wait)


def attempt_of(gateway: LiveGateway, link_id: str) -> PaymentAttempt:
    """The payment attempt behind a link the citizen was sent."""
    with gateway.ctx.sessions() as db:
        row = db.scalar(select(PaymentAttempt).where(PaymentAttempt.external_link_id == link_id))
        assert row is not None, link_id
        db.expunge(row)
        return row


def pay(gateway: LiveGateway, reply: str) -> PaymentAttempt:
    """Pay the link in a reply by UPI on the simulator (signed webhooks follow)."""
    found = LINK.search(reply)
    assert found, reply
    simulator.pay(found.group(1))
    return attempt_of(gateway, found.group(1))
