"""places: ward and locality boundaries, alternate names, retirement; tenant contact details

Revision ID: 0011
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACES = ("wards", "localities")


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("phone", sa.String(32), nullable=True))
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("website", sa.String(255), nullable=True))
        batch.add_column(sa.Column("address", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("places_revision", sa.Integer(), nullable=False,
                                   server_default="0"))
    for table in PLACES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("alt_names", sa.JSON(), nullable=False,
                                       server_default="[]"))
            batch.add_column(sa.Column("boundary", sa.JSON(), nullable=True))
            batch.add_column(sa.Column("active", sa.Boolean(), nullable=False,
                                       server_default=sa.true()))


def downgrade() -> None:
    for table in PLACES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("active")
            batch.drop_column("boundary")
            batch.drop_column("alt_names")
    with op.batch_alter_table("tenants") as batch:
        for column in ("places_revision", "address", "website", "email", "phone"):
            batch.drop_column(column)
