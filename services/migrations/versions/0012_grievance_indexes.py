"""grievance list indexes: one per filter, each ending in the list order (keyset paging)

Each new index ends in (created_at, public_id), the staff list's newest-first order, so a page
is read straight from an index whatever its depth. They replace the single-column indexes of
0001 (each a prefix of one of them), and the history is read from (grievance_id, at, id).

On PostgreSQL the indexes are built CONCURRENTLY (a city's table keeps taking grievances while
they build), `tenant_id` uses `text_pattern_ops`, so a state's `LIKE 'pb.%'` is a range of
them under any collation, and the ward, category and locality indexes INCLUDE the tenant and
the status, so those filters are checked (and a total counted) in the index alone. SQLite has
none of the three.

Revision ID: 0012
Revises: 0011
"""
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIST_ORDER = ["created_at", "public_id"]
TENANT = {"postgresql_ops": {"tenant_id": "text_pattern_ops"}}
CARRIED = {"postgresql_include": ["tenant_id", "status"]}
NEW: list[tuple[str, str, list[str], dict[str, Any]]] = [
    ("grievances", "ix_grievances_tenant_list", ["tenant_id", *LIST_ORDER], TENANT),
    ("grievances", "ix_grievances_tenant_status_list", ["tenant_id", "status", *LIST_ORDER],
     TENANT),
    ("grievances", "ix_grievances_ward_list", ["ward_id", *LIST_ORDER], CARRIED),
    ("grievances", "ix_grievances_category_list", ["category_id", *LIST_ORDER], CARRIED),
    ("grievances", "ix_grievances_locality_list", ["locality_id", *LIST_ORDER], CARRIED),
    ("grievances", "ix_grievances_list", LIST_ORDER, {}),
    ("grievances", "ix_grievances_status_list", ["status", *LIST_ORDER], {}),
    ("grievance_events", "ix_grievance_events_history", ["grievance_id", "at", "id"], {}),
]
OLD = [
    ("grievances", "ix_grievances_tenant_id", ["tenant_id"]),
    ("grievances", "ix_grievances_created_at", ["created_at"]),
    ("grievances", "ix_grievances_status", ["status"]),
    ("grievances", "ix_grievances_ward_id", ["ward_id"]),
    ("grievances", "ix_grievances_category_id", ["category_id"]),
    ("grievances", "ix_grievances_locality_id", ["locality_id"]),
    ("grievance_events", "ix_grievance_events_grievance_id", ["grievance_id"]),
]


def _postgres() -> bool:
    """Whether this migration runs on PostgreSQL (CONCURRENTLY and operator classes)."""
    return op.get_bind().dialect.name == "postgresql"


@contextmanager
def _outside_transaction() -> Iterator[None]:
    """PostgreSQL builds indexes concurrently only outside a transaction; SQLite stays in it."""
    with op.get_context().autocommit_block() if _postgres() else nullcontext():
        yield


def upgrade() -> None:
    concurrently = _postgres()
    with _outside_transaction():
        for table, name, columns, options in NEW:
            op.create_index(name, table, columns, postgresql_concurrently=concurrently,
                            **options)
        for table, name, _ in OLD:
            op.drop_index(name, table_name=table, postgresql_concurrently=concurrently)


def downgrade() -> None:
    concurrently = _postgres()
    with _outside_transaction():
        for table, name, columns in OLD:
            op.create_index(name, table, columns, postgresql_concurrently=concurrently)
        for table, name, _, _ in NEW:
            op.drop_index(name, table_name=table, postgresql_concurrently=concurrently)
