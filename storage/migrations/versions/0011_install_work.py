"""install work: the queue of people to install the bot for through Microsoft Graph

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-04 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "install_work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("leased_until", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("requested_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_install_work_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_install_work")),
        sa.UniqueConstraint("person_id", name=op.f("uq_install_work_person_id")),
    )
    with op.batch_alter_table("install_work", schema=None) as batch_op:
        batch_op.create_index(
            "ix_install_work_status_next_attempt_at_id",
            ["status", "next_attempt_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("install_work", schema=None) as batch_op:
        batch_op.drop_index("ix_install_work_status_next_attempt_at_id")
    op.drop_table("install_work")
