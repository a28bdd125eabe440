"""connectors: per-tenant platform connections (DIGIT/UPYOG, Open311), our links to remote
grievances and bills, payments waiting to be posted to the platform, citizens' login tokens

Revision ID: 0024
Revises: 0022
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(32), primary_key=True)


def _tenant() -> sa.Column:
    return sa.Column("tenant_id", sa.String(64), nullable=False)


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "connector_settings", _id(), _tenant(),
        sa.Column("domain", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("base_url", sa.String(300), nullable=False),
        sa.Column("config_enc", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.String(64), nullable=True),
        _at("created_at"), _at("updated_at"),
        sa.UniqueConstraint("tenant_id", "domain", name="uq_connector_settings_tenant_domain"),
    )
    op.create_index("ix_connector_settings_tenant_id", "connector_settings", ["tenant_id"])
    op.create_table(
        "connector_grievances", _id(), _tenant(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("remote_id", sa.String(64), nullable=True),
        sa.Column("contact_id", sa.String(32), nullable=True),
        sa.Column("account_id", sa.String(32), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("remote_status", sa.String(40), nullable=True),
        sa.Column("remote_modified", sa.String(40), nullable=True),
        sa.Column("payload_enc", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_attempt_at"), _at("first_attempt_at"), _at("created_at"),
        sa.UniqueConstraint("idempotency_key", name="uq_connector_grievances_idempotency_key"),
        sa.UniqueConstraint("tenant_id", "kind", "remote_id",
                            name="uq_connector_grievances_tenant_kind_remote"),
    )
    op.create_index("ix_connector_grievances_tenant_id", "connector_grievances", ["tenant_id"])
    op.create_index("ix_connector_grievances_contact_id", "connector_grievances", ["contact_id"])
    op.create_index("ix_connector_grievances_next_attempt_at", "connector_grievances",
                    ["next_attempt_at"])
    op.create_table(
        "connector_bills", _tenant(),
        sa.Column("bill_id", sa.String(32), sa.ForeignKey(
            "bills.id", name="fk_connector_bills_bill_id_bills"), primary_key=True),
        sa.Column("remote_id", sa.String(64), nullable=False),
        sa.Column("business_service", sa.String(32), nullable=False),
    )
    op.create_index("ix_connector_bills_tenant_id", "connector_bills", ["tenant_id"])
    op.create_table(
        "connector_payments", _id(), _tenant(),
        sa.Column("attempt_id", sa.String(32), nullable=False),
        sa.Column("bill_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("remote_receipt", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_attempt_at"), _at("created_at"), _at("posted_at", nullable=True),
        sa.UniqueConstraint("attempt_id", name="uq_connector_payments_attempt_id"),
    )
    op.create_index("ix_connector_payments_tenant_id", "connector_payments", ["tenant_id"])
    op.create_index("ix_connector_payments_next_attempt_at", "connector_payments",
                    ["next_attempt_at"])
    op.create_table(
        "connector_tokens", _id(), _tenant(),
        sa.Column("contact_id", sa.String(32), nullable=False),
        sa.Column("token_enc", sa.Text(), nullable=False),
        _at("expires_at"), _at("created_at"),
        sa.UniqueConstraint("tenant_id", "contact_id", name="uq_connector_tokens_tenant_contact"),
    )
    op.create_index("ix_connector_tokens_tenant_id", "connector_tokens", ["tenant_id"])


def downgrade() -> None:
    for table in ("connector_tokens", "connector_payments", "connector_bills",
                  "connector_grievances", "connector_settings"):
        op.drop_table(table)
