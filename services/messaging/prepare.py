"""Everything one send needs, loaded while the claim's short session is open.

The job carries the adapter, the message as the adapter takes it, the status callback URL and
the rate-limit buckets to ask, so the provider call itself needs no database session. A copy
queued because the provider found the window closed (`services.messaging.resend`) goes out as
its template whatever the log says about the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from channels.base import ChannelAdapter
from channels.contract import Ask, Choice, MessagePart, OutboundMessage, RateLimit
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for, webhook_path
from services.contacts.models import Contact
from services.contacts.service import address_of
from services.db.base import aware, utcnow
from services.messaging.attempt import DeliveryConfig
from services.messaging.claims import Claim
from services.messaging.models import Message
from services.messaging.prices import price_of
from services.messaging.resend import TEMPLATE_ONLY
from services.messaging.spend import effective_cap
from services.ratelimit.keys import account_key, recipient_key
from services.security.crypto import Crypto
from services.templates.service import apply_template
from services.tenancy.models import Tenant


@dataclass(frozen=True)
class Bucket:
    """One rate-limit bucket a send must take a unit from."""

    key: str
    """`acct:<id>` or `acct:<account id>:to:<keyed hash>`: never an address in clear."""
    limit: RateLimit


@dataclass(frozen=True)
class Job:
    """One claimed send, ready to go out with no database session open."""

    adapter: ChannelAdapter
    message: OutboundMessage
    callback: str
    buckets: tuple[Bucket, ...]
    tenant_id: str
    price_paise: int
    """What this send costs against the city's daily cap (0: free)."""
    cap_paise: int
    """The city's daily cap (its own, its state's, or the deployment's)."""


def load_job(db: Session, crypto: Crypto, config: DeliveryConfig, claim: Claim,
             now: datetime) -> Job:
    """Build the send; raises TemplateError (refused) or SendError (e.g. a broken config)."""
    state = aliased(Tenant)
    message, account, contact, own_cap, state_cap = db.execute(  # one round trip, not four
        select(Message, ChannelAccount, Contact, Tenant.daily_spend_cap_paise,
               state.daily_spend_cap_paise)
        .join(ChannelAccount, ChannelAccount.id == Message.account_id)
        .join(Contact, Contact.id == Message.contact_id)
        .outerjoin(Tenant, Tenant.id == Message.tenant_id)
        .outerjoin(state, state.id == Tenant.parent_id)
        .where(Message.id == claim.message_id)).one()
    outbound = OutboundMessage(
        to=address_of(crypto, contact), text=crypto.decrypt(message.body_enc),
        choices=tuple(Choice(c[0], c[1]) for c in message.extras.get("choices", [])),
        ask=Ask(message.extras.get("ask", "none")), language=message.language or "en",
        reference=message.id, parts=_parts(crypto, message),
        media_url=message.extras.get("media_url"),
        window_open=(not message.extras.get(TEMPLATE_ONLY)
                     and window_open(db, account, contact.id, now)))
    # On template channels a mismatch is refused here, or the operator would drop it silently.
    outbound = apply_template(db, account, outbound)
    adapter = adapter_for(crypto, account)
    return Job(adapter, outbound, config.base_url + webhook_path(account, "status"),
               buckets(crypto, adapter, account.id, outbound.to), message.tenant_id,
               # priced as the provider bills it: the text with its choices rendered in
               price_of(config.prices, account.channel_type, adapter.render_text(outbound),
                        outbound.window_open),
               effective_cap(own_cap, state_cap, config.daily_cap_paise))


def buckets(crypto: Crypto, adapter: ChannelAdapter, account_id: str,
            to: str) -> tuple[Bucket, ...]:
    """The account's limits as buckets: the recipient's first, so a refusal there takes no
    unit from the account's budget, which every recipient shares."""
    per_account, per_recipient = adapter.send_limits()
    found = []
    if per_recipient is not None:
        found.append(Bucket(recipient_key(account_id, crypto.lookup_hash(to)), per_recipient))
    if per_account is not None:
        found.append(Bucket(account_key(account_id), per_account))
    return tuple(found)


def _parts(crypto: Crypto, message: Message) -> tuple[MessagePart, ...]:
    """The catalog messages the text was rendered from (kept encrypted in the log)."""
    token = message.extras.get("parts_enc")
    if not token:
        return ()
    return tuple(MessagePart(key, params) for key, params in crypto.decrypt_json(token)["parts"])


def window_open(db: Session, account: ChannelAccount, contact_id: str,
                now: datetime | None = None) -> bool:
    """Whether the citizen wrote to this account within its channel's session window."""
    hours = adapter_class(account.channel_type).capabilities.session_window_hours
    if hours is None:
        return True
    last = db.scalar(select(func.max(Message.created_at)).where(
        Message.account_id == account.id, Message.contact_id == contact_id,
        Message.direction == "in"))
    return last is not None and (now or utcnow()) - aware(last) < timedelta(hours=hours)
