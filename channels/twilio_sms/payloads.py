"""Twilio's webhook wire format: form-encoded inbound messages and status callbacks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from channels.contract import DeliveryStatus

MAX_MEDIA = 10  # Twilio attaches at most ten media to one message


class InboundSms(BaseModel):
    """The form Twilio POSTs when a message reaches our number."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    message_sid: str = Field(alias="MessageSid", min_length=2)
    account_sid: str = Field(alias="AccountSid", min_length=2)
    sender: str = Field(alias="From", min_length=1)
    to: str = Field(alias="To", min_length=1)
    body: str = Field(alias="Body", default="")
    num_media: int = Field(alias="NumMedia", default=0, ge=0)
    latitude: float | None = Field(alias="Latitude", default=None, ge=-90, le=90)
    longitude: float | None = Field(alias="Longitude", default=None, ge=-180, le=180)


class StatusCallback(BaseModel):
    """The form Twilio POSTs to a message's StatusCallback URL."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    message_sid: str = Field(alias="MessageSid", min_length=2)
    account_sid: str = Field(alias="AccountSid", min_length=2)
    message_status: str = Field(alias="MessageStatus", min_length=1)
    error_code: str | None = Field(alias="ErrorCode", default=None)


# Twilio MessageStatus -> neutral status; statuses of our own inbound messages are not here.
STATUS_MAP: dict[str, DeliveryStatus] = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.QUEUED,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
