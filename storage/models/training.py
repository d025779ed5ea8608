"""Multi-agency training: courses, their sessions, bookings on sessions and e-learning enrolments.

A booking row is one person on one session, whatever happens to it: booked, on the waiting list,
cancelled, attended. Re-booking after a cancellation reuses the row, so (session, person) is
unique and a double booking is impossible at the database level as well as refused kindly above
it. The waiting list is ordered by `queued_at`. A promotion from the waiting list is recorded on
the booking (`promoted_at`) until someone tells the person (`promotion_notified_at`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.db import Base, UtcDateTime, utcnow
from storage.models.core import Person

COURSE_MODE_CHECK = "mode IN ('online', 'in_person', 'hybrid', 'e_learning')"
SESSION_MODE_CHECK = "mode IN ('online', 'in_person', 'hybrid')"
BOOKING_STATUS_CHECK = "status IN ('booked', 'waiting', 'cancelled', 'attended')"


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint(COURSE_MODE_CHECK, name="mode"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(16), default="online")
    duration: Mapped[str] = mapped_column(String(50), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    venue: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(2000), default="")
    description: Mapped[str] = mapped_column(String(1000), default="")
    complete_within_months: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Other names people use, separated by semicolons ("GCP2; graded care profile"): domain.aliases.
    aliases: Mapped[str] = mapped_column(String(500), default="", server_default="")


class CourseSession(Base):
    __tablename__ = "course_sessions"
    __table_args__ = (
        CheckConstraint(SESSION_MODE_CHECK, name="mode"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    mode: Mapped[str] = mapped_column(String(16), default="online")
    venue: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(2000), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    course: Mapped[Course] = relationship(lazy="joined")


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(BOOKING_STATUS_CHECK, name="status"),
        UniqueConstraint("session_id", "person_id"),
        Index("ix_bookings_session_id_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("course_sessions.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    booked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    promotion_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attendance_marked_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    person: Mapped[Person] = relationship(lazy="joined", foreign_keys=[person_id])


class Enrolment(Base):
    """A person enrolled on an e-learning course, which has no sessions."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("course_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    complete_by: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
