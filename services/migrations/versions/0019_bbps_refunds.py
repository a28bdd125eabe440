"""bbps and refunds: billers, posted payments, settlement notices, refunds; BBPS ledger rows

`bbps_billers` a city's service registered with a BBPS aggregator (credentials encrypted, an
IP allow-list, the amount rule); `bbps_payments` each posted payment once (unique on biller
and `uniquePaymentRefID`); `bbps_notifications` settlement notices for reconciliation;
`payment_refunds` refunds asked by finance (unique idempotency key). `payment_attempts.
account_id` becomes nullable: money posted through BBPS has no gateway account.

Revision ID: 0019
Revises: 0017
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    """The primary key column."""
    return sa.Column("id", sa.String(32), primary_key=True)


def _tenant() -> sa.Column:
    """The tenant column."""
    return sa.Column("tenant_id", sa.String(64), nullable=False)


def upgrade() -> None:
    op.create_table(
        "bbps_billers", _id(), _tenant(),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("identifier", sa.String(64), nullable=False),
        sa.Column("auth", sa.String(16), nullable=False),
        sa.Column("config_enc", sa.Text(), nullable=False),
        sa.Column("allowed_ips", sa.JSON(), nullable=False),
        sa.Column("exactness", sa.String(16), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_bbps_billers_tenant_id", "bbps_billers", ["tenant_id"])
    op.create_table(
        "bbps_payments", _id(), _tenant(),
        sa.Column("biller_id", sa.String(32), sa.ForeignKey("bbps_billers.id"), nullable=False),
        sa.Column("unique_ref", sa.String(64), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("platform_bill_id", sa.String(64), nullable=False),
        sa.Column("platform_txn_ref", sa.String(64), nullable=False),
        sa.Column("biller_bill_id", sa.String(64), nullable=False),
        sa.Column("bill_id", sa.String(32), nullable=True),
        sa.Column("attempt_id", sa.String(32), nullable=True),
        sa.Column("amount_paise", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(32), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("receipt_number", sa.String(64), nullable=True),
        sa.Column("receipt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("biller_id", "unique_ref", name="uq_bbps_payments_biller_ref"))
    op.create_index("ix_bbps_payments_tenant_id", "bbps_payments", ["tenant_id"])
    op.create_index("ix_bbps_payments_platform_bill_id", "bbps_payments", ["platform_bill_id"])
    op.create_table(
        "bbps_notifications", _id(), _tenant(),
        sa.Column("biller_id", sa.String(32), sa.ForeignKey("bbps_billers.id"), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("amount_paise", sa.Integer(), nullable=True),
        sa.Column("platform_bill_ids", sa.JSON(), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("biller_id", "event_id", name="uq_bbps_notifications_biller_event"))
    op.create_index("ix_bbps_notifications_tenant_id", "bbps_notifications", ["tenant_id"])
    op.create_table(
        "payment_refunds", _id(), _tenant(),
        sa.Column("account_id", sa.String(32), sa.ForeignKey("payment_accounts.id"),
                  nullable=False),
        sa.Column("attempt_id", sa.String(32), nullable=True),
        sa.Column("flag_id", sa.String(32), nullable=True),
        sa.Column("external_payment_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("amount_paise", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("external_refund_id", sa.String(64), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_payment_refunds_tenant_id", "payment_refunds", ["tenant_id"])
    op.create_index("ix_payment_refunds_external_payment_id", "payment_refunds",
                    ["external_payment_id"])
    op.create_index("ix_payment_refunds_status", "payment_refunds", ["status"])
    op.create_index("ix_payment_refunds_external_refund_id", "payment_refunds",
                    ["external_refund_id"])
    with op.batch_alter_table("payment_attempts") as batch:
        batch.alter_column("account_id", existing_type=sa.String(32), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("payment_attempts") as batch:
        batch.alter_column("account_id", existing_type=sa.String(32), nullable=False)
    for table in ("payment_refunds", "bbps_notifications", "bbps_payments", "bbps_billers"):
        op.drop_table(table)
