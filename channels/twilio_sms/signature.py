"""Twilio's webhook authenticity check, shared by the Twilio SMS, WhatsApp and Voice adapters.

The SDK's RequestValidator signs the public URL (query included) and every value of every form
field, repeated keys too; the request must also name this account's AccountSid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator

from channels.contract import WebhookRequest
from channels.errors import BadSignature


class FormFields(dict[str, list[str]]):
    """A form body with every value of repeated keys, as the SDK's validator expects them."""

    def getlist(self, name: str) -> list[str]:
        """All values of one field (the validator signs each of them)."""
        return self[name]

    def first(self) -> dict[str, str]:
        """One value per field, the first one sent, for parsing."""
        return {name: values[0] for name, values in self.items()}


def parse_form(body: bytes) -> FormFields:
    """Split an application/x-www-form-urlencoded body, keeping repeated keys."""
    fields = FormFields()
    for name, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    return fields


def verify_twilio(request: WebhookRequest, config: Mapping[str, Any]) -> dict[str, str]:
    """The form fields of a request Twilio signed for this account; BadSignature otherwise."""
    signature = request.header("X-Twilio-Signature")
    if not signature:
        raise BadSignature("missing X-Twilio-Signature")
    try:
        fields = parse_form(request.body)
    except UnicodeDecodeError:
        raise BadSignature("body is not UTF-8") from None
    validator = RequestValidator(str(config["auth_token"]))
    if not validator.validate(request.url, fields, signature):
        raise BadSignature("X-Twilio-Signature does not match")
    form = fields.first()
    if form.get("AccountSid") != config["account_sid"]:
        raise BadSignature("AccountSid is not this account's")
    return form
