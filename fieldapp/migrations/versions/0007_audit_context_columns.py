"""audit records: API key, client address, reason; index on operation and outcome

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_key_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("client_address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_audit_records_operation", ["operation", "outcome"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_records_operation")
        batch_op.drop_column("reason")
        batch_op.drop_column("client_address")
        batch_op.drop_column("api_key_id")
