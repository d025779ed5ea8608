"""Changing one training session and telling the people on it: the one path for every front door
that moves, cancels or reinstates a session (the calendar import, the desk).

`rewrite_session` locks the session row, writes what it should now be and returns how it was and
how it is (`storage.session_changes.SessionChange`); `tell_people` queues, in the caller's
transaction, one `session_changed` notice to everyone booked or waiting on each changed session
(`storage.session_changes.queue_change_notices`, planned by `domain.session_changes`). Both run
inside the caller's unit of work, after the caller has checked who may do this: the import and
the desk are the business team's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.meetings import Mode
from domain.send_times import SendRules
from domain.session_changes import Change
from storage.models import CourseSession
from storage.session_changes import (
    SessionChange,
    locked_session_by_uid,
    queue_change_notices,
    times_of,
)


@dataclass(frozen=True)
class SessionPlan:
    """What a session should be: its course, instants (aware UTC), how and where, places."""

    uid: str
    course_id: int
    starts_at: datetime
    ends_at: datetime
    mode: Mode
    venue: str
    online_url: str
    capacity: int | None
    cancelled: bool


@dataclass(frozen=True)
class Rewritten:
    """The session row as written, and how it changed (None when it was added)."""

    row: CourseSession
    change: SessionChange | None


async def rewrite_session(session: AsyncSession, plan: SessionPlan) -> Rewritten:
    """Write the session with the plan's UID (adding it if there is none), the row locked first so
    that what it is compared against is what is committed."""
    row = await locked_session_by_uid(session, plan.uid)
    before = None if row is None else times_of(row)
    if row is None:
        row = CourseSession(uid=plan.uid)
        session.add(row)
    row.course_id = plan.course_id
    row.starts_at, row.ends_at = plan.starts_at, plan.ends_at
    row.mode = plan.mode.value
    row.venue, row.online_url = plan.venue, plan.online_url
    row.capacity = plan.capacity
    row.cancelled = plan.cancelled
    return Rewritten(row, None if before is None else SessionChange(row.id, before, times_of(row)))


@dataclass
class Told:
    """What a set of session changes came to: how many of each kind, and how many people were
    queued a notice."""

    moved: int = 0
    cancelled: int = 0
    reinstated: int = 0
    people: int = 0


async def tell_people(
    session: AsyncSession, changes: Sequence[SessionChange], now: datetime, rules: SendRules
) -> Told:
    """Queue the notices for these changes (in the caller's transaction) and count them."""
    told = Told()
    for change in changes:
        if change.change == Change.MOVED:
            told.moved += 1
        elif change.change == Change.CANCELLED:
            told.cancelled += 1
        elif change.change == Change.REINSTATED:
            told.reinstated += 1
    told.people = await queue_change_notices(session, changes, now, rules)
    return told
