"""Exotel's SMS wire format: form-encoded incoming SMS and status callbacks, JSON send answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from channels.contract import DeliveryStatus


class InboundSms(BaseModel):
    """What Exotel posts when an SMS reaches our ExoPhone (the "incoming SMS" callback)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sms_sid: str = Field(alias="SmsSid", min_length=2, max_length=100)
    sender: str = Field(alias="From", min_length=1)
    to: str = Field(alias="To", min_length=1)
    body: str = Field(alias="Body", default="")
    date: str | None = Field(alias="Date", default=None)


class StatusCallback(BaseModel):
    """What Exotel posts to a message's StatusCallback URL."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sms_sid: str = Field(alias="SmsSid", min_length=2, max_length=100)
    status: str = Field(alias="Status", min_length=1)
    to: str = Field(alias="To", default="")
    detailed_status: str | None = Field(alias="DetailedStatus", default=None)
    detailed_status_code: str | None = Field(alias="DetailedStatusCode", default=None)
    custom_field: str | None = Field(alias="CustomField", default=None)


class SmsMessage(BaseModel):
    """The message part of a send answer (`{"SMSMessage": {...}}`)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sid: str = Field(alias="Sid", min_length=2, max_length=100)
    status: str = Field(alias="Status", default="queued")


class SendAnswer(BaseModel):
    """Exotel's answer to `Sms/send.json`."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sms_message: SmsMessage = Field(alias="SMSMessage")


# Exotel Status -> neutral status. Exotel's older callbacks end in `sent` for a delivered SMS
# (with a DELIVERED_TO_HANDSET detailed code); newer documentation adds `delivered`.
STATUS_MAP: dict[str, DeliveryStatus] = {
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.QUEUED,
    "submitted": DeliveryStatus.QUEUED,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
    "failed_dnd": DeliveryStatus.FAILED,
    "expired": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.FAILED,
}
DELIVERED_CODES = frozenset({"20000", "20005"})
"""DetailedStatusCode of DELIVERED_TO_HANDSET (Exotel documents both numbers)."""
