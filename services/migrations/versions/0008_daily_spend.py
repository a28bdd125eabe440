"""daily spend cap: what each city's paid sends cost per day, and a cap per tenant

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_spend",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("spent_paise", sa.BigInteger(), nullable=False),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("capped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "day", name=op.f("pk_daily_spend")),
    )
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("daily_spend_cap_paise", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("daily_spend_cap_paise")
    op.drop_table("daily_spend")
