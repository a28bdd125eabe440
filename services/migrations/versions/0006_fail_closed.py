"""fail closed: encrypted grievance notes, versioned lookup hashes, a tenant's public status view

Revision ID: 0006
Revises: 0005

Notes written before this revision stay in `grievance_events.note` until `nagarsetu keys
rotate` encrypts them into `note_enc` (a migration has no access to the key ring).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grievance_events") as batch:
        batch.add_column(sa.Column("note_enc", sa.Text(), nullable=True))
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("urn_hash", existing_type=sa.String(64), type_=sa.String(96),
                           existing_nullable=False)
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("public_status", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("public_status")
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("urn_hash", existing_type=sa.String(96), type_=sa.String(64),
                           existing_nullable=False)
    with op.batch_alter_table("grievance_events") as batch:
        batch.drop_column("note_enc")
