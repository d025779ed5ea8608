"""reference data: priorities and sources can be retired (`active`), as courses already can

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:30:00

A retired priority or source stays on the actions that use it and cannot be chosen for a new
one. Every row there is when this runs stays in use (`active` true).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("priorities", "sources")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
            )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("active")
