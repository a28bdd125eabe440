"""Twilio's voice webhook wire format: the call, what the caller entered, the call's end."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CallRequest(BaseModel):
    """The form Twilio POSTs when a call arrives and to every `action` URL during the call."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    call_sid: str = Field(alias="CallSid", min_length=2, max_length=64)
    account_sid: str = Field(alias="AccountSid", min_length=2)
    sender: str = Field(alias="From", min_length=1)
    to: str = Field(alias="To", min_length=1)
    call_status: str = Field(alias="CallStatus", default="")
    digits: str | None = Field(alias="Digits", default=None)
    """Keys pressed at a `<Gather>` (or the key that ended a `<Record>`, "hangup")."""
    speech: str | None = Field(alias="SpeechResult", default=None)
    recording_url: str | None = Field(alias="RecordingUrl", default=None)
    recording_seconds: int | None = Field(alias="RecordingDuration", default=None, ge=0)


class CallStatusCallback(BaseModel):
    """The form Twilio POSTs to the number's call status callback URL."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    call_sid: str = Field(alias="CallSid", min_length=2, max_length=64)
    account_sid: str = Field(alias="AccountSid", min_length=2)
    sender: str = Field(alias="From", min_length=1)
    to: str = Field(alias="To", min_length=1)
    call_status: str = Field(alias="CallStatus", min_length=1)
    duration: int | None = Field(alias="CallDuration", default=None, ge=0)


ENDED = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
"""Final call statuses; the others (queued, ringing, in-progress) are acknowledged only."""
