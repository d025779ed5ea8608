"""meetings and training: meeting series, meetings, courses, sessions, bookings, enrolments

Revision ID: 0003
Revises: 0002 (written beside 0002 actions and relinked to it on merge. Nothing here refers to
the actions tables: only to groups and people from 0001.)
Create Date: 2026-11-24 20:13:48.897598
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("duration", sa.String(length=50), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("complete_within_months", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "mode IN ('online', 'in_person', 'hybrid', 'e_learning')", name=op.f("ck_courses_mode")
        ),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity > 0", name=op.f("ck_courses_capacity_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
        sa.UniqueConstraint("code", name=op.f("uq_courses_code")),
    )
    op.create_table(
        "course_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=2000), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "mode IN ('online', 'in_person', 'hybrid')", name=op.f("ck_course_sessions_mode")
        ),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity > 0", name=op.f("ck_course_sessions_capacity_positive")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_course_sessions_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_sessions_course_id_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_sessions")),
        sa.UniqueConstraint("uid", name=op.f("uq_course_sessions_uid")),
    )
    with op.batch_alter_table("course_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_sessions_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_sessions_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queued_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("booked_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("promoted_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("promotion_notified_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attendance_marked_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attendance_marked_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('booked', 'waiting', 'cancelled', 'attended')",
            name=op.f("ck_bookings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["attendance_marked_by"],
            ["people.id"],
            name=op.f("fk_bookings_attendance_marked_by_people"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_bookings_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_sessions.id"],
            name=op.f("fk_bookings_session_id_course_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint(
            "session_id", "person_id", name=op.f("uq_bookings_session_id_person_id")
        ),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bookings_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_session_id"), ["session_id"], unique=False)
        batch_op.create_index(
            "ix_bookings_session_id_status", ["session_id", "status"], unique=False
        )

    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("complete_by", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_enrolments_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_enrolments_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
        sa.UniqueConstraint(
            "course_id", "person_id", name=op.f("uq_enrolments_course_id_person_id")
        ),
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolments_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_person_id"), ["person_id"], unique=False)

    op.create_table(
        "meeting_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("first_local_start", sa.DateTime(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("ends_after", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("excluded_local_starts", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=2000), nullable=False),
        sa.Column("agenda_url", sa.String(length=2000), nullable=False),
        sa.Column("materialised_until", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "mode IN ('online', 'in_person', 'hybrid')", name=op.f("ck_meeting_series_mode")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_meeting_series_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_series")),
        sa.UniqueConstraint("uid", name=op.f("uq_meeting_series_uid")),
    )
    with op.batch_alter_table("meeting_series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_series_group_id"), ["group_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("recurrence_start", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("detached", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=2000), nullable=False),
        sa.Column("agenda_url", sa.String(length=2000), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "mode IN ('online', 'in_person', 'hybrid')", name=op.f("ck_meetings_mode")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_meetings_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_meetings_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["meeting_series.id"],
            name=op.f("fk_meetings_series_id_meeting_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint(
            "series_id", "recurrence_start", name=op.f("uq_meetings_series_id_recurrence_start")
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_meetings_uid")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_series_id"), ["series_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_starts_at"), ["starts_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_starts_at"))
        batch_op.drop_index(batch_op.f("ix_meetings_series_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_group_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("meeting_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_series_group_id"))

    op.drop_table("meeting_series")
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolments_person_id"))
        batch_op.drop_index(batch_op.f("ix_enrolments_course_id"))

    op.drop_table("enrolments")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_session_id_status")
        batch_op.drop_index(batch_op.f("ix_bookings_session_id"))
        batch_op.drop_index(batch_op.f("ix_bookings_person_id"))

    op.drop_table("bookings")
    with op.batch_alter_table("course_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_sessions_starts_at"))
        batch_op.drop_index(batch_op.f("ix_course_sessions_course_id"))

    op.drop_table("course_sessions")
    op.drop_table("courses")
