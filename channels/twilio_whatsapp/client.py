"""The SMS channel's Twilio client reused, WhatsApp's error codes; inbound media is fetched as
for SMS/MMS (`channels.twilio_sms.media`), through the adapter's pooled httpx client.

Most WhatsApp failures (63xxx) are not refusals of the create request: Twilio accepts the message
and later reports `failed` with an ErrorCode in the status callback. The same table classifies
both, so the outbox and the message log speak of them alike (`error_for_code`).
"""

from __future__ import annotations

from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from channels.errors import (
    ConfigError,
    ContactStopped,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)
from channels.twilio_sms.client import THROTTLE_DELAY, pooled_twilio
from channels.twilio_sms.client import map_error as map_sms_error
from channels.twilio_sms.media import fetch_media, media_client

__all__ = ["OUTSIDE_WINDOW", "WHATSAPP_ERRORS", "error_for_code", "fetch_media", "map_error",
           "media_client", "pooled_twilio"]

CHANNEL_THROTTLE_DELAY = 60.0  # seconds; 63018 is WhatsApp's own per-sender limit

# Twilio error code -> the send error it means and a reason kept in the error's detail.
WHATSAPP_ERRORS: dict[int, tuple[type[SendError], str]] = {
    63016: (ConfigError, "outside_window"),  # free text after 24 h: a template is required
    63024: (RecipientInvalid, "invalid_recipient"),
    63003: (RecipientInvalid, "unknown_recipient"),
    63014: (ContactStopped, "blocked_by_user"),
    63018: (Throttled, "channel_rate_limit"),
    63017: (Throttled, "account_rate_limit"),
    63007: (ConfigError, "unknown_sender"),  # From is not a WhatsApp sender of this account
    63027: (ConfigError, "template_missing"),  # no such template for the language
    63028: (ConfigError, "template_parameters"),  # ContentVariables do not fit the template
    21655: (ConfigError, "content_sid_invalid"),
    21656: (ConfigError, "content_variables_invalid"),
    63012: (ProviderDown, "channel_internal_error"),
}
OUTSIDE_WINDOW = "63016"
"""The ErrorCode of free text sent after the 24-hour window closed."""
_DELAYS = {63018: CHANNEL_THROTTLE_DELAY, 63017: THROTTLE_DELAY}


def error_for_code(code: str | int | None) -> type[SendError] | None:
    """The send error a Twilio error code (as in a status callback's ErrorCode) stands for."""
    try:
        known = WHATSAPP_ERRORS.get(int(code or 0))
    except ValueError:
        return None
    return known[0] if known else None


def map_error(exc: Exception) -> SendError:
    """An SDK or transport exception as one of the closed set: WhatsApp's codes first, then
    the SMS channel's table (HTTP status, auth, carrier codes, network errors)."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        status, code = int(exc.status or 0), int(exc.code or 0)
        known = WHATSAPP_ERRORS.get(code)
        if known is not None:
            cls, reason = known
            return cls(f"{reason}: twilio {status}/{code}", retry_after=_DELAYS.get(code))
    return map_sms_error(exc)


