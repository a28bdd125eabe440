"""transactional inbox (events recorded by webhooks, turns run by workers); outbox lanes

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(32), sa.ForeignKey(
            "channel_accounts.id", name="fk_inbox_account_id_channel_accounts"), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("conversation", sa.String(160), nullable=False),
        sa.Column("medium", sa.String(16), nullable=False),
        sa.Column("event_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbox"),
        sa.UniqueConstraint("account_id", "external_id", name="uq_inbox_account_id"),
    )
    op.create_index("ix_inbox_tenant_id", "inbox", ["tenant_id"])
    op.create_index("ix_inbox_status", "inbox", ["status"])
    op.create_index("ix_inbox_created_at", "inbox", ["created_at"])
    op.create_index("ix_inbox_conversation_pending", "inbox",
                    ["conversation", "status", "created_at"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lane", sa.String(8), nullable=False,
                                   server_default="reply"))
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("priority")
        batch.drop_column("lane")
    op.drop_table("inbox")
