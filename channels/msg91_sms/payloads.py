"""MSG91's SMS wire format: the send request and answer, delivery reports, long-code SMS.

Delivery reports arrive in MSG91's webhook "v2" shape (form-encoded, one field `data` holding a
JSON array of requests, each with a `report` list) or the "v3" shape (one flat JSON object per
report). Long-code (virtual number) SMS arrive as form or JSON fields.
"""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from channels.contract import DeliveryStatus


class SendAnswer(BaseModel):
    """MSG91's answer to a send: `{"type": "success", "message": "<request id>"}`."""

    model_config = ConfigDict(extra="ignore")

    type: str
    message: str = ""
    code: str | int | None = None


class Report(BaseModel):
    """One recipient's delivery report."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)

    status: str = Field(min_length=1)
    desc: str = ""
    number: str = ""
    failed_reason: str = Field(default="", alias="failedReason")


class ReportGroup(BaseModel):
    """The reports of one send request (webhook v2)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    request_id: str = Field(alias="requestId", min_length=2, max_length=100)
    report: list[Report] = Field(min_length=1)


class FlatReport(Report):
    """A report with its request id (webhook v3)."""

    request_id: str = Field(alias="requestId", min_length=2, max_length=100)


class LongCodeSms(BaseModel):
    """An SMS to our long code / virtual number, forwarded by MSG91."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)

    sender: str = Field(min_length=1, validation_alias=AliasChoices("sender", "mobile"))
    text: str = Field(default="", validation_alias=AliasChoices("comments", "message"))
    number: str = Field(default="", validation_alias=AliasChoices("inNumber", "number"))
    keyword: str = ""
    received: str = Field(default="", validation_alias=AliasChoices("rcvd", "date"))
    id: str | None = Field(default=None, max_length=100,
                           validation_alias=AliasChoices("requestId", "id"))


# MSG91 report status -> neutral status (1 delivered; 2 failed; 9 NDNC; 16, 25 rejected;
# 17 blocked number; 8 submitted to the operator).
STATUS_MAP: dict[str, DeliveryStatus] = {
    "1": DeliveryStatus.DELIVERED,
    "2": DeliveryStatus.FAILED,
    "8": DeliveryStatus.SENT,
    "9": DeliveryStatus.FAILED,
    "16": DeliveryStatus.FAILED,
    "17": DeliveryStatus.FAILED,
    "25": DeliveryStatus.FAILED,
}
DESC_MAP: dict[str, DeliveryStatus] = {
    "DELIVERED": DeliveryStatus.DELIVERED,
    "SUBMITTED": DeliveryStatus.SENT,
    "SENT": DeliveryStatus.SENT,
    "FAILED": DeliveryStatus.FAILED,
    "REJECTED": DeliveryStatus.FAILED,
    "NDNC": DeliveryStatus.FAILED,
    "BLOCKED": DeliveryStatus.FAILED,
    "EXPIRED": DeliveryStatus.FAILED,
}
"""Fallback by description, for statuses outside the documented codes."""
