"""Exotel SMS adapter: DLT-tagged sends, status callbacks and incoming SMS behind a shared secret.

Exotel signs no webhook. Every URL we give it carries the account's `webhook_secret`: as
`?token=` (added by `send` to each StatusCallback; add it to the incoming-SMS URL in the
dashboard) or as the password of HTTP Basic credentials in the URL
(`https://exotel:<secret>@host/...`; `callback_auth: basic` makes `send` use this form, which
keeps the secret out of access logs). A request with neither is refused with 403.

Exotel's documented incoming-SMS path is the SMS app's "Send a Reply" applet with a URL: a HEAD
probe (which must answer with the same headers as the GET), then a GET with `SmsSid`, `From`,
`To`, `Date` and `Body` in the query; a `text/plain` body would be sent back as a reply SMS, so
ours is empty (replies go through the outbox). A form POST with the same fields (the dashboard's
inbound webhook) and status callbacks by GET or POST are read the same way. The probe carries
the secret too: without it, 403.

config: account_sid, api_key, api_token, webhook_secret, address (the ExoPhone citizens text),
optional sender (default header), entity_id (default DLT principal entity id), sms_type,
callback_auth (token | basic), api_base (default https://api.exotel.com; Mumbai: https://api.in.exotel.com).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

import httpx
from pydantic import ValidationError

from channels.base import ChannelAdapter
from channels.contract import (
    AccountConfig,
    Capabilities,
    DeliveryStatus,
    InboundEvent,
    Medium,
    OutboundMessage,
    RateLimit,
    SendResult,
    StatusUpdate,
    WebhookRequest,
    WebhookResponse,
    WebhookResult,
)
from channels.errors import ConfigError, MalformedPayload, ProviderDown
from channels.exotel_sms.client import post_form, send_url
from channels.exotel_sms.payloads import (
    DELIVERED_CODES,
    STATUS_MAP,
    InboundSms,
    SendAnswer,
    StatusCallback,
)
from channels.http import pooled_http
from channels.webhook_secret import (
    check_secret,
    request_fields,
    with_basic,
    with_token,
)
from i18n.sms import Encoding, sms_length

IST = ZoneInfo("Asia/Kolkata")
ACCOUNT_RATE = RateLimit(3)
"""Exotel's default of 200 SMS a minute, paced per second (`mps` in the config raises it)."""
ANSWER = WebhookResponse(200, "", "text/plain")
"""Exotel wants `text/plain` and nothing else; an empty body sends no reply SMS."""
DEFAULT_SMS_TYPE = "transactional"
"""Exotel's SmsType for transactional and service-implicit DLT templates."""


def _received_at(value: str | None) -> datetime | None:
    """Exotel's `Date` ("2027-01-05 14:03:11", India time), when it parses."""
    try:
        return datetime.strptime(value or "", "%Y-%m-%d %H:%M:%S").replace(tzinfo=IST)
    except ValueError:
        return None


class Adapter(ChannelAdapter):
    """SMS through Exotel; every send names its DLT entity, header and content template."""

    channel_type = "exotel-sms"
    medium = Medium.SMS
    capabilities = Capabilities(buttons=0, numbered_menus=True, page_size=4, templates=True,
                                max_text_length=1000, account_rate=ACCOUNT_RATE)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"api_token", "webhook_secret"})
    required_fields: ClassVar[frozenset[str]] = frozenset(
        {"account_sid", "api_key", "api_token", "webhook_secret"})
    webhook_methods: ClassVar[frozenset[str]] = frozenset({"GET", "HEAD", "POST"})

    def __init__(self, config: AccountConfig,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(config)
        self.http = pooled_http(transport=transport)

    def close(self) -> None:
        """Close the pooled HTTP client."""
        self.http.close()

    def _authenticate(self, request: WebhookRequest) -> None:
        """Refuse a request without our webhook secret (BadSignature, 403)."""
        check_secret(request, str(self.config["webhook_secret"]))

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Authenticate, then parse an incoming SMS or a status callback."""
        if kind not in ("inbound", "status"):
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        self._authenticate(request)
        if request.method == "HEAD":  # Exotel's probe before the GET: the GET's headers
            return WebhookResult((), ANSWER, ignored="HEAD probe")
        fields = request_fields(request)
        try:
            if kind == "status":
                return self._status(StatusCallback.model_validate(fields))
            sms = InboundSms.model_validate(fields)
        except ValidationError as exc:
            raise MalformedPayload(f"{len(exc.errors())} invalid field(s)") from None
        event = InboundEvent(external_id=sms.sms_sid, sender=sms.sender, recipient=sms.to,
                             text=sms.body, received_at=_received_at(sms.date))
        return WebhookResult((event,), ANSWER)

    @staticmethod
    def _status(cb: StatusCallback) -> WebhookResult:
        """A status callback as a StatusUpdate; statuses we do not know are acknowledged."""
        status = STATUS_MAP.get(cb.status.lower())
        if status is None:
            return WebhookResult((), ignored=f"status {cb.status}")
        if status is DeliveryStatus.SENT and cb.detailed_status_code in DELIVERED_CODES:
            status = DeliveryStatus.DELIVERED
        error = (cb.detailed_status_code or cb.status) if status is DeliveryStatus.FAILED else None
        return WebhookResult((StatusUpdate(cb.sms_sid, status, error),))

    def _dlt(self, message: OutboundMessage) -> dict[str, str]:
        """The DLT fields of a send: from the template, else the account's defaults."""
        template = message.template
        if template is None:
            raise ConfigError("DLT SMS needs a registered content template")
        extra = template.extra
        entity = extra.get("entity_id") or str(self.config.get("entity_id") or "")
        header = extra.get("header") or str(self.config.get("sender") or self.address)
        if not entity or not header:
            raise ConfigError("no DLT principal entity id or sender header")
        sms_type = extra.get("sms_type") or str(self.config.get("sms_type") or DEFAULT_SMS_TYPE)
        return {"From": header, "DltEntityId": entity, "DltTemplateId": template.name,
                "SmsType": sms_type}

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Send through Exotel's Send SMS API (choices become a numbered menu)."""
        body = self.render_text(message)
        form = {**self._dlt(message), "To": message.to, "Body": body,
                "EncodingType": "unicode" if sms_length(body).encoding is Encoding.UCS2
                else "plain"}
        if message.reference:
            form["CustomField"] = message.reference
        if status_callback:
            secret = str(self.config["webhook_secret"])
            basic = self.config.get("callback_auth") == "basic"
            form["StatusCallback"] = (with_basic if basic else with_token)(status_callback, secret)
        url = send_url(self.config.get("api_base"), str(self.config["account_sid"]))
        data = post_form(self.http.get(), url, form,
                         (str(self.config["api_key"]), str(self.config["api_token"])))
        try:
            answer = SendAnswer.model_validate(data).sms_message
        except ValidationError:
            raise ProviderDown("exotel answered without an SMS sid") from None
        return SendResult(answer.sid, STATUS_MAP.get(answer.status.lower(), DeliveryStatus.QUEUED))
