"""letters: what a letter message needs to be printed or posted through GOV.UK Notify

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 18:00:00
"""

from __future__ import annotations

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""


def downgrade() -> None:
    """Revert this migration."""
