"""The outbox and what reminders need besides it: people's reminder preferences and the
statutory clocks the business team records.

Subjects are named by kind and string id ("action:A03", "clock:7", "meeting:12") rather than by
foreign keys, so the outbox serves every feature (reminders, broadcasts) without depending on
their tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UtcDateTime, utcnow

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
UNREACHABLE = "unreachable"
CANCELLED = "cancelled"
STATUSES = (PENDING, SENDING, SENT, FAILED, UNREACHABLE, CANCELLED)


class OutboxMessage(Base):
    """One message to send to one recipient, at or after `not_before`, exactly once."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "recipient", "occurrence"),
        # The dispatcher's claim: due rows in queue order, read straight off the index (a claim
        # reads one batch of index entries, however long the queue behind it).
        Index("ix_outbox_status_not_before_id", "status", "not_before", "id"),
        # Retries that have waited out their delay go before the queue (see outbox.claim_due);
        # only rows that were tried and are waiting again are in this index, so it stays small.
        Index(
            "ix_outbox_retries",
            "not_before",
            "id",
            postgresql_where=text("status = 'pending' AND attempts > 0"),
            sqlite_where=text("status = 'pending' AND attempts > 0"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(128))
    # "person:<id>" for a person's personal chat, "conversation:<id>" for a chat or channel.
    recipient: Mapped[str] = mapped_column(String(600))
    occurrence: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    # Ids and numbers only, never free text: what the renderer needs to find the current data.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # An error type or HTTP status ("http_429", "TimeoutError"), never a message text.
    last_error: Mapped[str | None] = mapped_column(String(64))
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    activity_id: Mapped[str | None] = mapped_column(String(256))
    sent_conversation_id: Mapped[str | None] = mapped_column(String(512))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ReminderPreference(Base):
    """One person's reminder choices; no row means the partnership's defaults."""

    __tablename__ = "reminder_preferences"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    snoozed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The local day reminders start again after leave.
    paused_until: Mapped[date | None] = mapped_column(Date)
    digest_only: Mapped[bool] = mapped_column(Boolean, default=False)
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class StatutoryClock(Base):
    """A serious incident notification recorded by the business team, and the rapid review it
    starts: due a set number of working days after the notification. The reference is the
    partnership's own case-free reference (e.g. RR-2026-04), never anything about a child."""

    __tablename__ = "statutory_clocks"
    __table_args__ = (UniqueConstraint("kind", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="rapid_review")
    reference: Mapped[str] = mapped_column(String(32))
    group_code: Mapped[str] = mapped_column(String(16), default="RRP")
    notified_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
