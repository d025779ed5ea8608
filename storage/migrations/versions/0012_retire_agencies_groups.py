"""reference data: agencies and groups can be retired (`active`), as priorities, sources and
courses already can

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 17:45:00

A retired agency or group stays on the people, actions, meetings and memberships that have it
and cannot be chosen anew. Every row there is when this runs stays in use (`active` true).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("agencies", "groups")


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
