"""feedback: a citizen reopens ("not fixed") within the city's window and rates a resolution;
standard notes for officers

`tenants.reopen_days` is the window (None inherits the state's, else 7 days);
`grievance_events.note_key` a standard note picked instead of written (told to the citizen in
their language); `grievance_ratings` one rating per resolution (unique on the `resolve` event).

Revision ID: 0013
Revises: 0012
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("reopen_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("grievance_events") as batch:
        batch.add_column(sa.Column("note_key", sa.String(64), nullable=True))
    op.create_table(
        "grievance_ratings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("grievance_id", sa.String(32), sa.ForeignKey("grievances.id"),
                  nullable=False),
        sa.Column("resolution_id", sa.String(32), sa.ForeignKey("grievance_events.id"),
                  nullable=False, unique=True),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment_enc", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_grievance_ratings_tenant_id", "grievance_ratings", ["tenant_id"])
    op.create_index("ix_grievance_ratings_grievance_id", "grievance_ratings", ["grievance_id"])


def downgrade() -> None:
    op.drop_index("ix_grievance_ratings_grievance_id", "grievance_ratings")
    op.drop_index("ix_grievance_ratings_tenant_id", "grievance_ratings")
    op.drop_table("grievance_ratings")
    with op.batch_alter_table("grievance_events") as batch:
        batch.drop_column("note_key")
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("reopen_days")
