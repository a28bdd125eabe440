"""What a platform call can end in, beside an answer.

    RemoteError
     ├── Unavailable   the platform is down, timed out or answered 5xx/429: retried
     └── Refused       it answered and said no (4xx, an error list): never retried

Registries turn these into the codes the conversation maps to catalog messages:
`platform_unavailable` (told plainly that the city's system is down) and `platform_queued`
(the grievance is kept and filed once the platform is back).
"""

from __future__ import annotations

from services.grievances.registry import GrievanceError


class RemoteError(Exception):
    """A platform call failed; `code` is stable (never the platform's English)."""

    code = "platform_error"

    def __init__(self, code: str | None = None, status: int | None = None) -> None:
        super().__init__(code or self.code)
        if code:
            self.code = code
        self.status = status


class Unavailable(RemoteError):
    """Down, timed out or overloaded: worth trying again later."""

    code = "platform_unavailable"


class Refused(RemoteError):
    """The platform refused the request itself: trying again would be refused again."""

    code = "platform_refused"


class PlatformUnavailable(GrievanceError):
    """The platform holding the tenant's grievances is not answering."""

    code = "platform_unavailable"


class PlatformRefused(GrievanceError):
    """The platform refused the request (its error code is logged, never shown)."""

    code = "platform_refused"


class FilingQueued(GrievanceError):
    """The platform is down: the grievance is kept and will be filed when it is back."""

    code = "platform_queued"


class LoginRequired(GrievanceError):
    """The citizen has no live login on the platform (its OTP login is needed first)."""

    code = "platform_login_required"


class OtpInvalid(GrievanceError):
    """The platform did not accept the one-time code the citizen typed."""

    code = "otp_invalid"
