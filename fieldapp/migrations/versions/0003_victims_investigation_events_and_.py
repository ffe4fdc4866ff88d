"""victims, investigation events and contact duties

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:40:11.884782
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""

    op.create_table(
        "investigation_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_investigation_events_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_investigation_events_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation_events")),
    )
    with op.batch_alter_table("investigation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_investigation_events_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "victims",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("recipient_role", sa.String(length=30), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("preferred_channel", sa.String(length=10), nullable=False),
        sa.Column("safe_channels", sa.JSON(), nullable=False),
        sa.Column("contentless", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("enhanced_rights", sa.Boolean(), nullable=False),
        sa.Column("enhanced_basis", sa.JSON(), nullable=False),
        sa.Column("update_frequency_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_victims_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victims")),
    )
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_victims_case_id"), ["case_id"], unique=False)

    op.create_table(
        "contact_duties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("victim_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=True),
        sa.Column("ruleset_version", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_contact_duties_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_contact_duties_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["investigation_events.id"],
            name=op.f("fk_contact_duties_event_id_investigation_events"),
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["victims.id"], name=op.f("fk_contact_duties_victim_id_victims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_duties")),
    )
    with op.batch_alter_table("contact_duties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_duties_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_contact_duties_status_due", ["status", "due_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_duties_victim_id"), ["victim_id"], unique=False
        )


def downgrade() -> None:
    """Revert this migration."""

    with op.batch_alter_table("contact_duties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_duties_victim_id"))
        batch_op.drop_index("ix_contact_duties_status_due")
        batch_op.drop_index(batch_op.f("ix_contact_duties_case_id"))

    op.drop_table("contact_duties")
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_victims_case_id"))

    op.drop_table("victims")
    with op.batch_alter_table("investigation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investigation_events_case_id"))

    op.drop_table("investigation_events")
