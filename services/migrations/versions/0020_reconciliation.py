"""reconciliation: imports, settlement and bank lines, bank mappings and holidays, exceptions

`recon_imports` one row per imported file (unique on tenant, source and file hash: the same
file twice changes nothing); `settlement_lines` neutral settlement rows (gateway recon report,
BBPS settlement, refunds) unique on their row key; `bank_lines` bank statement rows unique on
a hash of their fields; `bank_mappings` per-tenant CSV column mappings; `bank_holidays` per
state or city; `recon_exceptions` never deleted (resolved with a note, or cleared);
`receipt_cancellations`; and `bills.ward` for the collection MIS.

Revision ID: 0020
Revises: 0019
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant() -> sa.Column:
    """The tenant column every table has."""
    return sa.Column("tenant_id", sa.String(64), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("bills") as batch:
        batch.add_column(sa.Column("ward", sa.String(32), nullable=True))
    op.create_table(
        "recon_imports",
        sa.Column("id", sa.String(32), primary_key=True),
        _tenant(),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_new", sa.Integer(), nullable=False),
        sa.Column("rows_updated", sa.Integer(), nullable=False),
        sa.Column("rows_bad", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "source", "file_hash", name="uq_recon_imports_file"),
    )
    op.create_index("ix_recon_imports_tenant_id", "recon_imports", ["tenant_id"])
    op.create_table(
        "settlement_lines",
        sa.Column("id", sa.String(32), primary_key=True),
        _tenant(),
        sa.Column("import_id", sa.String(32), sa.ForeignKey("recon_imports.id"),
                  nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("line_key", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payment_ref", sa.String(64), nullable=True),
        sa.Column("amount_paise", sa.BigInteger(), nullable=False),
        sa.Column("credit_paise", sa.BigInteger(), nullable=False),
        sa.Column("debit_paise", sa.BigInteger(), nullable=False),
        sa.Column("fee_paise", sa.BigInteger(), nullable=False),
        sa.Column("tax_paise", sa.BigInteger(), nullable=False),
        sa.Column("on_hold", sa.Boolean(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("settlement_id", sa.String(64), nullable=True),
        sa.Column("settlement_utr", sa.String(64), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.UniqueConstraint("tenant_id", "source", "line_key", name="uq_settlement_lines_key"),
    )
    op.create_index("ix_settlement_lines_tenant_id", "settlement_lines", ["tenant_id"])
    op.create_index("ix_settlement_lines_import_id", "settlement_lines", ["import_id"])
    op.create_index("ix_settlement_lines_payment", "settlement_lines",
                    ["tenant_id", "payment_ref"])
    op.create_index("ix_settlement_lines_utr", "settlement_lines",
                    ["tenant_id", "settlement_utr"])
    op.create_table(
        "bank_lines",
        sa.Column("id", sa.String(32), primary_key=True),
        _tenant(),
        sa.Column("import_id", sa.String(32), sa.ForeignKey("recon_imports.id"),
                  nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("line_key", sa.String(64), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("narration", sa.String(300), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("utr", sa.String(64), nullable=True),
        sa.Column("credit_paise", sa.BigInteger(), nullable=False),
        sa.Column("debit_paise", sa.BigInteger(), nullable=False),
        sa.Column("balance_paise", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("tenant_id", "line_key", name="uq_bank_lines_key"),
    )
    op.create_index("ix_bank_lines_tenant_id", "bank_lines", ["tenant_id"])
    op.create_index("ix_bank_lines_import_id", "bank_lines", ["import_id"])
    op.create_index("ix_bank_lines_utr", "bank_lines", ["tenant_id", "utr"])
    op.create_table(
        "bank_mappings",
        sa.Column("id", sa.String(32), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_bank_mappings_name"),
    )
    op.create_index("ix_bank_mappings_tenant_id", "bank_mappings", ["tenant_id"])
    op.create_table(
        "bank_holidays",
        sa.Column("id", sa.String(32), primary_key=True),
        _tenant(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.UniqueConstraint("tenant_id", "day", name="uq_bank_holidays_day"),
    )
    op.create_index("ix_bank_holidays_tenant_id", "bank_holidays", ["tenant_id"])
    op.create_table(
        "recon_exceptions",
        sa.Column("id", sa.String(32), primary_key=True),
        _tenant(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref_key", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("bill_id", sa.String(32), nullable=True),
        sa.Column("attempt_id", sa.String(32), nullable=True),
        sa.Column("payment_ref", sa.String(64), nullable=True),
        sa.Column("settlement_id", sa.String(64), nullable=True),
        sa.Column("line_id", sa.String(32), nullable=True),
        sa.Column("expected_paise", sa.BigInteger(), nullable=True),
        sa.Column("actual_paise", sa.BigInteger(), nullable=True),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("tenant_id", "kind", "ref_key", name="uq_recon_exceptions_ref"),
    )
    op.create_index("ix_recon_exceptions_tenant_id", "recon_exceptions", ["tenant_id"])
    op.create_index("ix_recon_exceptions_status", "recon_exceptions", ["tenant_id", "status"])
    op.create_table(
        "receipt_cancellations",
        sa.Column("id", sa.String(32), primary_key=True),
        _tenant(),
        sa.Column("receipt_id", sa.String(32), sa.ForeignKey("receipts.id"), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("receipt_id"),
    )
    op.create_index("ix_receipt_cancellations_tenant_id", "receipt_cancellations",
                    ["tenant_id"])


def downgrade() -> None:
    for table in ("receipt_cancellations", "recon_exceptions", "bank_holidays",
                  "bank_mappings", "bank_lines", "settlement_lines", "recon_imports"):
        op.drop_table(table)
    with op.batch_alter_table("bills") as batch:
        batch.drop_column("ward")
