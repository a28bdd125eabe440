"""grievance list: an index for a ward's grievances of one status (an officer's open work)

`status=open&ward=W07` was read from `ix_grievances_ward_list` (ward, then the list order),
checking the status carried in it: on 1,000,000 grievances a ward holds about 45,000, of which
about 9,000 are open, so the page's total (counted up to 10,001) read five index entries for
each it counted (14 ms). Led by the ward and the status, the count reads only the matches and
the page reads no row it drops. It carries the tenant, so the scope check stays in the index.
Built CONCURRENTLY on PostgreSQL, as 0012's were; SQLite has no INCLUDE.

Revision ID: 0017
Revises: 0016
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_grievances_ward_status_list"


def _postgres() -> bool:
    """Whether this migration runs on PostgreSQL (CONCURRENTLY, INCLUDE)."""
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgres():
        with op.get_context().autocommit_block():
            op.create_index(NAME, "grievances", ["ward_id", "status", "created_at", "public_id"],
                            postgresql_concurrently=True, postgresql_include=["tenant_id"])
    else:
        op.create_index(NAME, "grievances", ["ward_id", "status", "created_at", "public_id"])


def downgrade() -> None:
    if _postgres():
        with op.get_context().autocommit_block():
            op.drop_index(NAME, table_name="grievances", postgresql_concurrently=True)
    else:
        op.drop_index(NAME, table_name="grievances")
