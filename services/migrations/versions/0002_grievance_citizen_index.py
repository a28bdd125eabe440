"""index grievances by citizen (the "track my grievances" lookup)

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_grievances_citizen", "grievances",
                    ["tenant_id", "contact_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_grievances_citizen", table_name="grievances")
