"""Queries about meetings: what is on, the next one of a group, recurring series, the demo seed.

Every function takes an `AsyncSession`; the caller owns the unit of work. Meetings come back as
`domain.meetings.MeetingFacts`. For the reminders planner, `meetings_starting_between` lists the
meetings in a window with the people expected at each (the group's active members) in one query.
A series is written out as meeting rows up to a horizon; `extend_all_series` tops that up and is
meant for a daily job.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.aliases import parse_aliases
from domain.meetings import (
    DEFAULT_SERIES_HORIZON_DAYS,
    MeetingFacts,
    Mode,
    check_rrule,
    occurrences,
)
from domain.when import Candidate
from storage.models import Group, Meeting, MeetingSeries, Membership, Person

log = logging.getLogger(__name__)

UID_DOMAIN = "partnership-bot"


def default_uid(kind: str, code: str, starts_at: datetime) -> str:
    """A stable UID for a row imported or seeded without one: re-importing updates it."""
    stamp = starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"{kind}-{code.lower()}-{stamp}@{UID_DOMAIN}"


def facts_of(meeting: Meeting) -> MeetingFacts:
    return MeetingFacts(
        id=meeting.id,
        group_id=meeting.group_id,
        group_code=meeting.group.code,
        group_name=meeting.group.name,
        title=meeting.title or meeting.group.name,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        mode=Mode(meeting.mode),
        venue=meeting.venue,
        online_url=meeting.online_url,
        agenda_url=meeting.agenda_url,
        cancelled=meeting.cancelled,
        notes=meeting.notes,
    )


async def meeting_row(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def meeting_by_id(session: AsyncSession, meeting_id: int) -> MeetingFacts | None:
    meeting = await meeting_row(session, meeting_id)
    return None if meeting is None else facts_of(meeting)


async def meetings_between(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    group_ids: Collection[int] | None = None,
    include_cancelled: bool = True,
    limit: int | None = None,
) -> list[MeetingFacts]:
    """Meetings starting in [start, end), earliest first, optionally of some groups only."""
    query = (
        select(Meeting)
        .where(Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if group_ids is not None:
        query = query.where(Meeting.group_id.in_(list(group_ids)))
    if not include_cancelled:
        query = query.where(Meeting.cancelled.is_(False))
    if limit is not None:
        query = query.limit(limit)
    return [facts_of(m) for m in await session.scalars(query)]


@dataclass(frozen=True)
class MeetingWithAttendees:
    """A meeting and the roster people expected at it: its group's active members."""

    meeting: MeetingFacts
    attendee_ids: tuple[int, ...]


async def meetings_starting_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[MeetingWithAttendees]:
    """For reminders: meetings (not cancelled) starting in [start, end) with their attendees.

    One query: meetings joined to their group's memberships and active people.
    """
    rows = await session.execute(
        select(Meeting, Person.id)
        .join(Membership, Membership.group_id == Meeting.group_id, isouter=True)
        .join(Person, (Person.id == Membership.person_id) & Person.active.is_(True), isouter=True)
        .where(
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
            Meeting.cancelled.is_(False),
        )
        .order_by(Meeting.starts_at, Meeting.id, Person.id)
    )
    grouped: dict[int, tuple[Meeting, list[int]]] = {}
    for meeting, person_id in rows:
        _meeting, people = grouped.setdefault(meeting.id, (meeting, []))
        if person_id is not None:
            people.append(person_id)
    return [
        MeetingWithAttendees(facts_of(meeting), tuple(people))
        for meeting, people in grouped.values()
    ]


async def group_candidates(session: AsyncSession) -> list[Candidate]:
    """Every group, for reading a group's name out of a question."""
    groups = await session.scalars(select(Group).order_by(Group.name))
    return [Candidate("group", g.id, g.code, g.name, parse_aliases(g.aliases)) for g in groups]


async def groups_by_code(session: AsyncSession) -> dict[str, Group]:
    return {g.code.upper(): g for g in await session.scalars(select(Group))}


# -- recurring series ------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPlan:
    """A recurring meeting as imported or seeded, before it is written."""

    uid: str
    group_id: int
    rrule: str
    first_local_start: datetime
    duration: timedelta
    timezone: str
    mode: Mode = Mode.ONLINE
    title: str = ""
    venue: str = ""
    online_url: str = ""
    agenda_url: str = ""
    ends_after: datetime | None = None
    excluded_local_starts: tuple[datetime, ...] = ()


async def save_series(session: AsyncSession, plan: SeriesPlan, through: datetime) -> MeetingSeries:
    """Create or update the series with this UID and write its occurrences up to `through`."""
    series = await session.scalar(select(MeetingSeries).where(MeetingSeries.uid == plan.uid))
    if series is None:
        series = MeetingSeries(uid=plan.uid)
        session.add(series)
    series.group_id = plan.group_id
    series.title = plan.title
    series.rrule = plan.rrule
    series.first_local_start = plan.first_local_start
    series.timezone = plan.timezone
    series.duration_minutes = int(plan.duration.total_seconds() // 60)
    series.ends_after = plan.ends_after
    series.excluded_local_starts = [d.isoformat() for d in plan.excluded_local_starts]
    series.mode = plan.mode.value
    series.venue, series.online_url, series.agenda_url = (
        plan.venue,
        plan.online_url,
        plan.agenda_url,
    )
    await session.flush()
    await materialise_series(session, series, through)
    return series


def series_expansion(
    series: MeetingSeries, through: datetime
) -> Callable[[], list[tuple[datetime, datetime]]]:
    """The series' occurrences up to `through`, to be worked out later (in a thread): made of
    plain values, so nothing in it touches the ORM row or the database."""
    until = through if series.ends_after is None else min(through, series.ends_after)
    return partial(
        occurrences,
        series.rrule,
        series.first_local_start,
        timedelta(minutes=series.duration_minutes),
        ZoneInfo(series.timezone),
        until=until,
        excluded_local_starts=frozenset(
            datetime.fromisoformat(d) for d in series.excluded_local_starts or []
        ),
    )


async def materialise_series(
    session: AsyncSession, series: MeetingSeries, through: datetime
) -> int:
    """Write the series' occurrences up to `through` as meetings; returns how many were added.

    Occurrences changed on their own (`detached`) are left as they are; others follow the series.
    Occurrences the rule no longer produces are removed unless detached.

    The rule is expanded in a worker thread, so a long expansion never holds up the event loop
    (the daily job runs inside the bot). A series whose rule is refused now (one stored before
    the rules were tightened) is left exactly as it is.
    """
    problem = check_rrule(series.rrule)
    if problem:
        log.warning("meeting series %s not extended: its repeat rule %s", series.id, problem)
        return 0
    expand = series_expansion(series, through)
    existing = {
        m.recurrence_start: m
        for m in await session.scalars(select(Meeting).where(Meeting.series_id == series.id))
    }
    try:
        wanted = await asyncio.to_thread(expand)
    except ValueError as refused:
        log.warning("meeting series %s not extended: %s", series.id, refused)
        return 0
    wanted_starts = {start for start, _end in wanted}
    added = 0
    for start, end in wanted:
        meeting = existing.get(start)
        if meeting is None:
            meeting = Meeting(
                uid=f"series-{series.id}-{start.strftime('%Y%m%dT%H%M%SZ')}",
                series_id=series.id,
                recurrence_start=start,
                group_id=series.group_id,
            )
            session.add(meeting)
            added += 1
        elif meeting.detached:
            continue
        _follow_series(meeting, series, start, end)
    dropped = [
        meeting
        for recurrence_start, meeting in existing.items()
        if recurrence_start is not None
        and recurrence_start <= through
        and recurrence_start not in wanted_starts
        and not meeting.detached
    ]
    for meeting in dropped:
        await session.delete(meeting)
    series.materialised_until = through
    await session.flush()
    return added


def _follow_series(meeting: Meeting, series: MeetingSeries, start: datetime, end: datetime) -> None:
    meeting.group_id = series.group_id
    meeting.title = series.title
    meeting.starts_at, meeting.ends_at = start, end
    meeting.mode = series.mode
    meeting.venue, meeting.online_url = series.venue, series.online_url
    meeting.agenda_url = series.agenda_url


async def extend_all_series(
    session: AsyncSession, now: datetime, horizon_days: int = DEFAULT_SERIES_HORIZON_DAYS
) -> int:
    """Top every open series up to `now + horizon_days`; returns the meetings added.

    The series rows are locked first, so two instances running the daily job at the same minute
    take turns (the second finds the work done) instead of writing the same meetings twice."""
    through = now + timedelta(days=horizon_days)
    added = 0
    locked = select(MeetingSeries).order_by(MeetingSeries.id).with_for_update(of=MeetingSeries)
    for series in await session.scalars(locked.execution_options(populate_existing=True)):
        if series.materialised_until is None or series.materialised_until < through:
            added += await materialise_series(session, series, through)
    log.info("meeting series extended: %s meeting(s) added", added)
    return added


# -- the demo partnership ----------------------------------------------------------------------
