"""consent records (DPDP Act) and recorded voice messages for outbound calls

`consent_records` every grant and withdrawal as it happened (append-only: purpose, channel,
time, source); `consents` the latest word per (contact, purpose, channel), what bulk queries
read; `voice_messages` a city's uploaded recording per purpose and language, held encrypted in
the media store, played by outbound calls instead of TTS or rendered clips.

Revision ID: 0022
Revises: 0021
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_records",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.String(32), sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
    )
    op.create_index("ix_consent_records_tenant_id", "consent_records", ["tenant_id"])
    op.create_index("ix_consent_records_contact_at", "consent_records", ["contact_id", "at"])
    op.create_table(
        "consents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.String(32), sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("record_id", sa.String(32), sa.ForeignKey("consent_records.id"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("contact_id", "purpose", "channel",
                            name="uq_consents_contact_id"),
    )
    op.create_index("ix_consents_tenant_id", "consents", ["tenant_id"])
    op.create_table(
        "voice_messages",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("store_key", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "purpose", "language",
                            name="uq_voice_messages_tenant_id"),
    )
    op.create_index("ix_voice_messages_tenant_id", "voice_messages", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("voice_messages")
    op.drop_table("consents")
    op.drop_table("consent_records")
