"""payments: bills, consumer-number formats, gateway accounts, payment attempts, gateway
events and finance flags

At most one payable (`open`) attempt per bill is a partial unique index, so two attempts
racing for one bill cannot both be written (PostgreSQL and SQLite alike).

Revision ID: 0015
Revises: 0014
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(32), primary_key=True)


def _tenant() -> sa.Column:
    return sa.Column("tenant_id", sa.String(64), nullable=False)


def upgrade() -> None:
    op.create_table(
        "bills", _id(), _tenant(),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("consumer_no", sa.String(64), nullable=False),
        sa.Column("bill_no", sa.String(64), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("amount_paise", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mobile_hash", sa.String(80), nullable=True),
        sa.Column("mobile_enc", sa.Text(), nullable=True),
        sa.Column("payer_name_enc", sa.Text(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_ref", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "service", "bill_no",
                            name="uq_bills_tenant_service_bill_no"),
    )
    op.create_index("ix_bills_tenant_id", "bills", ["tenant_id"])
    op.create_index("ix_bills_lookup", "bills", ["tenant_id", "service", "consumer_no"])
    op.create_index("ix_bills_mobile_hash", "bills", ["mobile_hash"])
    op.create_table(
        "bill_number_formats", _id(), _tenant(),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("pattern", sa.String(200), nullable=False),
        sa.Column("example", sa.String(64), nullable=False),
        sa.UniqueConstraint("tenant_id", "service", name="uq_bill_number_formats_tenant_service"),
    )
    op.create_index("ix_bill_number_formats_tenant_id", "bill_number_formats", ["tenant_id"])
    op.create_table(
        "payment_accounts", _id(), _tenant(),
        sa.Column("gateway", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("vpa", sa.String(100), nullable=False),
        sa.Column("payee_name", sa.String(100), nullable=False),
        sa.Column("config_enc", sa.Text(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_payment_accounts_tenant_id", "payment_accounts", ["tenant_id"])
    op.create_table(
        "payment_attempts", _id(), _tenant(),
        sa.Column("bill_id", sa.String(32), sa.ForeignKey("bills.id"), nullable=False),
        sa.Column("account_id", sa.String(32), sa.ForeignKey("payment_accounts.id"),
                  nullable=False),
        sa.Column("amount_paise", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("contact_id", sa.String(32), nullable=True),
        sa.Column("external_link_id", sa.String(64), nullable=True),
        sa.Column("link_url", sa.String(500), nullable=True),
        sa.Column("external_qr_id", sa.String(64), nullable=True),
        sa.Column("qr_content", sa.Text(), nullable=True),
        sa.Column("upi_intent", sa.Text(), nullable=True),
        sa.Column("expire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("external_payment_id", sa.String(64), nullable=True),
        sa.Column("paid_paise", sa.Integer(), nullable=True),
        sa.Column("refunded_paise", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(32), nullable=True),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt_number", sa.String(64), nullable=True),
        sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_payment_attempts_tenant_id", "payment_attempts", ["tenant_id"])
    op.create_index("ix_payment_attempts_bill_id", "payment_attempts", ["bill_id"])
    op.create_index("ix_payment_attempts_external_link_id", "payment_attempts",
                    ["external_link_id"])
    op.create_index("ix_payment_attempts_external_qr_id", "payment_attempts",
                    ["external_qr_id"])
    op.create_index("ix_payment_attempts_status_created", "payment_attempts",
                    ["status", "created_at"])
    op.create_index("uq_payment_attempts_open_bill", "payment_attempts", ["bill_id"],
                    unique=True, postgresql_where=sa.text("status = 'open'"),
                    sqlite_where=sa.text("status = 'open'"))
    op.create_table(
        "payment_events", _id(),
        sa.Column("account_id", sa.String(32), sa.ForeignKey("payment_accounts.id"),
                  nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("body_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("account_id", "event_id", name="uq_payment_events_account_event"),
    )
    op.create_index("ix_payment_events_status", "payment_events", ["status"])
    op.create_table(
        "payment_flags", _id(), _tenant(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("attempt_id", sa.String(32), nullable=True),
        sa.Column("bill_id", sa.String(32), nullable=True),
        sa.Column("external_payment_id", sa.String(64), nullable=False),
        sa.Column("expected_paise", sa.Integer(), nullable=True),
        sa.Column("paid_paise", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("kind", "external_payment_id", name="uq_payment_flags_kind_payment"),
    )
    op.create_index("ix_payment_flags_tenant_id", "payment_flags", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("payment_flags")
    op.drop_table("payment_events")
    op.drop_table("payment_attempts")
    op.drop_table("payment_accounts")
    op.drop_table("bill_number_formats")
    op.drop_table("bills")
