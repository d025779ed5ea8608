"""outbox: claim in queue order off the index, retries first

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 00:40:00

The claim used to read every due row to sort them (a bitmap scan over the whole queue), which cost
a few milliseconds per thousand rows queued on every claim. With `id` in the index the claim reads
one batch of entries in order. The partial index holds only rows that were tried and are waiting
to be tried again, which the claim takes first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETRIES_WAITING = sa.text("status = 'pending' AND attempts > 0")


def upgrade() -> None:
    op.drop_index("ix_outbox_status_not_before", table_name="outbox")
    op.create_index("ix_outbox_status_not_before_id", "outbox", ["status", "not_before", "id"])
    op.create_index(
        "ix_outbox_retries",
        "outbox",
        ["not_before", "id"],
        postgresql_where=RETRIES_WAITING,
        sqlite_where=RETRIES_WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_retries", table_name="outbox")
    op.drop_index("ix_outbox_status_not_before_id", table_name="outbox")
    op.create_index("ix_outbox_status_not_before", "outbox", ["status", "not_before"])
