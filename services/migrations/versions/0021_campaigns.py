"""campaigns: campaigns, their outbox (one row per recipient) and a city's approval policy

The campaign outbox is written in bulk (COPY on PostgreSQL), so it carries only the indexes
sending needs: the claim order within a campaign and status, the recipient's uniqueness within
the campaign, and the provider's id for status callbacks (partial: rows not yet sent add nothing).

Revision ID: 0021
Revises: 0020
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("template_key", sa.String(100), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("default_language", sa.String(8), nullable=False),
        sa.Column("fallback_seconds", sa.Integer(), nullable=True),
        sa.Column("rate_cap", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
    )
    op.create_index("ix_campaigns_tenant_id", "campaigns", ["tenant_id"])
    op.create_index("ix_campaigns_status", "campaigns", ["status"])
    op.create_table(
        "campaign_outbox",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("address_hash", sa.String(96), nullable=False),
        sa.Column("recipient_enc", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("contact_id", sa.String(32), nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("takeovers", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("external_id", sa.String(100), nullable=True),
        sa.Column("error", sa.String(64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fallen_back", sa.Boolean(), nullable=False),
        sa.Column("test", sa.Boolean(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_outbox"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name="fk_campaign_outbox_campaign_id_campaigns"),
        sa.UniqueConstraint("campaign_id", "address_hash", name="uq_campaign_outbox_recipient"),
    )
    op.create_index("ix_campaign_outbox_claim", "campaign_outbox",
                    ["campaign_id", "status", "id"])
    op.create_index("ix_campaign_outbox_external", "campaign_outbox",
                    ["account_id", "external_id"],
                    postgresql_where=sa.text("external_id IS NOT NULL"),
                    sqlite_where=sa.text("external_id IS NOT NULL"))
    op.create_table(
        "campaign_policies",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("approval_threshold", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_campaign_policies"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("campaign_policies")
    op.drop_index("ix_campaign_outbox_external", "campaign_outbox")
    op.drop_index("ix_campaign_outbox_claim", "campaign_outbox")
    op.drop_table("campaign_outbox")
    op.drop_index("ix_campaigns_status", "campaigns")
    op.drop_index("ix_campaigns_tenant_id", "campaigns")
    op.drop_table("campaigns")
