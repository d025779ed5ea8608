"""The desk's meetings and training sessions (issue 18, item 1): the calendar and list, and
creating, changing, moving, cancelling and reinstating a meeting or a session, in London time.

- `calendar`: the meetings and sessions starting between two days, of a group or a course, as the
  chat lets the viewer read them (everyone on the roster knows when a group meets; join links are
  for its members, the business team and the scrutineer, `domain.meetings.sees_meeting_links`;
  sessions of retired courses are the business team's).
- `save_meeting` and `save_session`: the business team's (`usecases.people.require_business_team`;
  `domain.permissions` gives chairs no right over meetings, and the scrutineer changes nothing).
  The form is read into the calendar import's own item and checked by the import's own checks
  (`usecases.calendar_import.check_one`: known group or course, end after start as instants,
  links, lengths, capacity against places held, retired courses and groups, personal data
  screened). A session is written and its people told by the same use case as the re-import
  (`usecases.session_changes`): the same `session_changed` notices in the same transaction.
- A meeting of a recurring series is changed on its own (it becomes an override, as an imported
  RECURRENCE-ID is) or as the series: its time of day, length, how, where, title and agenda, every
  occurrence not changed on its own following (`storage.meetings.save_series`). Cancelling the
  series cancels this meeting and every later one, and ends the series there.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.meetings import DEFAULT_SERIES_HORIZON_DAYS, Mode, local_instant, sees_meeting_links
from domain.permissions import Viewer
from domain.send_times import SendRules
from domain.training import SessionFacts
from fileformats.tabular import Row, RowError
from storage import training as training_store
from storage.meetings import UID_DOMAIN, materialise_series
from storage.models import Course, CourseSession, Group, Meeting, MeetingSeries
from usecases.calendar_import import (
    MEETING,
    SESSION,
    CalendarItem,
    ImportOptions,
    check_one,
    session_plan,
)
from usecases.context import Actor, UnitOfWork, audit
from usecases.people import require_business_team
from usecases.session_changes import rewrite_session, tell_people

Kind = Literal["meeting", "session"]
Scope = Literal["occurrence", "series"]
MAX_DAYS = 400
DESK_CONFIRM = 'tick "hold no personal data" and save again'
_FORM = "desk"


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarQuery:
    first_day: date
    last_day: date
    group: str | None = None
    course: str | None = None
    kind: Kind | None = None


@dataclass(frozen=True)
class Entry:
    """A meeting or a session as the viewer may see it; instants are aware UTC."""

    kind: Kind
    id: int
    code: str
    name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    mode: Mode
    venue: str
    link: str
    cancelled: bool
    can_edit: bool
    agenda: str = ""
    notes: str = ""
    series_id: int | None = None
    changed_on_its_own: bool = False
    capacity: int | None = None
    booked: int = 0
    waiting: int = 0


def _day_bounds(query: CalendarQuery, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = local_instant(datetime.combine(query.first_day, time()), zone)
    end = local_instant(datetime.combine(query.last_day + timedelta(days=1), time()), zone)
    return start, end


def _meeting_entry(viewer: Viewer, meeting: Meeting) -> Entry:
    sees = sees_meeting_links(
        group_id=meeting.group_id,
        member_of=viewer.group_ids,
        is_admin=viewer.is_admin,
        is_scrutineer=viewer.is_scrutineer,
    )
    return Entry(
        kind=MEETING,
        id=meeting.id,
        code=meeting.group.code,
        name=meeting.group.name,
        title=meeting.title or meeting.group.name,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        mode=Mode(meeting.mode),
        venue=meeting.venue,
        link=meeting.online_url if sees else "",
        agenda=meeting.agenda_url if sees else "",
        notes=meeting.notes,
        cancelled=meeting.cancelled,
        can_edit=viewer.is_admin,
        series_id=meeting.series_id,
        changed_on_its_own=meeting.detached,
    )


def _session_entry(viewer: Viewer, facts: SessionFacts) -> Entry:
    return Entry(
        kind=SESSION,
        id=facts.id,
        code=facts.course_code,
        name=facts.course_title,
        title=facts.course_title,
        starts_at=facts.starts_at,
        ends_at=facts.ends_at,
        mode=facts.mode,
        venue=facts.venue,
        link=facts.online_url,
        cancelled=facts.cancelled,
        can_edit=viewer.is_admin,
        capacity=facts.capacity,
        booked=facts.booked,
        waiting=facts.waiting,
    )


def _session_shown(viewer: Viewer, facts: SessionFacts, now: datetime) -> bool:
    """As the chat's course card: past cancelled sessions are the business team's (and so are
    retired courses', which the caller leaves out)."""
    return viewer.is_admin or not facts.cancelled or facts.starts_at > now


async def calendar(
    viewer: Viewer, query: CalendarQuery, work: UnitOfWork, *, now: datetime, zone: ZoneInfo
) -> list[Entry]:
    """The meetings and sessions starting on the query's days (London), earliest first."""
    start, end = _day_bounds(query, zone)
    entries: list[Entry] = []
    async with work.read() as session:
        if query.kind != SESSION and query.course is None:
            entries += await _meetings(session, viewer, start, end, query.group)
        if query.kind != MEETING and query.group is None:
            entries += await _sessions(session, viewer, start, end, query.course, now)
    return sorted(entries, key=lambda e: (e.starts_at, e.title, e.kind, e.id))


async def _meetings(
    session: AsyncSession, viewer: Viewer, start: datetime, end: datetime, group: str | None
) -> list[Entry]:
    found = select(Meeting).where(Meeting.starts_at >= start, Meeting.starts_at < end)
    if group is not None:
        found = found.join(Group, Group.id == Meeting.group_id).where(Group.code == group.upper())
    return [_meeting_entry(viewer, m) for m in await session.scalars(found)]


async def _sessions(
    session: AsyncSession,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    course: str | None,
    now: datetime,
) -> list[Entry]:
    course_ids = None
    if course is not None:
        course_ids = list(
            await session.scalars(select(Course.id).where(Course.code == course.upper()))
        )
    found = await training_store.sessions_between(
        session, start, end, course_ids=course_ids, active_courses_only=not viewer.is_admin
    )
    return [_session_entry(viewer, f) for f in found if _session_shown(viewer, f, now)]


async def one_meeting(viewer: Viewer, meeting_id: int, work: UnitOfWork) -> Entry | None:
    async with work.read() as session:
        meeting = await session.get(Meeting, meeting_id)
        return None if meeting is None else _meeting_entry(viewer, meeting)


async def one_session(
    viewer: Viewer, session_id: int, work: UnitOfWork, *, now: datetime
) -> Entry | None:
    async with work.read() as session:
        facts = await training_store.session_facts(session, session_id)
        if facts is None or not _session_shown(viewer, facts, now):
            return None
        course = await training_store.course_by_id(session, facts.course_id)
        if course is None or not (course.active or viewer.is_admin):
            return None
        return _session_entry(viewer, facts)


@dataclass(frozen=True)
class Choices:
    """(code, name, in use) of each group and course; a retired one is listed to filter the
    calendar by and to show its own meetings or sessions, never to be given a new one."""

    groups: list[tuple[str, str, bool]]
    courses: list[tuple[str, str, bool]]


async def calendar_choices(viewer: Viewer, work: UnitOfWork) -> Choices:
    """Groups (everyone may know when a group meets) and the courses the viewer may see."""
    async with work.read() as session:
        groups = await session.scalars(select(Group).order_by(Group.name))
        courses = await session.scalars(select(Course).order_by(Course.code))
        return Choices(
            [(g.code, g.name, g.active) for g in groups],
            [
                (c.code, c.title, c.active)
                for c in courses
                if (c.active or viewer.is_admin) and c.mode != Mode.E_LEARNING.value
            ],
        )


# -- changing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventForm:
    """What the desk's form sends: London wall-clock day and times, how, where, what."""

    code: str
    day: date
    start: time
    end: time
    mode: Mode | None = None
    venue: str = ""
    link: str = ""
    agenda: str = ""
    title: str = ""
    notes: str = ""
    capacity: int | None = None
    cancelled: bool = False
    confirm_not_personal: bool = False


@dataclass(frozen=True)
class EditTerms:
    """The setting the edit is made in: now, London, when notices may go out, business email
    domains (screening does not flag the partnership's own addresses)."""

    now: datetime
    zone: ZoneInfo
    send: SendRules
    allowed_email_domains: tuple[str, ...] = ()

    def options(self, confirmed: bool) -> ImportOptions:
        return ImportOptions(
            zone=self.zone,
            now=self.now,
            allowed_email_domains=self.allowed_email_domains,
            not_personal_data=confirmed,
            send=self.send,
            confirm_hint=DESK_CONFIRM,
        )


class FormRefused(Exception):
    """Nothing was saved: each problem names the form's field."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = [(e.field or "request", e.message) for e in errors]


@dataclass(frozen=True)
class Saved:
    kind: Kind
    id: int
    change: str = ""  # moved, cancelled, reinstated or "" for a session
    people_told: int = 0
    series_changed: bool = False
    meetings_changed: int = 0
    notes: list[str] = field(default_factory=list[str])


def _item(kind: Kind, form: EventForm, uid: str, zone: ZoneInfo) -> CalendarItem:
    return CalendarItem(
        where=Row(_FORM, 1, {}),
        kind=kind,
        code=form.code.strip().upper(),
        uid=uid,
        title=form.title.strip(),
        local_start=datetime.combine(form.day, form.start),
        local_end=datetime.combine(form.day, form.end),
        zone=zone,
        mode=form.mode,
        venue=form.venue.strip(),
        link=form.link.strip(),
        agenda=form.agenda.strip(),
        notes=form.notes.strip(),
        capacity=form.capacity,
        cancelled=form.cancelled,
    )


def _new_uid(kind: Kind) -> str:
    return f"desk-{kind}-{uuid.uuid4().hex}@{UID_DOMAIN}"


async def _checked(
    session: AsyncSession, item: CalendarItem, form: EventForm, terms: EditTerms
) -> Group | Course:
    problems, owner = await check_one(session, item, terms.options(form.confirm_not_personal))
    if problems or owner is None:
        raise FormRefused(problems or [RowError(_FORM, 1, "code", "is not known")])
    return owner


def _fields(row: Meeting | CourseSession) -> dict[str, object]:
    names = ("starts_at", "ends_at", "mode", "venue", "online_url", "cancelled")
    more = ("title", "agenda_url", "notes", "group_id") if isinstance(row, Meeting) else ()
    extra = ("capacity", "course_id") if isinstance(row, CourseSession) else ()
    return {name: getattr(row, name) for name in (*names, *more, *extra)}


def _audit_change(
    session: AsyncSession,
    actor: Actor,
    entity: str,
    entity_id: int,
    before: dict[str, object] | None,
    after: dict[str, object],
    confirmed: bool,
) -> None:
    event = "created" if before is None else "updated"
    changes = {
        name: (None if before is None else before.get(name), value)
        for name, value in after.items()
        if before is None or before.get(name) != value
    }
    if before is not None and not changes:
        return
    if confirmed:
        changes["confirmed_not_personal"] = (None, True)
    audit(
        session,
        actor,
        entity=entity,
        entity_id=str(entity_id),
        event=event,
        changes={k: (_text(a), _text(b)) for k, (a, b) in changes.items()},
    )


def _text(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


async def save_session(
    actor: Actor,
    session_id: int | None,
    form: EventForm,
    work: UnitOfWork,
    terms: EditTerms,
) -> Saved | None:
    """Create (no id) or change a training session; None when there is no such session. A move,
    cancellation or reinstatement tells the people booked or waiting, as the re-import does."""
    require_business_team(actor, "change training sessions")
    async with work.write() as session:
        uid = _new_uid(SESSION)
        before: dict[str, object] | None = None
        if session_id is not None:
            row = await training_store.locked_session(session, session_id)
            if row is None:
                return None
            uid, before = row.uid, _fields(row)
        item = _item(SESSION, form, uid, terms.zone)
        course = await _checked(session, item, form, terms)
        written = await rewrite_session(session, session_plan(item, course.id))
        await session.flush()
        changes = [written.change] if written.change is not None else []
        told = await tell_people(session, changes, terms.now, terms.send)
        _audit_change(
            session,
            actor,
            "course_session",
            written.row.id,
            before,
            _fields(written.row),
            form.confirm_not_personal,
        )
        what = changes[0].change if changes else None
        return Saved(SESSION, written.row.id, what.value if what else "", told.people)


async def save_meeting(
    actor: Actor,
    meeting_id: int | None,
    form: EventForm,
    work: UnitOfWork,
    terms: EditTerms,
    scope: Scope = "occurrence",
) -> Saved | None:
    """Create (no id) or change a meeting, or the series it belongs to; None when there is no
    such meeting."""
    require_business_team(actor, "change meetings")
    async with work.write() as session:
        meeting: Meeting | None = None
        if meeting_id is not None:
            meeting = await session.get(Meeting, meeting_id)
            if meeting is None:
                return None
        uid = meeting.uid if meeting is not None else _new_uid(MEETING)
        item = _item(MEETING, form, uid, terms.zone)
        group = await _checked(session, item, form, terms)
        if meeting is not None and meeting.series_id is not None and scope == "series":
            return await _save_series(session, actor, meeting, item, group, form, terms)
        before = None if meeting is None else _fields(meeting)
        if meeting is None:
            meeting = Meeting(uid=uid)
            session.add(meeting)
        _apply(meeting, item, group.id)
        if meeting.series_id is not None:
            meeting.detached = True  # an override: the series no longer rewrites it
        await session.flush()
        _audit_change(
            session,
            actor,
            "meeting",
            meeting.id,
            before,
            _fields(meeting),
            form.confirm_not_personal,
        )
        return Saved(MEETING, meeting.id)


def _apply(meeting: Meeting, item: CalendarItem, group_id: int) -> None:
    meeting.group_id = group_id
    meeting.title = item.title
    meeting.starts_at, meeting.ends_at = item.starts_at, item.ends_at
    meeting.mode = (item.mode or Mode.ONLINE).value
    meeting.venue, meeting.online_url, meeting.agenda_url = item.venue, item.link, item.agenda
    meeting.notes = item.notes
    meeting.cancelled = item.cancelled


async def _save_series(
    session: AsyncSession,
    actor: Actor,
    meeting: Meeting,
    item: CalendarItem,
    group: Group | Course,
    form: EventForm,
    terms: EditTerms,
) -> Saved:
    series = await session.get(MeetingSeries, meeting.series_id)
    assert series is not None and item.local_start is not None and item.local_end is not None
    zone = ZoneInfo(series.timezone)
    if meeting.starts_at.astimezone(zone).date() != form.day:
        raise FormRefused(
            [
                RowError(
                    _FORM,
                    1,
                    "day",
                    "a series keeps its days; move this meeting on its own, or change the "
                    "series' repeat rule by importing it again",
                )
            ]
        )
    if group.id != series.group_id:
        raise FormRefused([RowError(_FORM, 1, "code", "a series stays with its group")])
    before = _series_fields(series)
    if form.cancelled:
        changed = await _end_series_at(session, series, meeting)
    else:
        changed = await _rewrite_series(session, series, item, terms)
    audit(
        session,
        actor,
        entity="meeting_series",
        entity_id=str(series.id),
        event="cancelled_from" if form.cancelled else "updated",
        changes={
            k: (_text(before[k]), _text(v))
            for k, v in _series_fields(series).items()
            if before[k] != v
        }
        or {"from_meeting": (None, meeting.id)},
    )
    found = await _occurrence_on(session, series, form.day, zone)
    return Saved(MEETING, found or meeting.id, series_changed=True, meetings_changed=changed)


def _series_fields(series: MeetingSeries) -> dict[str, object]:
    names = ("title", "first_local_start", "duration_minutes", "mode", "venue", "online_url")
    return {n: getattr(series, n) for n in (*names, "agenda_url", "ends_after")}


async def _rewrite_series(
    session: AsyncSession, series: MeetingSeries, item: CalendarItem, terms: EditTerms
) -> int:
    """The series' time of day, length, how, where, title and agenda; its meetings follow."""
    assert item.local_start is not None and item.local_end is not None
    new_time = item.local_start.time()
    await _keep_occurrences_at(session, series, new_time, terms.now)
    series.first_local_start = datetime.combine(series.first_local_start.date(), new_time)
    series.duration_minutes = int((item.local_end - item.local_start).total_seconds() // 60)
    series.title = item.title
    series.mode = (item.mode or Mode.ONLINE).value
    series.venue, series.online_url, series.agenda_url = item.venue, item.link, item.agenda
    await session.flush()
    through = terms.now + timedelta(days=DEFAULT_SERIES_HORIZON_DAYS)
    await materialise_series(session, series, through)
    followers = await session.scalars(
        select(Meeting).where(Meeting.series_id == series.id, Meeting.detached.is_(False))
    )
    return len(list(followers))


async def _keep_occurrences_at(
    session: AsyncSession, series: MeetingSeries, new_time: time, now: datetime
) -> None:
    """A new time of day gives every occurrence a new start in the rule: each meeting (and each
    excluded date) is re-keyed to its own day at the new time, so the series rewrites the same
    meetings in place, and one changed on its own is not written out a second time. Meetings
    already held keep the time they were held at."""
    zone = ZoneInfo(series.timezone)
    for meeting in await session.scalars(select(Meeting).where(Meeting.series_id == series.id)):
        if meeting.starts_at < now:
            meeting.detached = True
        if meeting.recurrence_start is not None:
            day = meeting.recurrence_start.astimezone(zone).date()
            meeting.recurrence_start = local_instant(datetime.combine(day, new_time), zone)
    series.excluded_local_starts = [
        datetime.combine(datetime.fromisoformat(d).date(), new_time).isoformat()
        for d in series.excluded_local_starts or []
    ]
    await session.flush()


async def _end_series_at(session: AsyncSession, series: MeetingSeries, meeting: Meeting) -> int:
    """Cancel this meeting and every later one of the series, and write no more of it."""
    later = list(
        await session.scalars(
            select(Meeting).where(
                Meeting.series_id == series.id, Meeting.starts_at >= meeting.starts_at
            )
        )
    )
    for each in later:
        each.cancelled, each.detached = True, True
    series.ends_after = meeting.starts_at - timedelta(seconds=1)
    await session.flush()
    return len(later)


async def _occurrence_on(
    session: AsyncSession, series: MeetingSeries, day: date, zone: ZoneInfo
) -> int | None:
    start = local_instant(datetime.combine(day, time()), zone)
    return await session.scalar(
        select(Meeting.id)
        .where(
            Meeting.series_id == series.id,
            Meeting.starts_at >= start,
            Meeting.starts_at < start + timedelta(days=1),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
