"""A BBPS aggregator stand-in that calls our biller API as the aggregator would.

It signs every call with a fresh HS256 JWT (`aud` the scheme id), fetches a consumer's bills,
pays one with the body the contract documents, and posts settlement notices. `timeouts`
makes the next payments "time out": the body is sent, its answer dropped while it is still
being worked on, and the identical bytes sent again (as the aggregator does after 30 seconds,
here at once, so the two overlap). Used by tests and by `nagarsetu payments bbps simulate`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from payments.bbps.auth import make_jwt


@dataclass
class Aggregator:
    """One biller as the aggregator knows it: its baseURL and shared JWT credentials."""

    base_url: str
    scheme_id: str
    secret: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=35))
    timeouts: int = 0
    """The next N payments are sent twice, identical, the first answer dropped."""
    sent: list[httpx.Response] = field(default_factory=list)
    """Every answer received, dropped ones included (tests look at them)."""

    def _post(self, path: str, content: bytes) -> httpx.Response:
        """One call with a token of its own."""
        token = make_jwt(self.scheme_id, self.secret, jti=str(uuid.uuid4()))
        response = self.http.post(self.base_url.rstrip("/") + path, content=content,
                                  headers={"authorization": f"Bearer {token}",
                                           "content-type": "application/json"})
        self.sent.append(response)
        return response

    def fetch(self, consumer_no: str, attribute: str = "consumerNumber") -> httpx.Response:
        """`/bills/fetch` for a consumer."""
        return self._post("/bills/fetch", _identifiers(attribute, consumer_no))

    def validate(self, consumer_no: str, attribute: str = "consumerNumber") -> httpx.Response:
        """`/customer/validate` for a consumer."""
        return self._post("/customer/validate", _identifiers(attribute, consumer_no))

    def payment_body(self, bill: dict[str, Any], *, amount: int | None = None,
                     ref: str | None = None, instrument: str = "UPI") -> bytes:
        """The documented receipt request for a fetched bill (its amount unless given)."""
        due = int(bill["aggregates"]["total"]["amount"]["value"])
        paid = due if amount is None else amount
        return json.dumps({
            "platformBillID": str(secrets.randbelow(10**18)),
            "billerBillID": bill["billerBillID"],
            "paymentDetails": {
                "amountPaid": {"value": paid, "currencyCode": "INR"},
                "billAmount": {"value": due, "currencyCode": "INR"},
                "platformTransactionRefID": str(uuid.uuid4()),
                "uniquePaymentRefID": ref or "PP" + secrets.token_hex(9).upper(),
                "instrument": instrument, "additionalInfo": None, "transactionNote": "",
                "transactionTimestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                                      time.gmtime()),
                "campaignID": ""}}).encode()

    def post_receipt(self, body: bytes) -> httpx.Response:
        """`/bills/fetchReceipt` with these bytes, re-sent once per pending timeout."""
        dropped: list[threading.Thread] = []
        while self.timeouts > 0:
            self.timeouts -= 1
            sender = threading.Thread(target=self._post, args=("/bills/fetchReceipt", body),
                                      daemon=True)
            sender.start()
            dropped.append(sender)
        answer = self._post("/bills/fetchReceipt", body)
        for sender in dropped:
            sender.join(40)
        return answer

    def pay(self, bill: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """Pay a fetched bill (see `payment_body`)."""
        return self.post_receipt(self.payment_body(bill, **kwargs))

    def settle(self, platform_bill_ids: list[str], amount_paise: int, *,
               utr: str | None = None, event_id: str | None = None) -> httpx.Response:
        """`/notifications`: one `BILL_SETTLEMENT_STATUS` event, `SETTLEMENT_SUCCESSFUL`."""
        return self._post("/notifications", json.dumps({
            "partnerDetails": {"appID": "sim", "productInstanceID": "sim"},
            "events": [{"id": event_id or str(uuid.uuid4()), "type": "BILL_SETTLEMENT_STATUS",
                        "timeStamp": int(time.time() * 1000),
                        "data": {"amountSettled": {"currencyCode": "INR",
                                                   "value": amount_paise},
                                 "platformBillIds": platform_bill_ids,
                                 "status": "SETTLEMENT_SUCCESSFUL",
                                 "transactionId": utr or str(secrets.randbelow(10**13))}}],
        }).encode())


def _identifiers(attribute: str, value: str) -> bytes:
    """The `customerIdentifiers` body."""
    return json.dumps({"customerIdentifiers": [{"attributeName": attribute,
                                                "attributeValue": value}]}).encode()
