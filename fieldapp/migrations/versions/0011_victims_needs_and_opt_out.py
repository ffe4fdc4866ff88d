"""victims: date of birth, organisation, postal address, interpreter and accessible-format needs, safe contact times, opt-out

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 18:00:00

Also the templates' ``format`` (standard, easy_read, large_print): an easy-read variant of a
message is a template of its own in the same family.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FORMATS = "format IN ('standard', 'easy_read', 'large_print')"


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("organisation_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("postal_address", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("interpreter_language", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("accessible_format", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("needs", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("safe_contact_times", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("opted_out_how", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("opted_out_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("enhanced_derived", sa.JSON(), nullable=True))
    op.execute("UPDATE victims SET enhanced_derived = '[]'")
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.alter_column("enhanced_derived", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("message_templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("format", sa.String(length=20), nullable=False, server_default="standard")
        )
        batch_op.create_check_constraint(op.f("ck_message_templates_format"), FORMATS)


def downgrade() -> None:
    """Revert this migration (the recorded needs and opt-outs are lost)."""
    with op.batch_alter_table("message_templates", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_message_templates_format"), type_="check")
        batch_op.drop_column("format")
    with op.batch_alter_table("victims", schema=None) as batch_op:
        for column in (
            "enhanced_derived",
            "opted_out_note",
            "opted_out_how",
            "opted_out_at",
            "safe_contact_times",
            "needs",
            "accessible_format",
            "interpreter_language",
            "postal_address",
            "organisation_name",
            "date_of_birth",
        ):
            batch_op.drop_column(column)
