"""Announcements the business team broadcasts: the announcement, who it went to, who acknowledged.

Delivery itself is in the outbox (one row per recipient and send); `AnnouncementRecipient` is the
audience frozen when a send starts, so the report and export list exactly who it was meant for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UtcDateTime, utcnow


class Announcement(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    image_url: Mapped[str] = mapped_column(String(2048), default="")
    link_title: Mapped[str] = mapped_column(String(80), default="")
    link_url: Mapped[str] = mapped_column(String(2048), default="")
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    # An AudienceDefinition.as_json(): the union of parts chosen by the author.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ack_reminder_working_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The author's Teams user id, named in the report card's `refresh.userIds`.
    author_user_id: Mapped[str] = mapped_column(String(256), default="")
    # Which send is current: 1 for the first, one more for each "resend to failed".
    send_number: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    screening_confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    screening_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Where the author's report card was posted, so the sender can update it in place.
    report_conversation_id: Mapped[str] = mapped_column(String(512), default="")
    report_activity_id: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class AnnouncementRecipient(Base):
    """One person an announcement was sent to, and the send that last tried to reach them."""

    __tablename__ = "announcement_recipients"
    __table_args__ = (UniqueConstraint("announcement_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    reachable: Mapped[bool] = mapped_column(Boolean, default=False)
    send_number: Mapped[int] = mapped_column(Integer, default=1)


class AnnouncementAck(Base):
    """A "Got it": recorded once per person and announcement, with when."""

    __tablename__ = "announcement_acks"
    __table_args__ = (UniqueConstraint("announcement_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(UtcDateTime)
