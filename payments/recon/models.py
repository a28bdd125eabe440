"""Tables of reconciliation: imports, settlement and bank lines, mappings, holidays, exceptions.

Every import is one `recon_imports` row unique on (tenant, source, file hash), and every line
is unique on its row key, so the same file twice changes nothing. Settlement lines are neutral:
a gateway's recon report, a BBPS settlement notice or a refund are all rows of one shape
(`payments.recon.settlements.SettlementRow`). Exceptions are never deleted: resolving one
records who, when and why; a condition that went away is `cleared`, not removed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class ReconImport(Base, TenantScoped):
    """One imported file (or one day fetched from a gateway): its hash and what became of it."""

    __tablename__ = "recon_imports"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "file_hash",
                                       name="uq_recon_imports_file"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(32))
    """`razorpay_api`, `razorpay_csv`, `bank_csv:<mapping>`, `bbps`, `refunds` …"""
    name: Mapped[str] = mapped_column(String(200), default="")
    file_hash: Mapped[str] = mapped_column(String(64))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_bad: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{"line": 7, "code": "invalid_amount", "field": "credit"}] (first 1,000)."""
    actor: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SettlementLine(Base, TenantScoped):
    """One line of a settlement: a payment, refund, adjustment … with its fee and GST (paise)."""

    __tablename__ = "settlement_lines"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "line_key",
                                       name="uq_settlement_lines_key"),
                      Index("ix_settlement_lines_payment", "tenant_id", "payment_ref"),
                      Index("ix_settlement_lines_utr", "tenant_id", "settlement_utr"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    import_id: Mapped[str] = mapped_column(ForeignKey("recon_imports.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    """Who settled it: `razorpay`, `bbps` (the rows' origin, not a provider column on core
    tables: these are the settlement's own lines)."""
    line_key: Mapped[str] = mapped_column(String(100))
    """The row's identity in its source (the report's `entity_id`, BBPS's payment ref)."""
    kind: Mapped[str] = mapped_column(String(16))
    """`payment`, `refund`, `adjustment`, `transfer`, `dispute`, `other`."""
    payment_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    """The gateway's payment id (an attempt's `external_payment_id`)."""
    amount_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    debit_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    """GST on the fee."""
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    settlement_id: Mapped[str | None] = mapped_column(String(64), default=None)
    settlement_utr: Mapped[str | None] = mapped_column(String(64), default=None)
    """Upper case, as bank lines keep theirs."""
    settled_on: Mapped[date | None] = mapped_column(Date, default=None)
    occurred_at: Mapped[datetime | None] = mapped_column(default=None)
    method: Mapped[str] = mapped_column(String(32), default="")
    description: Mapped[str] = mapped_column(String(200), default="")


class BankLine(Base, TenantScoped):
    """One row of a bank statement: credits and debits in paise, the UTR it names."""

    __tablename__ = "bank_lines"
    __table_args__ = (UniqueConstraint("tenant_id", "line_key", name="uq_bank_lines_key"),
                      Index("ix_bank_lines_utr", "tenant_id", "utr"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    import_id: Mapped[str] = mapped_column(ForeignKey("recon_imports.id"), index=True)
    account: Mapped[str] = mapped_column(String(64))
    """The mapping (bank account) the statement was read with."""
    line_key: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the row's fields and its occurrence in the file (overlapping statements
    of one account give the same keys)."""
    value_date: Mapped[date] = mapped_column(Date)
    narration: Mapped[str] = mapped_column(String(300), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    utr: Mapped[str | None] = mapped_column(String(64), default=None)
    credit_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    debit_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    balance_paise: Mapped[int | None] = mapped_column(BigInteger, default=None)


class BankMapping(Base, TenantScoped):
    """How one bank's statement CSV names its columns (a city's, or its state's)."""

    __tablename__ = "bank_mappings"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_bank_mappings_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64))
    columns: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BankHoliday(Base, TenantScoped):
    """A day banks are shut, for a state (`pb`) or one city (`pb.amritsar`)."""

    __tablename__ = "bank_holidays"
    __table_args__ = (UniqueConstraint("tenant_id", "day", name="uq_bank_holidays_day"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100), default="")


class ReconException(Base, TenantScoped):
    """Something that does not reconcile; unique on (tenant, kind, the evidence's key)."""

    __tablename__ = "recon_exceptions"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "ref_key",
                                       name="uq_recon_exceptions_ref"),
                      Index("ix_recon_exceptions_status", "tenant_id", "status"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    ref_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="open")
    """`open`, `resolved` (by a person, with a note), `cleared` (the condition went away)."""
    bill_id: Mapped[str | None] = mapped_column(String(32), default=None)
    attempt_id: Mapped[str | None] = mapped_column(String(32), default=None)
    payment_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    settlement_id: Mapped[str | None] = mapped_column(String(64), default=None)
    line_id: Mapped[str | None] = mapped_column(String(32), default=None)
    expected_paise: Mapped[int | None] = mapped_column(BigInteger, default=None)
    actual_paise: Mapped[int | None] = mapped_column(BigInteger, default=None)
    run_id: Mapped[str] = mapped_column(String(32))
    """The last reconciliation run that found it."""
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(100), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)


class ReceiptCancellation(Base, TenantScoped):
    """A receipt cancelled by finance (a refund, a wrong bill): the receipt row stays."""

    __tablename__ = "receipt_cancellations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    receipt_id: Mapped[str] = mapped_column(ForeignKey("receipts.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    cancelled_at: Mapped[datetime] = mapped_column(default=utcnow)
