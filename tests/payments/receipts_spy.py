"""Watching the real receipts module: which payments asked for a receipt, and what they got.

`issue_receipt` (payments.receipts.issue) is wrapped for the test: every call is recorded,
each payment's receipt kept by its ref (the first one issued; a repeat must return the same
number), and `fail_next` makes the next call raise, as a crash between capture and receipt.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from payments.receipts import issue as receipts


@dataclass(frozen=True)
class Issued:
    """A payment's receipt: its number and what it was issued from."""

    number: str
    data: receipts.ReceiptInput


class Book:
    """Receipts by payment ref, every call, and an injectable crash."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_ref: dict[str, Issued] = {}
        self.calls: list[str] = []
        self.fail_next = 0
        self._real = receipts.issue_receipt

    def issue(self, db: Any, data: receipts.ReceiptInput) -> Any:
        """The real issue, watched."""
        with self.lock:
            self.calls.append(data.payment_ref)
            if self.fail_next:
                self.fail_next -= 1
                raise RuntimeError("crash between capture and receipt")
        receipt = self._real(db, data)
        with self.lock:
            first = self.by_ref.setdefault(data.payment_ref, Issued(receipt.number, data))
        assert first.number == receipt.number, "a payment got a second receipt number"
        return receipt
