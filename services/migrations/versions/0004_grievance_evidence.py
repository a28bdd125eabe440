"""grievance evidence: a shared location or landmark and photo references (encrypted)

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grievances") as batch:
        batch.add_column(sa.Column("evidence_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grievances") as batch:
        batch.drop_column("evidence_enc")
