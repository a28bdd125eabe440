"""Imports every model so that metadata (and Alembic) sees all tables."""

from payments.models import (
    Bill,
    GatewayAccount,
    NumberFormat,
    PaymentAttempt,
    PaymentEvent,
    PaymentFlag,
)
from payments.receipts.models import Receipt, ReceiptCounter, ReceiptKey
from services.accounts.models import ChannelAccount
from services.audit.models import ConfigChange
from services.campaigns.models import Campaign, CampaignPolicy, CampaignSend
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

__all__ = [
    "Base",
    "Bill",
    "Campaign",
    "CampaignPolicy",
    "CampaignSend",
    "Category",
    "ChannelAccount",
    "ConfigChange",
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
    "Receipt",
    "ReceiptCounter",
    "ReceiptKey",
    "RoutingRule",
    "StaffKey",
    "StaffMember",
    "StaffNotice",
    "Tenant",
    "Ward",
]
