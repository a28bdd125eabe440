"""Exotel's applet callbacks: call details as query parameters (GET), sometimes a form (POST)."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from channels.contract import DeliveryStatus

QUOTES = "\"' "


class AppletCall(BaseModel):
    """What a Passthru or Gather applet sends about the call (names vary between applets)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    call_sid: str = Field(alias="CallSid", min_length=2, max_length=64)
    sender: str = Field(validation_alias=AliasChoices("CallFrom", "From"), min_length=1)
    to: str = Field(validation_alias=AliasChoices("CallTo", "To"), default="")
    call_status: str = Field(validation_alias=AliasChoices("CallStatus", "Status"), default="")
    digits: str | None = Field(validation_alias=AliasChoices("digits", "DigitsPressed", "Digits"),
                               default=None)
    """Keys gathered by the previous Gather applet; Exotel wraps them in quotes: `"12"`."""
    recording_url: str | None = Field(alias="RecordingUrl", default=None)

    @property
    def pressed(self) -> str | None:
        """The gathered keys without Exotel's quotes; None when no Gather came before."""
        if self.digits is None:
            return None
        return self.digits.strip(QUOTES)


ENDED = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
"""Final call statuses of an Exotel status callback."""
UNANSWERED = frozenset({"busy", "no-answer", "missed"})
"""Statuses of a call that reached a missed-call number and was not answered."""


class ConnectStatus(BaseModel):
    """The StatusCallback of a call placed with the Connect API: CallSid, Status, DateUpdated
    and RecordingUrl always; EventType (`terminal`, `answered`), From, To and more when
    StatusCallbackEvents were asked for. Sent as a form or, with
    StatusCallbackContentType=application/json, as JSON."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    call_sid: str = Field(alias="CallSid", min_length=2, max_length=64)
    status: str = Field(alias="Status", default="")
    event_type: str = Field(alias="EventType", default="")


OUTBOUND_STATUS = {
    "in-progress": (DeliveryStatus.DELIVERED, None),
    "completed": (DeliveryStatus.DELIVERED, None),
    "busy": (DeliveryStatus.FAILED, "call_busy"),
    "no-answer": (DeliveryStatus.FAILED, "call_no_answer"),
    "failed": (DeliveryStatus.FAILED, "call_failed"),
    "canceled": (DeliveryStatus.FAILED, "call_canceled"),
}
"""A placed call's status as its message's: answered or completed is delivered (a completed
call was answered; one nobody took ends `no-answer`, `busy` or `failed`), the rest fail with
that reason."""
