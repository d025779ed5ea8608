"""The action register: actions, their dated progress updates, and links between overlapping ones.

`Action.last_update_on` repeats the date of the newest update so that lists, the overview and the
reminder planners read one row per action without a subquery over the updates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.db import Base, UtcDateTime, utcnow
from storage.models.core import Agency, Group, Person, Priority, Source


class Action(Base):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_started', 'in_progress', 'complete', 'dropped')", name="status"
        ),
        CheckConstraint("lead_rag IS NULL OR lead_rag IN ('red', 'amber', 'green')", name="rag"),
        CheckConstraint(
            "impact IS NULL OR impact IN ('evidenced', 'awaited', 'not_applicable')", name="impact"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    revised_due_date: Mapped[date | None] = mapped_column(Date)
    revised_due_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="not_started", index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    lead_rag: Mapped[str | None] = mapped_column(String(8))
    at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    slippage: Mapped[bool] = mapped_column(Boolean, default=False)
    last_update_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    impact: Mapped[str | None] = mapped_column(String(16))
    impact_evidence: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    priority: Mapped[Priority] = relationship(lazy="raise")
    source: Mapped[Source] = relationship(lazy="raise")
    lead: Mapped[Person | None] = relationship(lazy="raise")
    lead_agency: Mapped[Agency | None] = relationship(lazy="raise")
    group: Mapped[Group] = relationship(lazy="raise")


class ActionUpdate(Base):
    """A dated progress update: the note and the status and rating it left the action in."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    dated: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    lead_rag: Mapped[str | None] = mapped_column(String(8))
    # The person confirmed that what screening found in this update is not personal data.
    screening_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the action was before this update (status, RAG, dates, completion), so that its
    # author can undo it (usecases.actions.undo_update); None for updates saved before 0010.
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    person: Mapped[Person | None] = relationship(lazy="raise")


class OverlapCheck(Base):
    """A new action waiting to be compared with the register for overlaps: the plan import
    queues its new actions when comparing them all would hold up the import (`usecases.overlaps`
    takes them off, a batch at a time)."""

    __tablename__ = "overlap_checks"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True
    )
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ActionLink(Base):
    """Two actions that may be, or are, the same work from different sources.

    One row per pair, the lower action id first. `state` is `suggested` (found by text
    similarity, waiting for a person), `linked` (confirmed overlap, shown on both) or `dismissed`
    (a person said they differ, so it is not suggested again).
    """

    __tablename__ = "action_links"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="ordered"),
        CheckConstraint("state IN ('suggested', 'linked', 'dismissed')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="suggested")
    score: Mapped[float | None] = mapped_column(Float)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
