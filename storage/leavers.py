"""What people leaving the roster still hold: the open actions they lead, the groups they chair,
their places on sessions to come and the reminders queued for them; and cancelling those
reminders. The roster import (`usecases.roster_import`) lists these for each leaver."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import changed_rows
from storage.models import Action, Booking, Course, CourseSession, Group, OutboxMessage
from storage.models.outbox import CANCELLED, PENDING

_OPEN = ("not_started", "in_progress")
_HOLDING_A_PLACE = ("booked", "waiting")


async def open_actions_led(
    session: AsyncSession, person_ids: Collection[int]
) -> dict[int, list[Action]]:
    """Each person's actions not yet complete or dropped, by reference."""
    found: dict[int, list[Action]] = defaultdict(list)
    rows = await session.scalars(
        select(Action)
        .where(Action.lead_id.in_(list(person_ids)), Action.status.in_(_OPEN))
        .order_by(Action.reference)
    )
    for action in rows:
        assert action.lead_id is not None
        found[action.lead_id].append(action)
    return found


async def groups_chaired(
    session: AsyncSession, person_ids: Collection[int]
) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = await session.execute(
        select(Group.chair_id, Group.code)
        .where(Group.chair_id.in_(list(person_ids)))
        .order_by(Group.code)
    )
    for chair_id, code in rows:
        found[chair_id].append(code)
    return found


async def places_to_come(
    session: AsyncSession, person_ids: Collection[int], now: datetime
) -> dict[int, list[tuple[str, datetime, str]]]:
    """Each person's bookings and waiting-list places on sessions not yet started:
    (course code, start, status)."""
    found: dict[int, list[tuple[str, datetime, str]]] = defaultdict(list)
    rows = await session.execute(
        select(Booking.person_id, Course.code, CourseSession.starts_at, Booking.status)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            Booking.person_id.in_(list(person_ids)),
            Booking.status.in_(_HOLDING_A_PLACE),
            CourseSession.starts_at >= now,
            CourseSession.cancelled.is_(False),
        )
        .order_by(CourseSession.starts_at)
    )
    for person_id, code, starts_at, status in rows:
        found[person_id].append((code, starts_at, status))
    return found


async def queued_reminders(session: AsyncSession, person_ids: Collection[int]) -> dict[int, int]:
    """How many messages wait in the outbox for each person."""
    rows = await session.execute(
        select(OutboxMessage.person_id, func.count())
        .where(OutboxMessage.person_id.in_(list(person_ids)), OutboxMessage.status == PENDING)
        .group_by(OutboxMessage.person_id)
    )
    return {person_id: count for person_id, count in rows}


async def cancel_queued(session: AsyncSession, person_id: int, *, reason: str) -> int:
    """Cancel every message waiting in the outbox for a person (not one being sent)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.person_id == person_id, OutboxMessage.status == PENDING)
        .values(status=CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return changed_rows(result)
