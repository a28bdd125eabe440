"""Imports every model so that metadata (and Alembic) sees all tables."""

from payments.bbps.models import BbpsBiller, BbpsNotification, BbpsPayment
from payments.models import (
    Bill,
    GatewayAccount,
    NumberFormat,
    PaymentAttempt,
    PaymentEvent,
    PaymentFlag,
)
from payments.receipts.models import Receipt, ReceiptCounter, ReceiptKey
from payments.recon import models as recon_models  # noqa: F401  (registers the tables)
from payments.refund_models import PaymentRefund
from services.accounts.models import ChannelAccount
from services.audit.models import ConfigChange
from services.campaigns.models import Campaign, CampaignPolicy, CampaignSend
from services.connectors.models import (
    Connection,
    PlatformToken,
    RemoteBill,
    RemoteGrievance,
    RemotePayment,
)
from services.consent.models import Consent, ConsentRecord
from services.contacts.models import Contact
from services.db.base import Base
from services.grievances.models import Grievance, GrievanceEvent, GrievanceRating, IdCounter
from services.inbox.models import InboxEvent
from services.mail.models import EmailItem
from services.media.models import MediaObject
from services.messaging.models import DailySpend, Message, OutboxItem
from services.routing.models import EscalationStep, RoutingRule, StaffNotice
from services.staff.models import Department, StaffKey, StaffMember
from services.templates.models import MessageTemplate  # noqa: F401  (registers the table)
from services.tenancy.models import Category, Locality, Tenant, Ward
from services.voice.messages import VoiceMessage

__all__ = [
    "Base",
    "BbpsBiller",
    "BbpsNotification",
    "BbpsPayment",
    "Bill",
    "Campaign",
    "CampaignPolicy",
    "CampaignSend",
    "Category",
    "ChannelAccount",
    "ConfigChange",
    "Connection",
    "Consent",
    "ConsentRecord",
    "Contact",
    "DailySpend",
    "Department",
    "EmailItem",
    "EscalationStep",
    "GatewayAccount",
    "Grievance",
    "GrievanceEvent",
    "GrievanceRating",
    "IdCounter",
    "InboxEvent",
    "Locality",
    "MediaObject",
    "Message",
    "NumberFormat",
    "OutboxItem",
    "PaymentAttempt",
    "PaymentEvent",
    "PaymentFlag",
    "PaymentRefund",
    "PlatformToken",
    "Receipt",
    "ReceiptCounter",
    "ReceiptKey",
    "RemoteBill",
    "RemoteGrievance",
    "RemotePayment",
    "RoutingRule",
    "StaffKey",
    "StaffMember",
    "StaffNotice",
    "Tenant",
    "VoiceMessage",
    "Ward",
]
