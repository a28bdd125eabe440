"""MSG91 SMS adapter: DLT-tagged sends, delivery reports and long-code SMS behind a secret.

MSG91 signs no webhook and sets its delivery-report and long-code URLs in its panel, once per
account. Put the account's `webhook_secret` into both URLs as `?token=<secret>` (HTTP Basic
credentials in the URL work too); a request without it is refused with 403. A long-code SMS
may be forwarded as a GET (fields in the query) or a POST (form or JSON); both are read alike.

Sends use the v2 send API: the rendered text, the DLT content template id (`DLT_TE_ID`) and the
sender header. MSG91 takes the principal entity id from the DLT registration on the account,
so the request has no field for it.

config: auth_key, webhook_secret, address (the long code citizens text, optional), optional
sender (default header), route (default 4, transactional), api_base (https://api.msg91.com).
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import httpx
from pydantic import ValidationError

from channels import jsonsafe
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
from channels.errors import ConfigError, MalformedPayload
from channels.http import pooled_http
from channels.msg91_sms.client import post_json, send_url
from channels.msg91_sms.payloads import (
    DESC_MAP,
    STATUS_MAP,
    FlatReport,
    LongCodeSms,
    Report,
    ReportGroup,
)
from channels.webhook_secret import check_secret, request_fields
from i18n.sms import Encoding, sms_length

TRANSACTIONAL_ROUTE = "4"
ACCOUNT_RATE = RateLimit(10)
"""MSG91 publishes no per-second cap; a conservative pace, raised with `mps` in the config."""


def _json_body(request: WebhookRequest) -> Any | None:
    """The body as JSON when it is sent as JSON, else None."""
    if "json" not in (request.header("Content-Type") or ""):
        return None
    try:
        return jsonsafe.loads(request.body)
    except ValueError:
        raise MalformedPayload("body is not JSON") from None


def _status_of(report: Report) -> DeliveryStatus | None:
    """A report's neutral status: by MSG91's code, else by its description."""
    return STATUS_MAP.get(report.status) or DESC_MAP.get(report.desc.strip().upper())


class Adapter(ChannelAdapter):
    """SMS through MSG91; every send names its DLT content template and sender header."""

    channel_type = "msg91-sms"
    medium = Medium.SMS
    capabilities = Capabilities(buttons=0, numbered_menus=True, page_size=4, templates=True,
                                max_text_length=1000, account_rate=ACCOUNT_RATE)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"auth_key", "webhook_secret"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"auth_key", "webhook_secret"})
    webhook_methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST"})
    """A long-code forward may come as a GET with its fields in the query string."""

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
        """Authenticate, then parse a delivery report or a long-code SMS."""
        if kind not in ("inbound", "status"):
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        self._authenticate(request)
        data = _json_body(request)
        try:
            if kind == "status":
                return self._reports(data if data is not None else request_fields(request))
            sms = LongCodeSms.model_validate(data if data is not None
                                             else request_fields(request))
        except ValidationError as exc:
            raise MalformedPayload(f"{len(exc.errors())} invalid field(s)") from None
        return WebhookResult((self._inbound(sms),), WebhookResponse(200, "", "text/plain"))

    def _inbound(self, sms: LongCodeSms) -> InboundEvent:
        """A long-code SMS as an event; the keyword a shared number needs is taken off."""
        text = sms.text.strip()
        keyword = (sms.keyword or str(self.config.get("keyword") or "")).strip()
        if keyword and text.upper().split(" ", 1)[0] == keyword.upper():
            text = text[len(keyword):].strip()
        # MSG91 forwards no message id: a digest of what it does send makes retries collapse.
        digest = hashlib.sha256("|".join(
            (sms.sender, sms.number, sms.received, sms.text)).encode()).hexdigest()[:32]
        return InboundEvent(external_id=sms.id or "msg91:" + digest, sender=sms.sender,
                            recipient=sms.number or self.address, text=text)

    @staticmethod
    def _reports(data: Any) -> WebhookResult:
        """Delivery reports (webhook v2 form or v3 JSON) as StatusUpdates."""
        items: list[tuple[str, Report]] = []
        if isinstance(data, dict) and "data" in data and "requestId" not in data:
            try:
                groups = jsonsafe.loads(str(data["data"]))
            except ValueError:
                raise MalformedPayload("data is not JSON") from None
            for group in groups if isinstance(groups, list) else [groups]:
                parsed = ReportGroup.model_validate(group)
                items += [(parsed.request_id, report) for report in parsed.report]
        else:
            for flat in data if isinstance(data, list) else [data]:
                one = FlatReport.model_validate(flat)
                items.append((one.request_id, one))
        updates = []
        for request_id, report in items:
            status = _status_of(report)
            if status is not None:
                error = report.status if status is DeliveryStatus.FAILED else None
                updates.append(StatusUpdate(request_id, status, error))
        if not updates:
            return WebhookResult((), ignored="status " + ",".join(r.status for _, r in items))
        return WebhookResult(tuple(updates))

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Send through MSG91 (delivery reports go to the URL set in its panel, not per send)."""
        template = message.template
        if template is None:
            raise ConfigError("DLT SMS needs a registered content template")
        header = template.extra.get("header") or str(self.config.get("sender") or "")
        if not header:
            raise ConfigError("no DLT sender header")
        body = self.render_text(message)
        payload: dict[str, Any] = {
            "sender": header, "route": str(self.config.get("route") or TRANSACTIONAL_ROUTE),
            "country": "91", "unicode": int(sms_length(body).encoding is Encoding.UCS2),
            "DLT_TE_ID": template.name,
            "sms": [{"message": body, "to": [message.to.lstrip("+")]}],
        }
        request_id = post_json(self.http.get(), send_url(self.config.get("api_base")), payload,
                               str(self.config["auth_key"]))
        return SendResult(request_id, DeliveryStatus.QUEUED)

