"""Channel errors: a closed set, each saying whether a retry can help.

    ChannelError
     ├── WebhookRejected            the request is not from the provider or not understood
     │    ├── BadSignature          403: signature/secret missing or wrong
     │    │    └── TokenExpired     401: a genuine client token past its expiry (web chat)
     │    └── MalformedPayload      400: authentic but unparseable
     │         └── OutOfBounds      400: authentic, but a field or the nesting is past its bound;
     │                              the instance's code names which (`json_too_deep`, …)
     └── SendError                  an outbound message was not accepted
          ├── Throttled             retry after `retry_after` seconds
          ├── ConnectionFailed      retry: network or timeout
          ├── ProviderDown          retry: provider 5xx
          ├── ConfigError           no retry: credentials or sender misconfigured
          ├── RecipientInvalid      no retry: not a reachable address
          └── ContactStopped        no retry: recipient opted out / blocked us
"""

from __future__ import annotations


class ChannelError(Exception):
    """Base of every channel error; `code` is stable and never shown in English to citizens."""

    code = "channel_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class WebhookRejected(ChannelError):
    """The webhook request must be refused; nothing from it is stored."""

    code = "webhook_rejected"
    http_status = 400


class BadSignature(WebhookRejected):
    """Missing or wrong signature / secret token."""

    code = "bad_signature"
    http_status = 403


class TokenExpired(BadSignature):
    """A client credential the gateway issued, genuine but expired: the client asks anew."""

    code = "token_expired"
    http_status = 401


class MalformedPayload(WebhookRejected):
    """The body is not a payload this adapter understands."""

    code = "malformed_payload"
    http_status = 400


class OutOfBounds(MalformedPayload):
    """A field (or the JSON nesting) of an authentic payload is past what the gateway keeps."""

    code = "out_of_bounds"

    def __init__(self, code: str = "", detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code or type(self).code


class SendError(ChannelError):
    """An outbound send failed; `retryable` tells the outbox whether to try again."""

    code = "send_error"
    retryable = False

    def __init__(self, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Throttled(SendError):
    """The provider asked us to slow down."""

    code = "throttled"
    retryable = True


class ConnectionFailed(SendError):
    """The provider could not be reached."""

    code = "connection_failed"
    retryable = True


class ProviderDown(SendError):
    """The provider answered with a server error."""

    code = "provider_down"
    retryable = True


class ConfigError(SendError):
    """Our credentials or sender configuration are wrong; retrying cannot help."""

    code = "config_error"


class RecipientInvalid(SendError):
    """The address cannot receive messages on this channel."""

    code = "recipient_invalid"


class ContactStopped(SendError):
    """The recipient opted out or blocked the sender."""

    code = "contact_stopped"
