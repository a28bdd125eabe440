"""routing: departments, named staff, category requirements, routing rules, escalation ladders

Revision ID: 0010
Revises: 0009

Grievances gain the staff member they are assigned to (`assignee` stays as the name shown,
and holds the free text of assignments made before this revision), the department whose
ladder escalates them and the level they reached. Category codes widen to 64 characters
(DIGIT service codes run longer than 32).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_departments_tenant_id")),
    )
    op.create_index(op.f("ix_departments_tenant_id"), "departments", ["tenant_id"])
    op.create_table(
        "staff_members",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("name", sa.String(81), nullable=False),
        sa.Column("department_id", sa.String(32), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("designation", sa.String(32), nullable=False),
        sa.Column("wards", sa.JSON(), nullable=False),
        sa.Column("phone_enc", sa.Text(), nullable=True),
        sa.Column("email_enc", sa.Text(), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_staff_members_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
    )
    op.create_index(op.f("ix_staff_members_tenant_id"), "staff_members", ["tenant_id"])
    op.create_index(op.f("ix_staff_members_department_id"), "staff_members", ["department_id"])
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("ward", sa.String(32), nullable=False),
        sa.Column("department_id", sa.String(32), nullable=False),
        sa.Column("strategy", sa.String(16), nullable=False),
        sa.Column("last_staff_id", sa.String(16), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_routing_rules_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
        sa.UniqueConstraint("tenant_id", "category", "ward",
                            name=op.f("uq_routing_rules_tenant_id")),
    )
    op.create_index(op.f("ix_routing_rules_tenant_id"), "routing_rules", ["tenant_id"])
    op.create_table(
        "escalation_steps",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("department_id", sa.String(32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("designation", sa.String(32), nullable=False),
        sa.Column("after_hours", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_escalation_steps_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_steps")),
        sa.UniqueConstraint("department_id", "level",
                            name=op.f("uq_escalation_steps_department_id")),
    )
    op.create_index(op.f("ix_escalation_steps_tenant_id"), "escalation_steps", ["tenant_id"])
    op.create_table(
        "staff_notices",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("staff_id", sa.String(16), nullable=False),
        sa.Column("grievance_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("outbox_id", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], ["grievances.id"],
                                name=op.f("fk_staff_notices_grievance_id_grievances")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_members.id"],
                                name=op.f("fk_staff_notices_staff_id_staff_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_notices")),
    )
    op.create_index(op.f("ix_staff_notices_tenant_id"), "staff_notices", ["tenant_id"])
    op.create_index(op.f("ix_staff_notices_staff_id"), "staff_notices", ["staff_id"])
    op.create_index(op.f("ix_staff_notices_grievance_id"), "staff_notices", ["grievance_id"])

    with op.batch_alter_table("staff_keys") as batch:
        batch.add_column(sa.Column("staff_id", sa.String(16), nullable=True))
        batch.create_foreign_key(op.f("fk_staff_keys_staff_id_staff_members"), "staff_members",
                                 ["staff_id"], ["id"])
        batch.create_index(op.f("ix_staff_keys_staff_id"), ["staff_id"])
    with op.batch_alter_table("grievance_categories") as batch:
        batch.alter_column("code", existing_type=sa.String(32), type_=sa.String(64),
                           existing_nullable=False)
        batch.add_column(sa.Column("photo_required", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("location_required", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("keywords", sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("menu_path", sa.String(64), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("grievances") as batch:
        batch.add_column(sa.Column("assignee_id", sa.String(16), nullable=True))
        batch.add_column(sa.Column("department_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("escalation_level", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(op.f("fk_grievances_assignee_id_staff_members"),
                                 "staff_members", ["assignee_id"], ["id"])
        batch.create_foreign_key(op.f("fk_grievances_department_id_departments"),
                                 "departments", ["department_id"], ["id"])
        batch.create_index(op.f("ix_grievances_assignee_id"), ["assignee_id"])
        batch.create_index(op.f("ix_grievances_due_at"), ["due_at"])


def downgrade() -> None:
    with op.batch_alter_table("grievances") as batch:
        batch.drop_index(op.f("ix_grievances_due_at"))
        batch.drop_index(op.f("ix_grievances_assignee_id"))
        batch.drop_constraint(op.f("fk_grievances_department_id_departments"),
                              type_="foreignkey")
        batch.drop_constraint(op.f("fk_grievances_assignee_id_staff_members"),
                              type_="foreignkey")
        batch.drop_column("escalated_at")
        batch.drop_column("escalation_level")
        batch.drop_column("department_id")
        batch.drop_column("assignee_id")
    with op.batch_alter_table("grievance_categories") as batch:
        batch.drop_column("menu_path")
        batch.drop_column("keywords")
        batch.drop_column("location_required")
        batch.drop_column("photo_required")
        batch.alter_column("code", existing_type=sa.String(64), type_=sa.String(32),
                           existing_nullable=False)
    with op.batch_alter_table("staff_keys") as batch:
        batch.drop_index(op.f("ix_staff_keys_staff_id"))
        batch.drop_constraint(op.f("fk_staff_keys_staff_id_staff_members"), type_="foreignkey")
        batch.drop_column("staff_id")
    for table in ("staff_notices", "escalation_steps", "routing_rules", "staff_members",
                  "departments"):
        op.drop_table(table)
