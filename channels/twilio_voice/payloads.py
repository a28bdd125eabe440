"""Twilio's voice webhook wire format: the call, what the caller entered, the call's end."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from channels.contract import DeliveryStatus


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
    direction: str = Field(alias="Direction", default="inbound")
    """`inbound`, or `outbound-api` on a call the gateway placed (From is then our number)."""

    @property
    def citizen(self) -> str:
        """The citizen's number: the caller, or the number called on an outbound call."""
        return self.to if outbound(self.direction) else self.sender

    @property
    def ours(self) -> str:
        """Our own number on the call."""
        return self.sender if outbound(self.direction) else self.to


class CallStatusCallback(BaseModel):
    """The form Twilio POSTs to the number's call status callback URL."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    call_sid: str = Field(alias="CallSid", min_length=2, max_length=64)
    account_sid: str = Field(alias="AccountSid", min_length=2)
    sender: str = Field(alias="From", min_length=1)
    to: str = Field(alias="To", min_length=1)
    call_status: str = Field(alias="CallStatus", min_length=1)
    duration: int | None = Field(alias="CallDuration", default=None, ge=0)
    direction: str = Field(alias="Direction", default="inbound")


def outbound(direction: str) -> bool:
    """Whether a call was placed by us (`outbound-api`; `outbound-dial` is a leg we dialled)."""
    return direction.lower().startswith("outbound")


ENDED = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
"""Final call statuses; the others (queued, ringing, in-progress) are acknowledged only."""
OUTBOUND_STATUS = {
    "in-progress": (DeliveryStatus.DELIVERED, None),
    "completed": (DeliveryStatus.DELIVERED, None),
    "busy": (DeliveryStatus.FAILED, "call_busy"),
    "no-answer": (DeliveryStatus.FAILED, "call_no_answer"),
    "failed": (DeliveryStatus.FAILED, "call_failed"),
    "canceled": (DeliveryStatus.FAILED, "call_canceled"),
}
"""What a call we placed says of its message: answered (`in-progress`, from the `answered`
event) or completed is delivered — a completed outbound call was answered; Twilio ends an
unanswered one `no-answer`, `busy` or `failed` — and those fail with the reason. Queued,
initiated and ringing are acknowledged only."""
