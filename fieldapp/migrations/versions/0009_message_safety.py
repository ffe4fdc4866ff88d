"""message safety: void status and reason, variant choice, claimed and recorded sent times, quota

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('drafted', 'queued', 'sent', 'delivered', 'failed')"
NEW_STATUSES = "status IN ('drafted', 'queued', 'sent', 'delivered', 'failed', 'void')"


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_messages_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_messages_status"), NEW_STATUSES)
        batch_op.add_column(sa.Column("requested_template_key", sa.String(80), nullable=True))
        batch_op.add_column(sa.Column("variant_reason", sa.String(20), nullable=True))
        batch_op.add_column(sa.Column("queued_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sent_reason", sa.String(500), nullable=True))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.String(500), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_messages_queued_by_id_users"), "users", ["queued_by_id"], ["id"]
        )
        batch_op.create_index("ix_messages_queued_by", ["queued_by_id", "queued_at"])
        batch_op.create_index("ix_messages_sent_by", ["sent_by_id", "confirmed_at"])
    # Manual sends recorded before this revision: the recorded time is the last known change.
    op.execute(
        "UPDATE messages SET confirmed_at = updated_at WHERE sent_at IS NOT NULL "
        "AND confirmed_at IS NULL"
    )


def downgrade() -> None:
    """Revert this migration (void messages become failed ones)."""
    op.execute("UPDATE messages SET status = 'failed', failure_reason = void_reason "
               "WHERE status = 'void'")  # fmt: skip
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_sent_by")
        batch_op.drop_index("ix_messages_queued_by")
        batch_op.drop_constraint(op.f("fk_messages_queued_by_id_users"), type_="foreignkey")
        for column in (
            "void_reason",
            "voided_at",
            "sent_reason",
            "confirmed_at",
            "queued_by_id",
            "variant_reason",
            "requested_template_key",
        ):
            batch_op.drop_column(column)
        batch_op.drop_constraint(op.f("ck_messages_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_messages_status"), OLD_STATUSES)
