"""Meetings of the partnership's groups: one-off meetings and recurring series.

A series holds an RFC 5545 repeat rule in wall-clock time (for example the second Tuesday every two
months at 10:00 Europe/London); its occurrences are written out as ordinary `Meeting` rows a year
ahead, so that each can be moved, cancelled or given its own agenda, and so that "what is on"
and reminders are one indexed query on `meetings.starts_at`. Instants are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.db import Base, UtcDateTime, utcnow
from storage.models.core import Group

MODE_CHECK = "mode IN ('online', 'in_person', 'hybrid')"


class MeetingSeries(Base):
    __tablename__ = "meeting_series"
    __table_args__ = (CheckConstraint(MODE_CHECK, name="mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    rrule: Mapped[str] = mapped_column(String(500))
    # Wall-clock time of the first occurrence in `timezone`, deliberately without an offset: the
    # rule repeats the wall-clock time, whatever the offset is on each date.
    first_local_start: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    ends_after: Mapped[datetime | None] = mapped_column(UtcDateTime)
    excluded_local_starts: Mapped[list[str]] = mapped_column(JSON, default=list)
    mode: Mapped[str] = mapped_column(String(16), default="online")
    venue: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(2000), default="")
    agenda_url: Mapped[str] = mapped_column(String(2000), default="")
    materialised_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    group: Mapped[Group] = relationship(lazy="joined")


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(MODE_CHECK, name="mode"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("series_id", "recurrence_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_series.id", ondelete="CASCADE"), index=True
    )
    # For an occurrence of a series: the start the rule gave it (iCalendar RECURRENCE-ID), kept
    # when the occurrence is moved so that the series never writes it out twice.
    recurrence_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # An occurrence changed on its own (moved, new venue) is no longer rewritten from its series.
    detached: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    mode: Mapped[str] = mapped_column(String(16), default="online")
    venue: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(2000), default="")
    agenda_url: Mapped[str] = mapped_column(String(2000), default="")
    notes: Mapped[str] = mapped_column(String(500), default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    group: Mapped[Group] = relationship(lazy="joined")
