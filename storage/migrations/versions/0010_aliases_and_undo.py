"""everyday use: aliases for courses and groups; what an action was before each update

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 13:30:00

`courses.aliases` and `groups.aliases` hold the other names people call them ("GCP2; DA
training"), separated by semicolons (`domain.aliases`); every row there is when this runs gets
none. `action_updates.previous` holds what the action was before the update (status, RAG, dates,
completion), so that its author can undo it; older updates have none and cannot be undone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ALIASED = ("courses", "groups")


def upgrade() -> None:
    for table in _ALIASED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("aliases", sa.String(500), nullable=False, server_default="")
            )
    with op.batch_alter_table("action_updates") as batch:
        batch.add_column(sa.Column("previous", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_updates") as batch:
        batch.drop_column("previous")
    for table in _ALIASED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("aliases")
