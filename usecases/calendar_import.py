"""Importing meetings and training sessions from iCalendar (.ics) or CSV files; exporting them.

All or nothing: every event or row is read and checked first (group and course codes, times,
links, capacity against places already booked, personal data in the text) and every problem is
reported with its row or event number; only a clean file is written, in one transaction.
Re-importing updates by UID, so a file can be corrected and loaded again. A retired course
(`usecases.reference_import`) keeps its sessions, which can still be changed or cancelled, but
cannot be given a new one; a retired group (`usecases.roster_import`) likewise keeps its meetings
and series, and a new meeting, or one moved to it, is refused (`domain.retiring`).

CSV columns (header row; dates day first, times 24-hour London time): kind (meeting or session),
group (meetings), course (sessions), date, start, end, mode (online/Teams, in person, hybrid),
venue, link, agenda, capacity (sessions), cancelled (yes/no), uid, title, notes, repeat (meetings:
blank, "cadence" for the group's cadence, or an RRULE such as FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU)
and repeat_until.

iCalendar: each VEVENT names its group or course by a category (or the bot's own
X-PARTNERSHIP-GROUP / X-PARTNERSHIP-COURSE); the Teams link comes from URL, Outlook's Teams
properties or the description; the venue from LOCATION; STATUS:CANCELLED cancels; an RRULE makes
a recurring series and RECURRENCE-ID overrides change one occurrence. The description itself is
not kept (invitations are full of text nobody asked the bot to hold).

A session that people are booked or waiting on and that the import moves (new start or end),
cancels or puts back on gets a notice queued to each of them in the same transaction
(`storage.session_changes`); the counts say how many people will be told.

The import is the business team's: a person named as the actor must be an admin, and the audit
rows name them (or the system actor, for the command line run without `--by`).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.identifiers import find_identifiers
from domain.meetings import (
    DEFAULT_SERIES_HORIZON_DAYS,
    Mode,
    cadence_rrule,
    check_rrule,
    local_instant,
    normalise_rrule,
    occurrences,
    parse_mode,
)
from domain.retiring import MEETING as MEETING_HOLDER
from domain.retiring import retired_refusal
from domain.send_times import SendRules
from fileformats.bounded import FileRefused, ReadLimits, cell_problem, read_bounded, too_many_rows
from fileformats.calendar_files import CalendarEntry, IcsEvent, IcsUnreadable, read_events
from fileformats.calendar_files import render_calendar as _render
from fileformats.tabular import ImportErrors, ImportFailed, Row, RowError, read_csv
from storage.meetings import SeriesPlan, default_uid, save_series
from storage.models import Booking, Course, CourseSession, Group, Meeting, MeetingSeries
from storage.session_changes import SessionChange
from usecases.context import Actor, UnitOfWork, audit
from usecases.people import require_business_team
from usecases.session_changes import SessionPlan, rewrite_session, tell_people

MEETING, SESSION = "meeting", "session"
_TIME = re.compile(r"^(?P<h>\d{1,2})[:.](?P<m>\d{2})\s*(?P<ampm>am|pm)?$", re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$")
MINIMUM_LENGTH = timedelta(minutes=1)
_LIMITS = {
    "title": 300,
    "venue": 300,
    "notes": 500,
    "link": 2000,
    "agenda": 2000,
    "uid": 255,
    "rrule": 500,
}


@dataclass(frozen=True)
class ImportOptions:
    zone: ZoneInfo
    now: datetime
    allowed_email_domains: tuple[str, ...] = ()
    not_personal_data: bool = False
    # When change notices may go out (quiet hours, working days); None: the defaults in `zone`.
    send: SendRules | None = None
    # How much of a file the import reads (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS).
    limits: ReadLimits = field(default_factory=ReadLimits)
    # How the person confirms text screening flagged is not personal data.
    confirm_hint: str = "import again with --not-personal-data"

    @property
    def send_rules(self) -> SendRules:
        return self.send or SendRules(self.zone)


Written = Literal["added", "updated", "unchanged"]
ADDED: Written = "added"
UPDATED: Written = "updated"
UNCHANGED: Written = "unchanged"


@dataclass
class ImportCounts:
    meetings_added: int = 0
    meetings_updated: int = 0
    meetings_unchanged: int = 0
    series: int = 0
    occurrences_changed: int = 0
    sessions_added: int = 0
    sessions_updated: int = 0
    sessions_unchanged: int = 0
    sessions_moved: int = 0
    sessions_cancelled: int = 0
    sessions_reinstated: int = 0
    people_to_tell: int = 0

    def __str__(self) -> str:
        people = "person" if self.people_to_tell == 1 else "people"
        return (
            f"{self.meetings_added} meetings added, {self.meetings_updated} updated, "
            f"{self.meetings_unchanged} unchanged, "
            f"{self.series} recurring series ({self.occurrences_changed} occurrences changed), "
            f"{self.sessions_added} sessions added, {self.sessions_updated} updated, "
            f"{self.sessions_unchanged} unchanged "
            f"({self.sessions_moved} moved, {self.sessions_cancelled} cancelled, "
            f"{self.sessions_reinstated} back on); {self.people_to_tell} {people} booked or "
            "waiting will be told"
        )


@dataclass
class _Item:
    """One meeting, series, occurrence override or session, read and checked but not written
    (also what the desk's form is read into, `check_one`)."""

    where: Row
    kind: str = ""
    codes: list[str] = field(default_factory=list)
    code: str = ""
    uid: str = ""
    title: str = ""
    local_start: datetime | None = None  # wall-clock time in `zone`
    local_end: datetime | None = None
    zone: ZoneInfo | None = None
    mode: Mode | None = None
    venue: str = ""
    link: str = ""
    agenda: str = ""
    notes: str = ""
    capacity: int | None = None
    cancelled: bool = False
    rrule: str = ""
    use_cadence: bool = False
    repeat_until: date | None = None
    exdates: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None

    @property
    def starts_at(self) -> datetime:
        assert self.local_start is not None and self.zone is not None
        return local_instant(self.local_start, self.zone)

    @property
    def ends_at(self) -> datetime:
        assert self.local_end is not None and self.zone is not None
        return local_instant(self.local_end, self.zone)


# -- reading CSV -------------------------------------------------------------------------------


def _clock(errors: ImportErrors, row: Row, name: str) -> time | None:
    value = errors.required(row, name)
    if not value:
        return None
    match = _TIME.match(value)
    hour = int(match["h"]) if match else -1
    if match and match["ampm"]:
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    if not match or not 0 <= hour <= 23 or int(match["m"]) > 59:
        errors.add(row, name, f"{value!r} is not a time (use 24-hour 09:30 or 2:00pm)")
        return None
    return time(hour, int(match["m"]))


def _item_from_row(row: Row, errors: ImportErrors, zone: ZoneInfo) -> _Item:
    kind = row.get("kind").lower() or (SESSION if row.get("course") else MEETING)
    item = _Item(where=row, kind=kind, zone=zone)
    if kind not in (MEETING, SESSION):
        errors.add(row, "kind", f"must be meeting or session, not {kind!r}")
    code_column = "group" if kind == MEETING else "course"
    item.code = errors.required(row, code_column).upper()
    day = errors.british_date(row, "date", required=True)
    start, end = _clock(errors, row, "start"), _clock(errors, row, "end")
    if day and start and end:
        item.local_start = datetime.combine(day, start)
        item.local_end = datetime.combine(day, end)
        if end <= start:
            errors.add(row, "end", "must be after the start")
    mode_text = row.get("mode")
    item.mode = parse_mode(mode_text) if mode_text else None
    if mode_text and (item.mode is None or item.mode == Mode.E_LEARNING):
        errors.add(row, "mode", f"{mode_text!r} is not online, in person or hybrid")
    item.venue, item.link, item.agenda = row.get("venue"), row.get("link"), row.get("agenda")
    item.title, item.notes, item.uid = row.get("title"), row.get("notes"), row.get("uid")
    item.cancelled = errors.yes_no(row, "cancelled")
    item.capacity = _capacity(errors, row, row.get("capacity"))
    _repeat_from_row(item, row, errors)
    return item


def _capacity(errors: ImportErrors, row: Row, value: str, name: str = "capacity") -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        errors.add(row, name, f"{value!r} is not a number of places (1 or more)")
        return None
    return int(value)


def _repeat_from_row(item: _Item, row: Row, errors: ImportErrors) -> None:
    repeat = row.get("repeat")
    item.repeat_until = errors.british_date(row, "repeat_until")
    if not repeat:
        return
    if item.kind == SESSION:
        errors.add(row, "repeat", "sessions are imported one by one; leave repeat empty")
    elif repeat.lower() == "cadence":
        item.use_cadence = True
    else:
        problem = check_rrule(repeat)
        if problem:
            errors.add(row, "repeat", f"{repeat!r} {problem}")
        item.rrule = normalise_rrule(repeat)


# -- reading iCalendar -------------------------------------------------------------------------


def _ics_row(path: Path, event: IcsEvent) -> Row:
    label = f"{path.name} event {event.number}"
    if event.uid and cell_problem(event.uid) is None:
        label += f" (UID {event.uid[:60]})"
    return Row(label, 0, {})


def _wall_clock(moment: datetime | date | None, zone: ZoneInfo) -> tuple[datetime | None, ZoneInfo]:
    """A DTSTART as wall-clock time, and the zone it is in (floating times are ours)."""
    if not isinstance(moment, datetime):
        return None, zone
    if moment.tzinfo is None:
        return moment, zone
    own = moment.tzinfo if isinstance(moment.tzinfo, ZoneInfo) else zone
    return moment.astimezone(own).replace(tzinfo=None), own


def _item_from_event(path: Path, event: IcsEvent, errors: ImportErrors, zone: ZoneInfo) -> _Item:
    row = _ics_row(path, event)
    item = _Item(where=row, uid=event.uid, title=event.summary, venue=event.location)
    item.link, item.agenda = event.url, event.agenda_url
    item.kind = event.kind if event.kind in (MEETING, SESSION) else ""
    item.codes = [c.upper() for c in (event.group, event.course, *event.categories) if c]
    item.cancelled = event.status == "CANCELLED"
    if not event.uid:
        errors.add(row, "UID", "is missing (every event needs one)")
    if isinstance(event.start, date) and not isinstance(event.start, datetime):
        errors.add(row, "DTSTART", "is a whole day; meetings and sessions need a start time")
    elif event.start is None:
        errors.add(row, "DTSTART", "is missing")
    item.local_start, item.zone = _wall_clock(event.start, zone)
    if item.local_start is not None:
        item.local_end = _event_end(row, event, item, errors)
    if event.mode:
        item.mode = parse_mode(event.mode)
        if item.mode is None:
            errors.add(row, "X-PARTNERSHIP-MODE", f"{event.mode!r} is not a mode")
    item.capacity = _capacity(errors, row, event.capacity, "X-PARTNERSHIP-CAPACITY")
    if event.rrule:
        problem = check_rrule(event.rrule)
        if problem:
            errors.add(row, "RRULE", problem)
        item.rrule = normalise_rrule(event.rrule)
        assert item.zone is not None
        item.exdates = tuple(
            w for w in (_wall_clock(d, item.zone)[0] for d in event.exdates) if w is not None
        )
    if isinstance(event.recurrence_id, datetime):
        recurrence, own = _wall_clock(event.recurrence_id, item.zone or zone)
        item.recurrence_id = local_instant(recurrence, own) if recurrence else None
    return item


def _event_end(row: Row, event: IcsEvent, item: _Item, errors: ImportErrors) -> datetime | None:
    assert item.local_start is not None and item.zone is not None
    if isinstance(event.end, datetime):
        end, _own = _wall_clock(event.end, item.zone)
    elif event.duration is not None:
        end = item.local_start + event.duration
    else:
        errors.add(row, "DTEND", "is missing (give DTEND or DURATION)")
        return None
    if end is not None and end <= item.local_start:
        errors.add(row, "DTEND", "must be after DTSTART")
    return end


def read_items(
    path: Path, zone: ZoneInfo, errors: ImportErrors, limits: ReadLimits | None = None
) -> list[_Item]:
    """The file's meetings and sessions, read but not yet checked against the database."""
    limits = limits or ReadLimits()
    if not path.exists():
        raise ImportFailed([RowError(path.name, 0, "", "file not found")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = read_csv(path, path.name, limits=limits)
        return [_item_from_row(row, errors, zone) for row in rows]
    if suffix in (".ics", ".ical", ".ifb", ".icalendar"):
        try:
            events = read_events(read_bounded(path, limits))
            if len(events) > limits.max_rows:
                raise too_many_rows(limits, "events")
        except (IcsUnreadable, FileRefused) as problem:
            raise ImportFailed([RowError(path.name, 0, "", str(problem))]) from None
        return [_item_from_event(path, event, errors, zone) for event in events]
    raise ImportFailed([RowError(path.name, 0, "", "only .ics and .csv files can be imported")])


# -- checking against the database -----------------------------------------------------------


@dataclass
class _Known:
    groups: dict[str, Group]
    courses: dict[str, Course]
    series_uids: set[str]
    # Sessions already held by retired courses: they may still be changed or cancelled.
    retired_session_uids: set[str] = field(default_factory=set)
    # The group of each meeting and series by UID, read only when some group is retired: a
    # retired group's own may still be changed or cancelled.
    meeting_groups: dict[str, int] = field(default_factory=dict[str, int])


def _resolve_kind(item: _Item, known: _Known, errors: ImportErrors) -> None:
    """Which group or course an iCalendar event belongs to (CSV rows say so themselves)."""
    if item.code:
        return
    groups = [c for c in item.codes if c in known.groups]
    courses = [c for c in item.codes if c in known.courses]
    if item.kind == MEETING:
        courses = []
    elif item.kind == SESSION:
        groups = []
    if len(set(groups)) + len(set(courses)) != 1:
        errors.add(
            item.where,
            "CATEGORIES",
            "name exactly one group or course code as a category, for example EXEC or T1"
            if not groups and not courses
            else "names more than one group or course; keep one",
        )
        return
    item.kind = MEETING if groups else SESSION
    item.code = (groups or courses)[0]


def _check_item(item: _Item, known: _Known, errors: ImportErrors, options: ImportOptions) -> None:
    row = item.where
    if item.kind == MEETING and item.code and item.code not in known.groups:
        errors.add(row, "group", f"{item.code!r} is not a known group code")
    if item.kind == SESSION and item.code and item.code not in known.courses:
        errors.add(row, "course", f"{item.code!r} is not a known course code")
    course = known.courses.get(item.code) if item.kind == SESSION else None
    if course is not None and not course.active and item.uid not in known.retired_session_uids:
        errors.add(
            row,
            "course",
            f"{item.code} is retired: its sessions stay, but it cannot have new ones",
        )
    _refuse_retired_group(item, known, errors)
    if item.kind == SESSION and item.recurrence_id is not None:
        errors.add(row, "RECURRENCE-ID", "sessions do not repeat; import each one as its own event")
    if item.kind == SESSION and item.rrule:
        errors.add(row, "RRULE", "sessions do not repeat; import each one as its own event")
    for name, value in (
        ("title", item.title),
        ("venue", item.venue),
        ("notes", item.notes),
        ("link", item.link),
        ("agenda", item.agenda),
        ("uid", item.uid),
    ):
        problem = cell_problem(value)
        if problem:
            errors.add(row, name, problem)
            continue  # nothing more is said about text that is not text, nor is it repeated
        if len(value) > _LIMITS[name]:
            errors.add(row, name, f"is longer than {_LIMITS[name]} characters")
        if name in ("link", "agenda") and value and not _URL.match(value):
            errors.add(row, name, f"{value[:80]!r} is not a web address (https://...)")
    if len(item.rrule) > _LIMITS["rrule"]:
        field_name = "repeat" if item.where.number else "RRULE"
        errors.add(row, field_name, f"is longer than {_LIMITS['rrule']} characters")
    _check_length(item, errors)
    _screen(item, errors, options)
    if item.recurrence_id is not None and item.uid not in known.series_uids:
        errors.add(row, "RECURRENCE-ID", "changes an occurrence of a series that is not known")


def _refuse_retired_group(item: _Item, known: _Known, errors: ImportErrors) -> None:
    """A retired group keeps its meetings and series, and gets no new one nor one moved to it."""
    group = known.groups.get(item.code) if item.kind == MEETING else None
    if group is None:
        return
    held_by = known.meeting_groups.get(item.uid)
    refusal = retired_refusal(
        item.code,
        active=group.active,
        kept=held_by == group.id,
        holder=MEETING_HOLDER,
        new=held_by is None,
    )
    if refusal:
        errors.add(item.where, "group", refusal)


async def _check_expansion(item: _Item, errors: ImportErrors, options: ImportOptions) -> None:
    """A series' rule expands into dates as it will when written: a rule can pass every check
    and still fail partway through (a weekday no month has). Expanded in a worker thread, as the
    write does, so the event loop is never held up."""
    if not item.rrule or item.recurrence_id is not None or check_rrule(item.rrule) is not None:
        return
    if item.local_start is None or item.local_end is None or item.zone is None:
        return
    expand = partial(
        occurrences,
        item.rrule,
        item.local_start,
        item.local_end - item.local_start,
        item.zone,
        until=options.now + timedelta(days=DEFAULT_SERIES_HORIZON_DAYS),
        excluded_local_starts=frozenset(item.exdates),
    )
    try:
        await asyncio.to_thread(expand)
    except ValueError:
        field_name = "repeat" if item.where.number else "RRULE"
        errors.add(item.where, field_name, "cannot be expanded into dates; check its BY parts")


def _check_length(item: _Item, errors: ImportErrors) -> None:
    """An end at least a minute after the start, as instants: a meeting's wall-clock times can be
    in order and still end before they start when the clocks go forward between them (01:30 to
    02:10 on the last Sunday of March ends at 01:10 UTC), and a series keeps whole minutes."""
    if item.local_start is None or item.local_end is None or item.zone is None:
        return
    if item.local_end <= item.local_start:
        return  # already reported: the end must be after the start
    if item.ends_at - item.starts_at >= MINIMUM_LENGTH:
        return
    field_name = "end" if item.where.number else "DTEND"
    if item.local_end - item.local_start >= MINIMUM_LENGTH:
        errors.add(
            item.where,
            field_name,
            "ends before it starts: the clocks go forward an hour between the start and the "
            "end; give the times as they are after the change",
        )
    else:
        errors.add(item.where, field_name, "must be at least a minute after the start")


def _screen(item: _Item, errors: ImportErrors, options: ImportOptions) -> None:
    """Business data only: text that looks like personal data is refused unless confirmed."""
    for name in ("title", "venue", "notes"):
        findings = find_identifiers(getattr(item, name), options.allowed_email_domains)
        if findings and not options.not_personal_data:
            kinds = ", ".join(sorted({f.kind.replace("_", " ") for f in findings}))
            errors.add(
                item.where,
                name,
                f"looks like it holds personal data ({kinds}); the bot keeps business data only. "
                f"Remove it, or {options.confirm_hint} if it is not personal data",
            )


def _fill_defaults(item: _Item, known: _Known, errors: ImportErrors) -> None:
    if item.kind == SESSION and item.code in known.courses:
        course = known.courses[item.code]
        if course.mode == Mode.E_LEARNING.value:
            errors.add(item.where, "course", f"{item.code} is e-learning and has no sessions")
            return
        item.mode = item.mode or Mode(course.mode)
        item.venue = item.venue or course.venue
        item.link = item.link or course.online_url
        item.capacity = item.capacity or course.capacity
    if item.mode is None:
        item.mode = _mode_from_places(item.venue, item.link)
    if item.kind == MEETING and item.code in known.groups and item.use_cadence:
        assert item.local_start is not None
        rule = cadence_rrule(known.groups[item.code].cadence, item.local_start.date())
        if rule is None:
            errors.add(
                item.where,
                "repeat",
                f"{item.code}'s cadence ({known.groups[item.code].cadence or 'none'}) does not "
                "repeat; give a rule such as FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU",
            )
        item.rrule = rule or ""
    if not item.uid and item.local_start is not None and item.code:
        prefix = "series" if item.rrule else item.kind
        item.uid = default_uid(prefix, item.code, item.starts_at)


def _mode_from_places(venue: str, link: str) -> Mode:
    if venue and link:
        return Mode.HYBRID
    return Mode.IN_PERSON if venue else Mode.ONLINE


def _check_duplicates(items: list[_Item], errors: ImportErrors) -> None:
    seen: set[tuple[str, datetime | None]] = set()
    for item in items:
        key = (item.uid, item.recurrence_id)
        if item.uid and key in seen:
            errors.add(item.where, "uid", "appears twice in this file; each event needs its own")
        seen.add(key)


async def _check_capacity(session: AsyncSession, item: _Item, errors: ImportErrors) -> None:
    if item.kind != SESSION or item.capacity is None:
        return
    booked = await session.scalar(
        select(func.count())
        .select_from(Booking)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .where(CourseSession.uid == item.uid, Booking.status.in_(("booked", "attended")))
    )
    if booked and booked > item.capacity:
        errors.add(
            item.where,
            "capacity",
            f"{item.capacity} is fewer than the {booked} people already booked",
        )


async def _known(session: AsyncSession, items: list[_Item]) -> _Known:
    groups = {g.code.upper(): g for g in await session.scalars(select(Group))}
    return _Known(
        groups=groups,
        courses={c.code.upper(): c for c in await session.scalars(select(Course))},
        series_uids=set(await session.scalars(select(MeetingSeries.uid)))
        | {i.uid for i in items if i.rrule},
        retired_session_uids=set(
            await session.scalars(
                select(CourseSession.uid).join(Course).where(Course.active.is_(False))
            )
        ),
        meeting_groups=await _meeting_groups(session)
        if not all(g.active for g in groups.values())
        else {},
    )


async def _meeting_groups(session: AsyncSession) -> dict[str, int]:
    """The group of every meeting and series, by UID."""
    found: dict[str, int] = {}
    for model in (Meeting, MeetingSeries):
        found.update(
            (uid, group_id)
            for uid, group_id in await session.execute(select(model.uid, model.group_id))
        )
    return found


async def _check_all(
    session: AsyncSession,
    items: list[_Item],
    known: _Known,
    errors: ImportErrors,
    options: ImportOptions,
) -> None:
    for item in items:
        _resolve_kind(item, known, errors)
        _fill_defaults(item, known, errors)
        _check_item(item, known, errors, options)
        await _check_expansion(item, errors, options)
        await _check_capacity(session, item, errors)
    _check_duplicates(items, errors)


CalendarItem = _Item


async def check_one(
    session: AsyncSession, item: CalendarItem, options: ImportOptions
) -> tuple[list[RowError], Group | Course | None]:
    """Every check the import applies to one meeting or session (the desk's form), in the
    caller's transaction: the problems found, and the group or course the item names."""
    errors = ImportErrors()
    start, end = item.local_start, item.local_end
    if start is not None and end is not None and end <= start:
        errors.add(item.where, "end", "must be after the start")
    known = await _known(session, [item])
    await _check_all(session, [item], known, errors, options)
    owner = (known.groups if item.kind == MEETING else known.courses).get(item.code)
    return errors.errors, owner


# -- writing ------------------------------------------------------------------------------------


async def import_calendar(
    actor: Actor, path: Path, work: UnitOfWork, options: ImportOptions
) -> ImportCounts:
    """Import a .ics or .csv file of meetings and sessions, all or nothing, audited as the
    actor's; raises `ImportFailed` with every problem, or `NotPermitted` for a person who is not
    on the business team."""
    require_business_team(actor, "import meetings and sessions")
    errors = ImportErrors()
    items = read_items(path, options.zone, errors, options.limits)
    if not items and not errors.errors:
        errors.add(None, "", "the file has no meetings or sessions", sheet=path.name)
    async with work.write() as session:
        known = await _known(session, items)
        await _check_all(session, items, known, errors, options)
        errors.raise_if_any()
        counts, changes = await _write(session, items, known, options)
        await _tell_people_on_changed_sessions(session, changes, counts, options)
        _audit_import(session, actor, items, counts, options, path)
    return counts


async def _write(
    session: AsyncSession, items: list[_Item], known: _Known, options: ImportOptions
) -> tuple[ImportCounts, list[SessionChange]]:
    counts = ImportCounts()
    changes: list[SessionChange] = []
    through = options.now + timedelta(days=DEFAULT_SERIES_HORIZON_DAYS)
    masters = [i for i in items if i.rrule and i.recurrence_id is None]
    overrides = [i for i in items if i.recurrence_id is not None]
    for item in masters:
        await _write_series(session, item, known, through)
        counts.series += 1
    for item in items:
        if item in masters or item in overrides:
            continue
        if item.kind == MEETING:
            written = await _write_meeting(session, item, known)
            counts.meetings_added += written == ADDED
            counts.meetings_updated += written == UPDATED
            counts.meetings_unchanged += written == UNCHANGED
        else:
            rewritten = await rewrite_session(
                session, session_plan(item, known.courses[item.code].id)
            )
            if rewritten.change is None:
                counts.sessions_added += 1
                continue
            changes.append(rewritten.change)
            if session.is_modified(rewritten.row):
                counts.sessions_updated += 1
            else:
                counts.sessions_unchanged += 1
    for item in overrides:
        await _write_override(session, item)
        counts.occurrences_changed += 1
    await session.flush()
    return counts, changes


async def _write_series(
    session: AsyncSession, item: _Item, known: _Known, through: datetime
) -> None:
    assert item.local_start is not None and item.local_end is not None and item.zone
    ends_after = None
    if item.repeat_until is not None:
        ends_after = local_instant(datetime.combine(item.repeat_until, time(23, 59)), item.zone)
    await save_series(
        session,
        SeriesPlan(
            uid=item.uid,
            group_id=known.groups[item.code].id,
            rrule=item.rrule,
            first_local_start=item.local_start,
            duration=item.local_end - item.local_start,
            timezone=item.zone.key,
            mode=item.mode or Mode.ONLINE,
            title=item.title,
            venue=item.venue,
            online_url=item.link,
            agenda_url=item.agenda,
            ends_after=ends_after,
            excluded_local_starts=item.exdates,
        ),
        through,
    )


def _apply(meeting: Meeting, item: _Item) -> None:
    meeting.title = item.title
    meeting.starts_at, meeting.ends_at = item.starts_at, item.ends_at
    meeting.mode = (item.mode or Mode.ONLINE).value
    meeting.venue, meeting.online_url, meeting.agenda_url = item.venue, item.link, item.agenda
    meeting.notes = item.notes
    meeting.cancelled = item.cancelled


async def _write_meeting(session: AsyncSession, item: _Item, known: _Known) -> Written:
    meeting = await session.scalar(select(Meeting).where(Meeting.uid == item.uid))
    written: Written = UPDATED
    if meeting is None:
        meeting, written = Meeting(uid=item.uid), ADDED
        session.add(meeting)
    meeting.group_id = known.groups[item.code].id
    _apply(meeting, item)
    # A value set to what it was is no change to the session (SQLAlchemy compares them).
    if written == UPDATED and not session.is_modified(meeting):
        written = UNCHANGED
    return written


async def _write_override(session: AsyncSession, item: _Item) -> None:
    series = await session.scalar(select(MeetingSeries).where(MeetingSeries.uid == item.uid))
    assert series is not None and item.recurrence_id is not None
    meeting = await session.scalar(
        select(Meeting).where(
            Meeting.series_id == series.id, Meeting.recurrence_start == item.recurrence_id
        )
    )
    if meeting is None:
        stamp = item.recurrence_id.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        meeting = Meeting(
            uid=f"series-{series.id}-{stamp}",
            series_id=series.id,
            recurrence_start=item.recurrence_id,
            group_id=series.group_id,
        )
        session.add(meeting)
    _apply(meeting, item)
    meeting.detached = True


def session_plan(item: _Item, course_id: int) -> SessionPlan:
    """The session an item, read and checked, describes."""
    return SessionPlan(
        uid=item.uid,
        course_id=course_id,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        mode=item.mode or Mode.ONLINE,
        venue=item.venue,
        online_url=item.link,
        capacity=item.capacity,
        cancelled=item.cancelled,
    )


async def _tell_people_on_changed_sessions(
    session: AsyncSession,
    changes: list[SessionChange],
    counts: ImportCounts,
    options: ImportOptions,
) -> None:
    told = await tell_people(session, changes, options.now, options.send_rules)
    counts.sessions_moved += told.moved
    counts.sessions_cancelled += told.cancelled
    counts.sessions_reinstated += told.reinstated
    counts.people_to_tell = told.people


def _audit_import(
    session: AsyncSession,
    actor: Actor,
    items: list[_Item],
    counts: ImportCounts,
    options: ImportOptions,
    path: Path,
) -> None:
    audit(
        session,
        actor,
        entity="calendar",
        entity_id="import",
        event="imported",
        changes={"summary": (None, str(counts))},
    )
    if options.not_personal_data:
        flagged = sum(
            1
            for item in items
            for name in ("title", "venue", "notes")
            if find_identifiers(getattr(item, name), options.allowed_email_domains)
        )
        if flagged:
            audit(
                session,
                actor,
                entity="calendar",
                entity_id="import",
                event="confirmed_not_personal",
                changes={"fields_flagged": (None, flagged), "file": (None, path.name)},
            )


# -- exporting ---------------------------------------------------------------------------------


def _meeting_entry(meeting: Meeting, **extra: Any) -> CalendarEntry:
    return CalendarEntry(
        uid=meeting.uid,
        summary=meeting.title or meeting.group.name,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        kind=MEETING,
        code=meeting.group.code,
        mode=meeting.mode,
        location=meeting.venue,
        url=meeting.online_url,
        agenda_url=meeting.agenda_url,
        cancelled=meeting.cancelled,
        **extra,
    )


def _series_entries(series: MeetingSeries, occurrences: list[Meeting]) -> list[CalendarEntry]:
    zone = ZoneInfo(series.timezone)
    first_start = local_instant(series.first_local_start, zone)
    rule = series.rrule
    if series.ends_after is not None and "UNTIL=" not in rule and "COUNT=" not in rule:
        rule += ";UNTIL=" + series.ends_after.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    master = CalendarEntry(
        uid=series.uid,
        summary=series.title or series.group.name,
        starts_at=first_start,
        ends_at=first_start + timedelta(minutes=series.duration_minutes),
        kind=MEETING,
        code=series.group.code,
        mode=series.mode,
        location=series.venue,
        url=series.online_url,
        agenda_url=series.agenda_url,
        rrule=rule,
        exdates=tuple(
            local_instant(datetime.fromisoformat(d), zone) for d in series.excluded_local_starts
        ),
    )
    overrides = [
        _meeting_entry(m, recurrence_id=m.recurrence_start)
        for m in occurrences
        if m.detached or m.cancelled
    ]
    # An override keeps the series' UID: that is how calendars tie it to its series.
    return [master] + [_with_uid(o, series.uid) for o in overrides]


def _with_uid(entry: CalendarEntry, uid: str) -> CalendarEntry:
    return replace(entry, uid=uid)


def session_entry(row: CourseSession) -> CalendarEntry:
    return CalendarEntry(
        uid=row.uid,
        summary=row.course.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        kind=SESSION,
        code=row.course.code,
        mode=row.mode,
        location=row.venue,
        url=row.online_url,
        cancelled=row.cancelled,
        capacity=row.capacity,
    )


def meeting_entry(meeting: Meeting) -> CalendarEntry:
    return _meeting_entry(meeting)


async def export_calendar(
    session: AsyncSession, zone: ZoneInfo, now: datetime, since: datetime | None = None
) -> bytes:
    """Every meeting (series with their overrides) and session, as one iCalendar file."""
    meeting_query = select(Meeting).order_by(Meeting.starts_at)
    session_query = select(CourseSession).order_by(CourseSession.starts_at)
    if since is not None:
        meeting_query = meeting_query.where(Meeting.ends_at >= since)
        session_query = session_query.where(CourseSession.ends_at >= since)
    meetings = list(await session.scalars(meeting_query))
    entries = [_meeting_entry(m) for m in meetings if m.series_id is None]
    by_series: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        if meeting.series_id is not None:
            by_series.setdefault(meeting.series_id, []).append(meeting)
    for series in await session.scalars(select(MeetingSeries).order_by(MeetingSeries.id)):
        entries.extend(_series_entries(series, by_series.get(series.id, [])))
    entries.extend(session_entry(row) for row in await session.scalars(session_query))
    return _render(entries, zone, now, name="Partnership meetings and training")
