"""Sending a message once more as its approved template when the window had closed.

A WhatsApp provider may accept free text and only later report it failed because the citizen's
24-hour window had closed (Meta's re-engagement error, Twilio's 63016): our log thought the
window open, the provider's clock did not. Such a report (`StatusUpdate.needs_template`) queues
a copy of the message, in the same lane, marked `template_only` (sent as the template whatever
the log says about the window) and `resend_of` the failed one.

Exactly once: a repeated report changes nothing (the message is already failed, so
`apply_status` says no), and a copy that fails the same way is not copied again. A message with
no catalog parts has no template to go out under and is left failed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import ChannelAccount
from services.messaging.lanes import Lane
from services.messaging.models import Message, OutboxItem

TEMPLATE_ONLY = "template_only"
RESEND_OF = "resend_of"


def resend_as_template(db: Session, account: ChannelAccount,
                       external_id: str) -> tuple[str, Lane] | None:
    """Queue the failed message again as its template; the new outbox id and its lane, or
    None when it was a resend already, has no template parts or is not ours."""
    failed = db.scalar(select(Message).where(
        Message.account_id == account.id, Message.direction == "out",
        Message.external_id == external_id))
    if failed is None or failed.extras.get(TEMPLATE_ONLY) or not failed.extras.get("parts_enc"):
        return None
    lane = Lane(db.scalar(select(OutboxItem.lane).where(OutboxItem.message_id == failed.id))
                or Lane.REPLY.value)
    copy = Message(tenant_id=failed.tenant_id, account_id=failed.account_id,
                   contact_id=failed.contact_id, direction="out", body_enc=failed.body_enc,
                   language=failed.language,
                   extras={**failed.extras, TEMPLATE_ONLY: True, RESEND_OF: failed.id})
    db.add(copy)
    db.flush()
    item = OutboxItem(tenant_id=failed.tenant_id, message_id=copy.id, lane=lane.value,
                      priority=lane.priority)
    db.add(item)
    db.flush()
    return item.id, lane
