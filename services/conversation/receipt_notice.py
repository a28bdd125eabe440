"""The citizen's receipt notice: plugged into `payments.receipting`'s notice hook.

It runs in the receipt's transaction and queues one message (lane `notice`) on the channel
the citizen last wrote from (a call's caller gets it by SMS), in their language: the amount,
the service and number, the receipt number, the verification URL and a PDF link."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.prompts import N_, Money, Msg, Prompt
from channels.contract import Medium
from channels.registry import adapter_class
from payments.models import PaymentAttempt
from payments.receipting import Queued, ReceiptNotifier
from payments.receipts.links import pdf_path, verify_url
from services.accounts.models import ChannelAccount
from services.accounts.service import messaging_account
from services.contacts.models import Contact
from services.conversation.render import render_msg, render_parts
from services.messaging.lanes import Lane
from services.messaging.models import Message
from services.messaging.outbox import queue_message
from services.security.crypto import Crypto
from services.tenancy.models import Tenant

PDF_LINK_SECONDS = 30 * 24 * 3600
"""How long the PDF link in a receipt notice opens (a month)."""
SERVICE_NAMES = {
    "property_tax": N_("receipt.service.property_tax"),
    "water": N_("receipt.service.water"),
    "sewerage": N_("receipt.service.sewerage"),
    "trade_licence": N_("receipt.service.trade_licence"),
}


def reply_account(db: Session, contact: Contact) -> ChannelAccount | None:
    """The account the citizen last wrote to, or the city's SMS account for a caller."""
    account = db.scalar(select(ChannelAccount).join(
        Message, Message.account_id == ChannelAccount.id).where(
        Message.contact_id == contact.id, Message.direction == "in",
        ChannelAccount.active.is_(True)).order_by(Message.created_at.desc()).limit(1))
    if account is not None and not adapter_class(account.channel_type).capabilities.synchronous:
        return account
    return messaging_account(db, contact.tenant_id, Medium.SMS)


def notice(service: str, amount_paise: int, consumer: str, number: str, verify: str,
           pdf: str) -> Msg:
    """The receipt notice as a catalog message."""
    return Msg(N_("receipt.notice"), {
        "amount": Money(amount_paise), "service": Msg(SERVICE_NAMES.get(
            service, SERVICE_NAMES["property_tax"])), "consumer": consumer, "number": number,
        "verify": verify, "pdf": pdf})


def receipt_notifier(crypto: Crypto, base_url: str) -> ReceiptNotifier:
    """The hook for `AppContext.payment_notifier`."""
    def notify(db: Session, attempt: PaymentAttempt, receipt: Any) -> Queued:
        """Queue the citizen's receipt message in the receipt's transaction."""
        contact = db.get(Contact, attempt.contact_id) if attempt.contact_id else None
        if contact is None or contact.tenant_id != attempt.tenant_id:
            return ()
        account = reply_account(db, contact)
        if account is None:
            return ()
        tenant = db.get(Tenant, contact.tenant_id)
        language = contact.language or (tenant.default_language if tenant else None) or "en"
        path, _ = pdf_path(crypto, receipt.id, language, PDF_LINK_SECONDS)
        message = notice(receipt.service, int(receipt.amount_paise), receipt.consumer_no,
                         receipt.number, verify_url(base_url, receipt.number,
                                                    receipt.signature, language),
                         base_url.rstrip("/") + path)
        outbox = queue_message(db, crypto, account=account, contact=contact,
                               text=render_msg(message, language), language=language,
                               parts=render_parts(Prompt((message,)), language),
                               lane=Lane.NOTICE)
        return ((outbox, Lane.NOTICE),)
    return notify
