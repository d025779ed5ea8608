"""audit: who acted when no person did (a job, an import run without --by)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 07:00:00

Every audit row names its actor: a person (`person_id`) or a named system actor in `actor`
("system:reminders", "system:command-line"). Rows written before this revision keep an empty
`actor`; those with no person were written by the system.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("actor", sa.String(48), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("actor")
