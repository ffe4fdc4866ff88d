"""contacts (a victim told another way) and the information each duty requires and has been given

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 18:00:00

Duties recorded before this revision have no required items (NULL): any sent message or
reached contact meets them, as before. Templates already imported are not follow-up texts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _create_contacts() -> None:
    """The contacts table and its indexes."""
    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("victim_id", sa.Uuid(), nullable=False),
        sa.Column("duty_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("covered", sa.JSON(), nullable=False),
        sa.Column("interpreter_language", sa.String(length=10), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "method IN ('phone', 'in_person', 'letter_by_hand', 'voicemail_no_detail')",
            name=op.f("ck_contacts_method"),
        ),
        sa.CheckConstraint(
            "outcome IN ('reached', 'not_reached')", name=op.f("ck_contacts_outcome")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_contacts_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_contacts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["duty_id"], ["contact_duties.id"], name=op.f("fk_contacts_duty_id_contact_duties")
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["victims.id"], name=op.f("fk_contacts_victim_id_victims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_case_created", ["case_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contacts_duty_id"), ["duty_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contacts_victim_id"), ["victim_id"], unique=False)


def upgrade() -> None:
    """Apply this migration."""
    _create_contacts()
    with op.batch_alter_table("contact_duties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("met_by_event_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("required_items", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("covered_items", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("basis", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("clock_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            "fk_contact_duties_contact_id_contacts",
            "contacts",
            ["contact_id"],
            ["id"],
            use_alter=True,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_duties_met_by_event_id_investigation_events"),
            "investigation_events",
            ["met_by_event_id"],
            ["id"],
        )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_items", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("missing_items", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("given_another_way", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("given_another_way_note", sa.Text(), nullable=True))
    with op.batch_alter_table("message_templates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up", sa.Boolean(), nullable=True))
    op.execute(sa.text("UPDATE message_templates SET follow_up = :no").bindparams(no=False))
    with op.batch_alter_table("message_templates", schema=None) as batch_op:
        batch_op.alter_column("follow_up", existing_type=sa.Boolean(), nullable=False)


def downgrade() -> None:
    """Revert this migration (contacts and the evidence they gave are dropped)."""
    with op.batch_alter_table("message_templates", schema=None) as batch_op:
        batch_op.drop_column("follow_up")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("given_another_way_note")
        batch_op.drop_column("given_another_way")
        batch_op.drop_column("missing_items")
        batch_op.drop_column("carried_items")
    with op.batch_alter_table("contact_duties", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_contact_duties_met_by_event_id_investigation_events"),
            type_="foreignkey",
        )
        batch_op.drop_constraint("fk_contact_duties_contact_id_contacts", type_="foreignkey")
        batch_op.drop_column("clock_from")
        batch_op.drop_column("basis")
        batch_op.drop_column("covered_items")
        batch_op.drop_column("required_items")
        batch_op.drop_column("met_by_event_id")
        batch_op.drop_column("contact_id")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_victim_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_duty_id"))
        batch_op.drop_index("ix_contacts_case_created")
    op.drop_table("contacts")
