"""actions: register, progress updates, overlap links

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("lead_agency_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("revised_due_date", sa.Date(), nullable=True),
        sa.Column("revised_due_reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("lead_rag", sa.String(length=8), nullable=True),
        sa.Column("at_risk", sa.Boolean(), nullable=False),
        sa.Column("slippage", sa.Boolean(), nullable=False),
        sa.Column("last_update_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("impact", sa.String(length=16), nullable=True),
        sa.Column("impact_evidence", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "impact IS NULL OR impact IN ('evidenced', 'awaited', 'not_applicable')",
            name=op.f("ck_actions_impact"),
        ),
        sa.CheckConstraint(
            "lead_rag IS NULL OR lead_rag IN ('red', 'amber', 'green')", name=op.f("ck_actions_rag")
        ),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'complete', 'dropped')",
            name=op.f("ck_actions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_actions_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["lead_agency_id"], ["agencies.id"], name=op.f("fk_actions_lead_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["people.id"], name=op.f("fk_actions_lead_id_people")),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priorities.id"], name=op.f("fk_actions_priority_id_priorities")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_actions_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint("reference", name=op.f("uq_actions_reference")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_priority_id"), ["priority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_status"), ["status"], unique=False)

    op.create_table(
        "action_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('suggested', 'linked', 'dismissed')", name=op.f("ck_action_links_state")
        ),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_action_links_ordered")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_action_links_decided_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["first_id"],
            ["actions.id"],
            name=op.f("fk_action_links_first_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["actions.id"],
            name=op.f("fk_action_links_second_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_links")),
        sa.UniqueConstraint(
            "first_id", "second_id", name=op.f("uq_action_links_first_id_second_id")
        ),
    )
    with op.batch_alter_table("action_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_links_first_id"), ["first_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_links_second_id"), ["second_id"], unique=False)

    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lead_rag", sa.String(length=8), nullable=True),
        sa.Column("screening_confirmed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_updates_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_action_updates_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))

    op.drop_table("action_updates")
    with op.batch_alter_table("action_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_links_second_id"))
        batch_op.drop_index(batch_op.f("ix_action_links_first_id"))

    op.drop_table("action_links")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_status"))
        batch_op.drop_index(batch_op.f("ix_actions_source_id"))
        batch_op.drop_index(batch_op.f("ix_actions_priority_id"))
        batch_op.drop_index(batch_op.f("ix_actions_lead_id"))
        batch_op.drop_index(batch_op.f("ix_actions_group_id"))

    op.drop_table("actions")
