"""overlap checks: new actions queued to be compared with the register for overlaps

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:40:00

A plan import whose new actions would take too long to compare with the whole register while
the business manager waits queues them here; a job compares them a batch at a time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "overlap_checks",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_overlap_checks_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_overlap_checks")),
    )


def downgrade() -> None:
    op.drop_table("overlap_checks")
