"""The contract's error answers: `{"status", "success": false, "error": {code, title, …}}`.

Codes are the aggregator's documented ones (generic, specific, biller and payer errors); the
`detail` is the contract's own English for the aggregator's operators, never shown to a
citizen. Nothing here answers 500: a fault of ours is 503 `service-unavailable`, which the
aggregator retries with the identical body.
"""

from __future__ import annotations

import secrets
from typing import Any

CODES: dict[str, tuple[int, str]] = {
    "bad-request": (400, "The request is not valid."),
    "malformed-request": (400, "The request payload does not conform to the contract."),
    "invalid-param": (400, "One of the parameters is not valid."),
    "invalid-auth-header": (400, "The authorization header is missing or malformed."),
    "unauthorised": (401, "The credentials are not valid."),
    "jwt-verification-failed": (401, "The JWT cannot be verified."),
    "jwt-token-expired": (401, "The JWT was issued too long ago."),
    "forbidden": (403, "Requests are not accepted from this address."),
    "entity-not-found": (404, "No such biller."),
    "insufficient-customer-identifiers": (400, "The customer identifiers are not enough to "
                                               "find a customer."),
    "invalid-customer-identifier": (400, "The customer identifier is not valid."),
    "customer-not-found": (400, "A customer with the provided credentials does not exist in "
                                "the biller system."),
    "bill-not-found": (400, "A bill with the provided billerBillID does not exist."),
    "bill-already-fulfilled": (400, "This bill has already been paid."),
    "bill-expired": (400, "This bill can no longer be paid."),
    "incorrect-amount": (400, "The amount is not allowed for this bill."),
    "payload-too-large": (413, "The request is too large."),
    "service-unavailable": (503, "The biller cannot answer now; try again."),
}


class BbpsError(Exception):
    """A refusal in the contract's terms (`code` one of CODES)."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = CODES[code][0]
        self.detail = detail or CODES[code][1]


def error_body(error: BbpsError) -> dict[str, Any]:
    """The documented error object, with a trace id of its own."""
    return {"status": error.status, "success": False,
            "error": {"code": error.code, "title": error.code, "detail": error.detail,
                      "docURL": "", "traceID": secrets.token_hex(8), "errors": []}}


def ok_body(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A success answer (`data` when the call returns some)."""
    body: dict[str, Any] = {"status": 200, "success": True}
    if data is not None:
        body["data"] = data
    return body
