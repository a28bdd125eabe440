"""message templates (provider-registered templates per tenant, channel, reply and language)

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_templates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("channel_type", sa.String(length=32), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("options", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_templates")),
        sa.UniqueConstraint("tenant_id", "channel_type", "message_key", "language", "options",
                            name=op.f("uq_message_templates_tenant_id")),
    )
    op.create_index(op.f("ix_message_templates_tenant_id"), "message_templates", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_message_templates_tenant_id"), table_name="message_templates")
    op.drop_table("message_templates")
