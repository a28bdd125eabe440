"""A thin stand-in for `payments.receipts.issue` (being written on another branch), tests only.

It has the agreed interface — `ReceiptInput`, `issue_receipt(db, data) -> Receipt` with
`.number`, idempotent on `payment_ref` — and records every call, so tests can say that a
payment got exactly one receipt. `fail_next` makes the next issue raise (a crash).
"""

from __future__ import annotations

import sys
import threading
import types
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ReceiptInput:
    """The agreed input."""

    tenant_id: str
    service: str
    payment_ref: str
    bill_ref: str
    consumer_no: str
    amount_paise: int
    paid_at: datetime
    method: str
    gateway_payment_id: str
    payer_name: str | None


@dataclass(frozen=True)
class Receipt:
    """What the stub hands back."""

    number: str
    data: ReceiptInput


class Book:
    """Issued receipts by payment ref, calls, and an injectable crash."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_ref: dict[str, Receipt] = {}
        self.calls: list[str] = []
        self.fail_next = 0

    def reset(self) -> None:
        """Forget everything."""
        with self.lock:
            self.by_ref.clear()
            self.calls.clear()
            self.fail_next = 0


BOOK = Book()


def issue_receipt(db: Any, data: ReceiptInput) -> Receipt:
    """One receipt per payment ref; a repeat returns the same one."""
    with BOOK.lock:
        BOOK.calls.append(data.payment_ref)
        if BOOK.fail_next:
            BOOK.fail_next -= 1
            raise RuntimeError("crash between capture and receipt")
        found = BOOK.by_ref.get(data.payment_ref)
        if found is None:
            found = Receipt(f"AMR/PT/2026-27/{len(BOOK.by_ref) + 1:06d}", data)
            BOOK.by_ref[data.payment_ref] = found
        return found


def install() -> bool:
    """Put the stub in place unless the real module exists; True when the stub is used."""
    try:
        import payments.receipts.issue  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except ModuleNotFoundError:
        package = types.ModuleType("payments.receipts")
        package.__path__ = []
        module = types.ModuleType("payments.receipts.issue")
        module.ReceiptInput = ReceiptInput  # type: ignore[attr-defined]
        module.issue_receipt = issue_receipt  # type: ignore[attr-defined]
        sys.modules["payments.receipts"] = package
        sys.modules["payments.receipts.issue"] = module
        return True
    return False
