"""receipts: signed payment receipts, their gap-free counters, tenants' signing keys

`receipts` one row per captured payment (unique `payment_ref`: issued exactly once), numbered
per tenant, service and Indian fiscal year from `receipt_counters` in the same transaction;
`receipt_keys` each tenant's Ed25519 keys (private half encrypted with the key ring).

Revision ID: 0016
Revises: 0015
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("number", sa.String(48), nullable=False),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("fiscal_year", sa.String(7), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("payment_ref", sa.String(64), nullable=False),
        sa.Column("bill_ref", sa.String(64), nullable=False),
        sa.Column("consumer_no", sa.String(64), nullable=False),
        sa.Column("amount_paise", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("gateway_payment_id", sa.String(64), nullable=False),
        sa.Column("payer_name_enc", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.String(32), sa.ForeignKey("contacts.id"), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "number"),
        sa.UniqueConstraint("payment_ref"),
    )
    op.create_index("ix_receipts_tenant_id", "receipts", ["tenant_id"])
    op.create_index("ix_receipts_number", "receipts", ["number"])
    op.create_index("ix_receipts_contact", "receipts", ["tenant_id", "contact_id", "issued_at"])
    op.create_table(
        "receipt_counters",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("service", sa.String(32), primary_key=True),
        sa.Column("fiscal_year", sa.String(7), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    op.create_table(
        "receipt_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("private_key_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "generation"),
    )
    op.create_index("ix_receipt_keys_tenant_id", "receipt_keys", ["tenant_id"])


def downgrade() -> None:
    op.drop_index("ix_receipt_keys_tenant_id", "receipt_keys")
    op.drop_table("receipt_keys")
    op.drop_table("receipt_counters")
    op.drop_index("ix_receipts_contact", "receipts")
    op.drop_index("ix_receipts_number", "receipts")
    op.drop_index("ix_receipts_tenant_id", "receipts")
    op.drop_table("receipts")
