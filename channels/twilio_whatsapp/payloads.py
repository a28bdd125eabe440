"""Twilio's WhatsApp wire format: `whatsapp:` addresses, inbound and status webhook forms."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from channels.errors import ConfigError
from channels.twilio_sms.payloads import STATUS_MAP

__all__ = ["STATUS_MAP"]

PREFIX = "whatsapp:"
MAX_MEDIA = 10  # Twilio attaches at most ten media to one message
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def bare(address: str) -> str:
    """The number in a WhatsApp address: "whatsapp:+91 98…" or "9198…" becomes "+9198…"."""
    number = address.strip()
    if number.lower().startswith(PREFIX):
        number = number[len(PREFIX):]
    number = re.sub(r"[\s()-]", "", number)
    return number if not number or number.startswith("+") else "+" + number


def wa(number: str) -> str:
    """The WhatsApp address Twilio expects for a number ("+91…" becomes "whatsapp:+91…")."""
    return PREFIX + bare(number)


def config_number(value: object) -> str:
    """Our sender number from the account config, checked; ConfigError when it is not one."""
    number = bare(str(value or ""))
    if not _E164.fullmatch(number):
        raise ConfigError("address is not a phone number")
    return number


def _wa_number(value: str) -> str:
    """The number of a `whatsapp:+…` address as Twilio posts it; ValueError for anything else."""
    if not value.startswith(PREFIX) or not _E164.fullmatch(value[len(PREFIX):]):
        raise ValueError("not a whatsapp:+E.164 address")
    return value[len(PREFIX):]


class InboundMessage(BaseModel):
    """The form Twilio POSTs when a citizen writes, taps a button or shares a location."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    message_sid: str = Field(alias="MessageSid", min_length=2)
    account_sid: str = Field(alias="AccountSid", min_length=2)
    sender: str = Field(alias="From")
    to: str = Field(alias="To")
    body: str = Field(alias="Body", default="")
    num_media: int = Field(alias="NumMedia", default=0, ge=0)
    latitude: float | None = Field(alias="Latitude", default=None, ge=-90, le=90)
    longitude: float | None = Field(alias="Longitude", default=None, ge=-180, le=180)
    button_payload: str | None = Field(alias="ButtonPayload", default=None)
    list_id: str | None = Field(alias="ListId", default=None)
    profile_name: str = Field(alias="ProfileName", default="", max_length=256)

    @field_validator("sender", "to")
    @classmethod
    def _number(cls, value: str) -> str:
        """`whatsapp:+91…` becomes "+91…", the number the core keys `tel:` contacts by."""
        return _wa_number(value)

    @property
    def payload(self) -> str | None:
        """The id of the tapped quick-reply button or list item, if the citizen tapped one."""
        return self.button_payload or self.list_id or None


class StatusCallback(BaseModel):
    """The form Twilio POSTs to a message's StatusCallback URL (WhatsApp adds `read`)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    message_sid: str = Field(alias="MessageSid", min_length=2)
    account_sid: str = Field(alias="AccountSid", min_length=2)
    message_status: str = Field(alias="MessageStatus", min_length=1)
    error_code: str | None = Field(alias="ErrorCode", default=None)
