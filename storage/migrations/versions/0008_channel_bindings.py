"""channel bindings: a team channel bound to the group whose public business it may be told

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_bindings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("bound_by", sa.Integer(), nullable=False),
        sa.Column("bound_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_channel_bindings_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["bound_by"], ["people.id"], name=op.f("fk_channel_bindings_bound_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_bindings")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_channel_bindings_conversation_id")),
    )
    with op.batch_alter_table("channel_bindings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_bindings_group_id"), ["group_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("channel_bindings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_bindings_group_id"))
    op.drop_table("channel_bindings")
