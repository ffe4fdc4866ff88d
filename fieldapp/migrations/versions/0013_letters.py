"""letters: what a letter message needs to be printed or posted through GOV.UK Notify

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 18:00:00

A letter message keeps the recipient's postal address as it was written to (``address_lines``,
blanked with the rest of the message on erasure), the postage it goes with through Notify, its
print format (``standard`` or ``large_print``) and when it was first printed (the date the
letter carries, so a reprint is the same letter).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_lines", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("postage", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("print_format", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("printed_at")
        batch_op.drop_column("print_format")
        batch_op.drop_column("postage")
        batch_op.drop_column("address_lines")
