"""Meetings: one meeting as the asker may see it, the questions people ask ("when is the next
Executive?", "what's on next week?", "my meetings"), and the signed "Add to calendar" links and
the calendar file behind them.

Every meeting is visible to everyone on the roster: when and how a group meets is no secret. The
way in (the join link, the papers, "Add to calendar") is for the group's members, the business
team and the scrutineer (`domain.meetings.sees_meeting_links`). A question is read by
`domain.when` in the front door; the answer here is one meeting, one course (the front door opens
it with `usecases.training.open_course`), a list by date, or nothing found with what comes next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from cards.data import MAX_ROW_ID
from config import Settings
from domain.links import calendar_link, calendar_link_expiry
from domain.meetings import MeetingFacts, Mode, local_instant, sees_meeting_links
from domain.permissions import Viewer
from domain.send_times import local_date
from domain.training import BookingStatus, SessionFacts
from domain.when import Candidate, Period, Question, Wanted, default_period, match_subjects
from domain.wording import shortened
from fileformats.calendar_files import CalendarEntry, render_calendar
from storage import meetings, people, training
from storage.models import Person
from usecases.calendar_import import meeting_entry, session_entry
from usecases.context import Refusal, UnitOfWork

log = logging.getLogger(__name__)

MEETING_LINK, SESSION_LINK = "meeting", "session"
# How far past the asked period "nothing found" looks for what comes next.
FOLLOWING_DAYS = 365
# A name asked for is quoted back in "Nothing found" cut to this (it may be 20,000 letters).
ASKED_NAME_SHOWN_CHARS = 80


# -- calendar links -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarLinks:
    """Signs "Add to calendar" links: an expiring token naming one meeting or session and the
    person it is given to (`domain.links`)."""

    public_url: str
    secret: bytes

    @classmethod
    def of(cls, settings: Settings) -> CalendarLinks:
        return cls(settings.public_url, settings.link_secret.encode())

    def url(
        self, kind: str, ident: int, *, person_id: int, now: datetime, ends_at: datetime
    ) -> str:
        expires = calendar_link_expiry(now, ends_at)
        return calendar_link(self.public_url, self.secret, kind, ident, person_id, expires)


@dataclass(frozen=True)
class CalendarRequest:
    """What a signed link names: one meeting or session, and the person it was given to."""

    kind: str
    ident: int
    person_id: int


async def calendar_file(
    request: CalendarRequest,
    work: UnitOfWork,
    *,
    now: datetime,
    zone: ZoneInfo,
    admin_emails: tuple[str, ...] = (),
) -> bytes | Refusal:
    """The one-event calendar file a signed link names, while the person it was given to may
    still see the item: NOT_FOUND when it names nothing (any more), NOT_ALLOWED when that person
    has left the roster, or the group (a meeting), or the course was withdrawn (a session).

    The link was signed for someone who could see the item then; the signature proves only that.
    """
    # PostgreSQL refuses to compare an integer column with an id past MAX_ROW_ID.
    if request.ident > MAX_ROW_ID:
        return Refusal.NOT_FOUND
    async with work.read() as session:
        entry = await _linked_entry(session, request)
        if entry is None:
            return Refusal.NOT_FOUND
        item, visible_to = entry
        if request.person_id > MAX_ROW_ID:
            return Refusal.NOT_ALLOWED
        person = await session.get(Person, request.person_id)
        if person is None or not person.active:
            return Refusal.NOT_ALLOWED
        viewer = await people.viewer_for(session, person, admin_emails)
        if not visible_to(viewer):
            return Refusal.NOT_ALLOWED
    return render_calendar([item], zone, now)


async def _linked_entry(
    session: AsyncSession, request: CalendarRequest
) -> tuple[CalendarEntry, Callable[[Viewer], bool]] | None:
    """The item a link names, and who may still have its calendar file."""
    if request.kind == MEETING_LINK:
        meeting = await meetings.meeting_row(session, request.ident)
        if meeting is None:
            return None
        group_id = meeting.group_id

        def may_see_meeting(viewer: Viewer) -> bool:
            return sees_meeting_links(
                group_id=group_id,
                member_of=viewer.group_ids,
                is_admin=viewer.is_admin,
                is_scrutineer=viewer.is_scrutineer,
            )

        return meeting_entry(meeting), may_see_meeting
    if request.kind == SESSION_LINK:
        row = await training.session_row(session, request.ident)
        if row is None:
            return None
        course_active = row.course.active

        def may_see_session(viewer: Viewer) -> bool:
            # As the course card lists it (`usecases.training`): withdrawn courses only to admins.
            return course_active or viewer.is_admin

        return session_entry(row), may_see_session
    return None


# -- one meeting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingDetail:
    """A meeting as this person sees it: the way in only when `sees_links`."""

    meeting: MeetingFacts
    sees_links: bool
    calendar_url: str = ""


def meeting_detail(
    viewer: Viewer, meeting: MeetingFacts, *, now: datetime, links: CalendarLinks
) -> MeetingDetail:
    sees = sees_meeting_links(
        group_id=meeting.group_id,
        member_of=viewer.group_ids,
        is_admin=viewer.is_admin,
        is_scrutineer=viewer.is_scrutineer,
    )
    url = (
        links.url(
            MEETING_LINK,
            meeting.id,
            person_id=viewer.person_id,
            now=now,
            ends_at=meeting.ends_at,
        )
        if sees and not meeting.cancelled
        else ""
    )
    return MeetingDetail(meeting, sees, url)


@dataclass(frozen=True)
class MeetingRequest:
    meeting_id: int


async def open_meeting(
    viewer: Viewer,
    request: MeetingRequest,
    work: UnitOfWork,
    *,
    now: datetime,
    links: CalendarLinks,
) -> MeetingDetail | None:
    """The meeting a card names; None when it is no longer listed."""
    async with work.read() as session:
        meeting = await meetings.meeting_by_id(session, request.meeting_id)
    return None if meeting is None else meeting_detail(viewer, meeting, now=now, links=links)


# -- "what's on" ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingEntry:
    """A meeting on a "what's on" list."""

    meeting: MeetingFacts

    @property
    def starts_at(self) -> datetime:
        return self.meeting.starts_at

    @property
    def title(self) -> str:
        return self.meeting.title

    @property
    def mode(self) -> Mode:
        return self.meeting.mode

    @property
    def cancelled(self) -> bool:
        return self.meeting.cancelled


@dataclass(frozen=True)
class SessionEntry:
    """A training session on a "what's on" list, with the asker's place on it if any."""

    session: SessionFacts
    status: BookingStatus | None = None
    position: int | None = None

    @property
    def starts_at(self) -> datetime:
        return self.session.starts_at

    @property
    def title(self) -> str:
        return self.session.course_title

    @property
    def mode(self) -> Mode:
        return self.session.mode

    @property
    def cancelled(self) -> bool:
        return self.session.cancelled


DiaryEntry = MeetingEntry | SessionEntry


@dataclass(frozen=True)
class NothingFound:
    """Nothing to show; `sentence` says why, `following` is what comes next, if anything."""

    sentence: str
    wanted: Wanted = Wanted.ANYTHING
    following: DiaryEntry | None = None


@dataclass(frozen=True)
class MeetingAnswer:
    detail: MeetingDetail


@dataclass(frozen=True)
class CourseAnswer:
    """One course answers the question; the front door opens it (`usecases.training`). When the
    question named a period ("... in march"), `session` is the one session of it then and
    `period_label` says when ("March 2027"), so the card can point at it."""

    course_id: int
    session: SessionFacts | None = None
    period_label: str = ""


@dataclass(frozen=True)
class Listing:
    """Meetings and sessions by date, under a title ("Coming up for you") and what was asked."""

    title: str
    subtitle: str
    entries: tuple[DiaryEntry, ...]


Answer = NothingFound | MeetingAnswer | CourseAnswer | Listing


@dataclass(frozen=True)
class _Search:
    """What to look for: kinds, groups and courses, whose, how."""

    wanted: Wanted
    mine: bool
    group_ids: frozenset[int] | None
    course_ids: frozenset[int] | None
    mode: Mode | None


@dataclass(frozen=True)
class _Asking:
    """Who asks, when, and how to show it: what every step of an answer needs."""

    viewer: Viewer
    session: AsyncSession
    now: datetime
    zone: ZoneInfo
    links: CalendarLinks

    @property
    def today(self) -> date:
        return local_date(self.now, self.zone)

    def midnight(self, day: date) -> datetime:
        return local_instant(datetime.combine(day, time()), self.zone)


async def answer_question(
    viewer: Viewer,
    question: Question,
    work: UnitOfWork,
    *,
    now: datetime,
    zone: ZoneInfo,
    links: CalendarLinks,
) -> Answer:
    """Any question about meetings or training, read by `domain.when.parse_question`."""
    if question.problem:
        return NothingFound(question.problem)
    async with work.read() as session:
        return await _answer(_Asking(viewer, session, now, zone, links), question)


async def _answer(asking: _Asking, question: Question) -> Answer:
    groups = await meetings.group_candidates(asking.session)
    courses = await training.course_candidates(asking.session)
    candidates = (groups if question.wanted != Wanted.TRAINING else []) + (
        courses if question.wanted != Wanted.MEETINGS else []
    )
    matched, _unmatched = match_subjects(question.subject, candidates)
    if question.subject and not matched:
        words = shortened(" ".join(question.subject), ASKED_NAME_SHOWN_CHARS)
        return NothingFound(
            f'I couldn\'t find a group or course called "{words}".', question.wanted
        )
    search = _search_for(question, matched)
    if question.mode == Mode.E_LEARNING:
        return await _e_learning(asking)
    period = default_period(question, asking.today)
    if period.end < asking.today:
        return NothingFound(
            f"{period.label} is in the past; I can tell you what's coming up.", search.wanted
        )
    start = max(asking.midnight(period.start), asking.now)
    end = asking.midnight(period.end + timedelta(days=1))
    return await _answer_for(asking, question, search, matched, period, (start, end))


def _search_for(question: Question, matched: list[Candidate]) -> _Search:
    group_ids = frozenset(c.key for c in matched if c.kind == "group")
    course_ids = frozenset(c.key for c in matched if c.kind == "course")
    wanted = question.wanted
    if matched and not group_ids:
        wanted = Wanted.TRAINING
    elif matched and not course_ids:
        wanted = Wanted.MEETINGS
    elif question.mine and wanted == Wanted.MEETINGS and not matched:
        wanted = Wanted.ANYTHING  # "my meetings" means my diary: training booked too
    return _Search(
        wanted,
        mine=question.mine,
        group_ids=group_ids or None,
        course_ids=course_ids or None,
        mode=question.mode if question.mode != Mode.E_LEARNING else None,
    )


async def _answer_for(
    asking: _Asking,
    question: Question,
    search: _Search,
    matched: list[Candidate],
    period: Period,
    window: tuple[datetime, datetime],
) -> Answer:
    start, end = window
    entries = await _entries(asking, search, start, end)
    if question.next_only:
        upcoming = [e for e in entries if not e.cancelled]
        if upcoming:
            return _opened(asking, upcoming[0])
    elif _one_course_asked(question, search):
        assert search.course_ids is not None
        return CourseAnswer(next(iter(search.course_ids)))
    noun, qualifiers = _described(question, search, matched)
    if not entries or (question.next_only and all(e.cancelled for e in entries)):
        following = await _entries(asking, search, end, end + timedelta(days=FOLLOWING_DAYS))
        following = [e for e in following if not e.cancelled]
        return NothingFound(
            f"I found no {noun}{qualifiers} for {period.label}.",
            search.wanted,
            following[0] if following else None,
        )
    if len(entries) == 1 and not question.mine:
        return _opened(asking, entries[0], period.label if question.period else "")
    title = "Coming up for you" if question.mine else noun[0].upper() + noun[1:]
    return Listing(title, f"{period.label[0].upper()}{period.label[1:]}{qualifiers}", entries)


def _one_course_asked(question: Question, search: _Search) -> bool:
    """ "neglect training": one course by name, for no one in particular, at no set time."""
    return (
        search.wanted == Wanted.TRAINING
        and search.course_ids is not None
        and len(search.course_ids) == 1
        and not question.mine
        and question.period is None
    )


def _opened(
    asking: _Asking, entry: DiaryEntry, period_label: str = ""
) -> MeetingAnswer | CourseAnswer:
    if isinstance(entry, MeetingEntry):
        detail = meeting_detail(asking.viewer, entry.meeting, now=asking.now, links=asking.links)
        return MeetingAnswer(detail)
    if period_label:
        return CourseAnswer(entry.session.course_id, entry.session, period_label)
    return CourseAnswer(entry.session.course_id)


def _described(question: Question, search: _Search, matched: list[Candidate]) -> tuple[str, str]:
    """What was looked for, as a noun phrase and its qualifiers: ("meetings", " for the Executive
    online")."""
    noun = {
        Wanted.MEETINGS: "meetings",
        Wanted.TRAINING: "training sessions",
        Wanted.ANYTHING: "meetings or training",
    }[search.wanted]
    names = [c.name for c in matched][:3]
    qualifiers = f" for {' and '.join(names)}" if names else ""
    if search.mode is not None:
        qualifiers += " " + search.mode.value.replace("_", " ")
    if question.mine:
        qualifiers += " for you"
    return noun, qualifiers


async def _entries(
    asking: _Asking, search: _Search, start: datetime, end: datetime
) -> tuple[DiaryEntry, ...]:
    entries: list[DiaryEntry] = []
    if search.wanted != Wanted.TRAINING:
        entries += await _meeting_entries(asking, search, start, end)
    if search.wanted != Wanted.MEETINGS:
        entries += await _session_entries(asking, search, start, end)
    if search.mode is not None:
        mode = search.mode
        entries = [e for e in entries if e.mode.matches(mode)]
    return tuple(sorted(entries, key=lambda e: (e.starts_at, e.title)))


async def _meeting_entries(
    asking: _Asking, search: _Search, start: datetime, end: datetime
) -> list[DiaryEntry]:
    group_ids: frozenset[int] | None = search.group_ids
    if search.mine:
        mine = asking.viewer.group_ids
        group_ids = mine & group_ids if group_ids else mine
        if not group_ids:
            return []
    found = await meetings.meetings_between(asking.session, start, end, group_ids=group_ids)
    return [MeetingEntry(m) for m in found]


async def _session_entries(
    asking: _Asking, search: _Search, start: datetime, end: datetime
) -> list[DiaryEntry]:
    session, person_id = asking.session, asking.viewer.person_id
    if search.mine:
        booked = await training.my_bookings(session, person_id, start)
        chosen = [
            b
            for b in booked
            if b.session.starts_at < end
            and (search.course_ids is None or b.session.course_id in search.course_ids)
        ]
        return [
            SessionEntry(
                b.session,
                b.status,
                await training.waiting_position(session, b.session.id, person_id)
                if b.status == BookingStatus.WAITING
                else None,
            )
            for b in chosen
        ]
    found = await training.sessions_between(
        session, start, end, course_ids=search.course_ids, active_courses_only=True
    )
    statuses = await training.statuses_for(session, person_id, [s.id for s in found])
    return [SessionEntry(s, statuses.get(s.id)) for s in found]


async def _e_learning(asking: _Asking) -> Answer:
    offered = [
        c for c in await training.active_courses(asking.session) if c.mode == Mode.E_LEARNING
    ]
    if not offered:
        return NothingFound("There is no e-learning on offer at the moment.", Wanted.TRAINING)
    return CourseAnswer(offered[0].id)
