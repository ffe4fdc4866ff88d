"""erasure and idempotency: keys name what they created and who holds them; erased messages

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 15:00:00

Stored response bodies are dropped (they copied personal data that erasure could not reach).
A key finished before this revision names no resource, so a replay of it answers 410 Gone
rather than creating the resource again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("resource_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("resource_id", sa.String(length=200), nullable=True))
        batch_op.drop_column("response_body")
        batch_op.drop_column("response_etag")
    op.execute("UPDATE idempotency_keys SET owner = id")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.alter_column("owner", existing_type=sa.Uuid(), nullable=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this migration (stored responses are not restored)."""
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_etag", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("response_body", sa.Text(), nullable=True))
        batch_op.drop_column("resource_id")
        batch_op.drop_column("resource_type")
        batch_op.drop_column("owner")
