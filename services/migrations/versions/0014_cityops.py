"""cityops: e-mail notices to staff; the key a stored media copy is under; office hours

`email_outbox` queues e-mail notices (address, subject and body encrypted), sent over SMTP by
the sweepers with retries; `media.key_id` names the ring key of a stored copy, so
`keys rotate --media` re-encrypts only copies under older keys (None: copied before this
revision, the file itself is read); `tenants.hours` the public office hours per language,
shown to citizens with the other contact details.

Revision ID: 0014
Revises: 0013
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_outbox",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.String(16), sa.ForeignKey("staff_members.id"), nullable=False),
        sa.Column("to_enc", sa.Text(), nullable=False),
        sa.Column("subject_enc", sa.Text(), nullable=False),
        sa.Column("body_enc", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_email_outbox_tenant_id", "email_outbox", ["tenant_id"])
    op.create_index("ix_email_outbox_staff_id", "email_outbox", ["staff_id"])
    op.create_index("ix_email_outbox_due", "email_outbox", ["status", "next_attempt_at"])
    with op.batch_alter_table("media") as batch:
        batch.add_column(sa.Column("key_id", sa.String(17), nullable=True))
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("hours", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("hours")
    with op.batch_alter_table("media") as batch:
        batch.drop_column("key_id")
    op.drop_index("ix_email_outbox_due", "email_outbox")
    op.drop_index("ix_email_outbox_staff_id", "email_outbox")
    op.drop_index("ix_email_outbox_tenant_id", "email_outbox")
    op.drop_table("email_outbox")
