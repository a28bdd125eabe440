"""media: inbound attachments copied into the gateway's store; contacts' names

Revision ID: 0009
Revises: 0008
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(32), sa.ForeignKey(
            "channel_accounts.id", name="fk_media_account_id_channel_accounts"), nullable=False),
        sa.Column("message_id", sa.String(32), sa.ForeignKey(
            "messages.id", name="fk_media_message_id_messages"), nullable=False),
        sa.Column("ref_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("content_type", sa.String(64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_media"),
    )
    op.create_index("ix_media_tenant_id", "media", ["tenant_id"])
    op.create_index("ix_media_message_id", "media", ["message_id"])
    op.create_index("ix_media_due", "media", ["status", "next_attempt_at"])
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("name_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("name_enc")
    op.drop_index("ix_media_due", table_name="media")
    op.drop_index("ix_media_message_id", table_name="media")
    op.drop_index("ix_media_tenant_id", table_name="media")
    op.drop_table("media")
