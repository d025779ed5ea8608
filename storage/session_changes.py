"""Telling the people on a training session that a calendar import moved, cancelled or
reinstated it: in the import's own transaction, one outbox notice per person booked or waiting
(kind `session_changed`), rendered when it is sent by `delivery.reminder_renderers`.

The import locks each session row before rewriting it (`locked_session_by_uid`), so what it
compares against is what is committed: two imports of the same file one after the other, or at
once, find one change between them, and a booking made meanwhile waits for the import (booking
locks the same row). A notice not yet sent when the session changes again is superseded: it is
cancelled and the new one tells the person what they knew before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reminders import Kind
from domain.send_times import SendRules
from domain.session_changes import (
    Change,
    ChangeNotice,
    PersonOnSession,
    SessionTimes,
    change_between,
    plan_change_notices,
    session_subject,
)
from domain.training import BookingStatus
from storage import outbox
from storage.models import Booking, CourseSession
from storage.models.outbox import CANCELLED, PENDING, OutboxMessage
from storage.outbox import NewMessage
from storage.reminders import preferences_for
from storage.training import locked_session_where, waiting_position

ON_THE_LIST = (
    BookingStatus.BOOKED.value,
    BookingStatus.ATTENDED.value,
    BookingStatus.WAITING.value,
)
SUPERSEDED = "superseded"


@dataclass(frozen=True)
class SessionChange:
    """A session row as it was before an import wrote it, and as it is after."""

    session_id: int
    before: SessionTimes
    after: SessionTimes

    @property
    def change(self) -> Change | None:
        return change_between(self.before, self.after)


def times_of(row: CourseSession) -> SessionTimes:
    return SessionTimes(row.starts_at, row.ends_at, row.cancelled)


async def locked_session_by_uid(session: AsyncSession, uid: str) -> CourseSession | None:
    """The session with this UID, locked for the transaction and read afresh."""
    return await locked_session_where(session, CourseSession.uid == uid)


async def queue_change_notices(
    session: AsyncSession, changes: Sequence[SessionChange], now: datetime, rules: SendRules
) -> int:
    """Queue a notice to everyone booked or waiting on each changed session; how many were new."""
    changed = [c for c in changes if c.change is not None]
    if not changed:
        return 0
    ids = [c.session_id for c in changed]
    on_list = await _people_on(session, ids)
    told_of = await _supersede_unsent(session, ids)
    preferences = await preferences_for(session, (p for people in on_list.values() for p in people))
    planned = [
        reminder
        for c in changed
        for reminder in plan_change_notices(
            c.session_id, c.after, _what_people_knew(c, on_list, told_of), now, preferences, rules
        )
    ]
    return await outbox.enqueue(session, map(NewMessage.of_reminder, planned))


def _what_people_knew(
    change: SessionChange,
    on_list: dict[int, list[int]],
    told_of: dict[tuple[int, int], SessionTimes],
) -> list[PersonOnSession]:
    """Everyone on the session, each with what they knew: the session before this import, or
    before the change a superseded notice was to tell them of."""
    return [
        PersonOnSession(person, told_of.get((change.session_id, person), change.before))
        for person in on_list.get(change.session_id, ())
    ]


async def _people_on(session: AsyncSession, session_ids: Iterable[int]) -> dict[int, list[int]]:
    """Who is booked or waiting on each session (cancelled bookings are not told)."""
    rows = await session.execute(
        select(Booking.session_id, Booking.person_id)
        .where(Booking.session_id.in_(list(session_ids)), Booking.status.in_(ON_THE_LIST))
        .order_by(Booking.session_id, Booking.person_id)
    )
    people: dict[int, list[int]] = {}
    for session_id, person_id in rows:
        people.setdefault(session_id, []).append(person_id)
    return people


async def _supersede_unsent(
    session: AsyncSession, session_ids: Iterable[int]
) -> dict[tuple[int, int], SessionTimes]:
    """Cancel the change notices about these sessions not sent yet; for each person who had
    one, what they knew before the first of them (a notice already being sent is left alone:
    the person is being told, and the new notice starts from what it says)."""
    subjects = {session_subject(i): i for i in session_ids}
    rows = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == Kind.SESSION_CHANGED.value,
            OutboxMessage.subject.in_(list(subjects)),
            OutboxMessage.status == PENDING,
        )
        .values(status=CANCELLED, last_error=SUPERSEDED)
        .returning(
            OutboxMessage.id, OutboxMessage.subject, OutboxMessage.person_id, OutboxMessage.payload
        )
        .execution_options(synchronize_session=False)
    )
    known: dict[tuple[int, int], SessionTimes] = {}
    for _id, subject, person_id, payload in sorted(rows, key=lambda row: row[0]):
        notice = ChangeNotice.of(payload or {})
        if person_id is None or notice is None:
            continue
        known.setdefault((subjects[subject], person_id), notice.known)
    return known


@dataclass(frozen=True)
class Place:
    """A person's place on a session as it is now: booked or waiting (and where in line)."""

    status: BookingStatus
    queued_at: datetime
    position: int | None = None


async def place_on(session: AsyncSession, session_id: int, person_id: int) -> Place | None:
    """This person's place on the session; None when they are not (or no longer) on its list."""
    booking = await session.scalar(
        select(Booking).where(
            Booking.session_id == session_id,
            Booking.person_id == person_id,
            Booking.status.in_(ON_THE_LIST),
        )
    )
    if booking is None:
        return None
    status = BookingStatus(booking.status)
    if status != BookingStatus.WAITING:
        return Place(status, booking.queued_at)
    return Place(status, booking.queued_at, await waiting_position(session, session_id, person_id))
