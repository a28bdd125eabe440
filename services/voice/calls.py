"""A call's replies in the message log: logged as delivered, replayed for retries, served in turn.

A synchronous channel (IVR) has no outbox: each turn's reply is logged with the event id of the
answer it follows (`CallSid:N`), already delivered, so a retried webhook finds it and gets the
same response back. Exotel's Gather applet fetches the current prompt by itself; the reply it
fetched is marked served, and the Passthru's next answer, which carries no number, becomes
`CallSid:N+1` (`numbered`), so an answer Exotel sends twice is still one answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.contract import Ask, Choice, DeliveryStatus, InboundEvent, MessagePart
from channels.contract import OutboundMessage as Outbound
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.messaging.models import Message
from services.security.crypto import Crypto

SERVED = "served"
NO_INPUT = "no_input"
PAGE = "voice_page"


def step_of(external_id: str | None) -> int | None:
    """N of an event id `CallSid:N`; None for any other id."""
    tail = (external_id or "").rpartition(":")[2]
    return int(tail) if tail.isdigit() else None


def log_reply(db: Session, crypto: Crypto, *, account: ChannelAccount, contact: Contact,
              message: Outbound, external_id: str) -> Message:
    """Log a reply that goes back in the webhook response (no outbox row: it is delivered)."""
    extras: dict[str, object] = {"choices": [[c.id, c.label] for c in message.choices],
                                 "ask": message.ask.value}
    if message.parts:  # parameters may hold personal data (a description): encrypted
        extras["parts_enc"] = crypto.encrypt_json(
            {"parts": [[part.key, dict(part.params)] for part in message.parts]})
    row = Message(tenant_id=account.tenant_id, account_id=account.id, contact_id=contact.id,
                  direction="out", external_id=external_id, body_enc=crypto.encrypt(message.text),
                  language=message.language, extras=extras,
                  status=DeliveryStatus.DELIVERED.value)
    db.add(row)
    db.flush()
    return row


def outbound(crypto: Crypto, row: Message, to: str) -> Outbound:
    """A logged reply as the message the adapter renders."""
    token = row.extras.get("parts_enc")
    parts = (tuple(MessagePart(key, params) for key, params in crypto.decrypt_json(token)["parts"])
             if token else ())
    return Outbound(to=to, text=crypto.decrypt(row.body_enc),
                    choices=tuple(Choice(c[0], c[1]) for c in row.extras.get("choices", [])),
                    ask=Ask(row.extras.get("ask", "none")), language=row.language or "en",
                    reference=row.id, parts=parts)


def _replies(db: Session, account_id: str, external_ids: Sequence[str]) -> list[Message]:
    """Logged replies of an account with these event ids, oldest first."""
    return list(db.scalars(select(Message).where(
        Message.account_id == account_id, Message.direction == "out",
        Message.external_id.in_(external_ids)).order_by(Message.created_at, Message.id)))


def replies_to(db: Session, crypto: Crypto, account_id: str, external_id: str,
               to: str) -> tuple[Outbound, ...]:
    """The replies logged for an answer (what a retried webhook gets again)."""
    return tuple(outbound(crypto, row, to) for row in _replies(db, account_id, [external_id]))


def _of_call(db: Session, account_id: str, call: str) -> list[Message]:
    """Every reply logged during one call (a call has a few dozen at most)."""
    return list(db.scalars(select(Message).where(
        Message.account_id == account_id, Message.direction == "out",
        Message.external_id.startswith(f"{call}:", autoescape=True))))


def latest(db: Session, account_id: str, call: str) -> Message | None:
    """The call's newest reply: the prompt the caller is at."""
    numbered = [(step_of(row.external_id), row) for row in _of_call(db, account_id, call)]
    found = [(step, row) for step, row in numbered if step is not None]
    return max(found, key=lambda item: item[0])[1] if found else None


def serve(row: Message) -> None:
    """Record that the provider fetched this reply to play it."""
    if not row.extras.get(SERVED):
        row.extras = {**row.extras, SERVED: True}


def served(db: Session, account_id: str, call: str) -> bool:
    """Whether the provider has fetched any prompt of this call (the call is under way)."""
    return any(row.extras.get(SERVED) for row in _of_call(db, account_id, call))


def no_input(row: Message) -> int:
    """Times in a row the caller let this prompt time out."""
    return _counter(row, NO_INPUT)


def note_no_input(row: Message) -> int:
    """Count one more time-out at this prompt; the count now."""
    return _bump(row, NO_INPUT)


def page_of(row: Message) -> int:
    """The voice page of the prompt's menu the caller is at."""
    return _counter(row, PAGE)


def turn_page(row: Message) -> int:
    """The caller asked for the menu's next voice page; its number."""
    return _bump(row, PAGE)


def _counter(row: Message, key: str) -> int:
    """A count kept on the prompt's logged reply (0 when never counted)."""
    return int(row.extras.get(key, 0) or 0)


def _bump(row: Message, key: str) -> int:
    """One more on that count; the count now."""
    count = _counter(row, key) + 1
    row.extras = {**row.extras, key: count}
    return count


def served_step(db: Session, account_id: str, call: str) -> int:
    """N of the newest reply the provider fetched (0 before any)."""
    steps = [step_of(row.external_id) for row in _of_call(db, account_id, call)
             if row.extras.get(SERVED)]
    return max((s for s in steps if s is not None), default=0)


def numbered(db: Session, account_id: str, event: InboundEvent) -> InboundEvent:
    """An answer without a number of its own (`external_id` is the call) numbered after the
    last prompt served; other events are returned as they are."""
    if not event.session or event.external_id != event.session:
        return event
    step = served_step(db, account_id, event.session) + 1
    return replace(event, external_id=f"{event.session}:{step}")
