"""Questions about meetings and training, asked the way people ask them.

"when is the next Executive?", "what's on next week?", "my meetings", "training in January",
"neglect training", "anything online this month?", "meetings on 03/02" (3 February). The phrase
is read by `domain.when` (dates day first); this module fetches what matches and picks the card:
one meeting, one course, a list by date, or a "nothing found" card that says what comes next
and what else to ask. Opening a meeting and "my meetings" buttons land here too, and the business
team's "attendance T1".
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from cards.meetings import MeetingView, UpcomingItem, meeting_card, nothing_card, upcoming_card
from cards.training import ordinal
from cards.verbs import Verb
from dialogs.registry import Registry, Reply, Turn
from dialogs.training import attendance_reply_card, card_id, course_reply_card, nearest_session_id
from domain.links import calendar_link, calendar_link_expiry
from domain.meetings import MeetingFacts, Mode, local_instant, sees_meeting_links
from domain.training import BookingStatus, SessionFacts
from domain.when import Candidate, Period, Question, Wanted, default_period, match_subjects
from domain.when import parse_question as read_question
from storage import meetings, training

log = logging.getLogger(__name__)

MEETING_LINK = "meeting"
SUGGESTIONS = {
    Wanted.MEETINGS: ["when is the next Executive", "meetings next month", "my meetings"],
    Wanted.TRAINING: ["training in January", "neglect training", "what am I booked on"],
    Wanted.ANYTHING: ["what's on next week", "training in January", "my meetings"],
}
FOLLOWING_DAYS = 365
_ACTION_WORDS = r"(?!.*\b(actions?|overdue|rag)\b)"


def _today(turn: Turn) -> date:
    return turn.now.astimezone(turn.services.settings.zone).date()


def _midnight(turn: Turn, day: date) -> datetime:
    return local_instant(datetime.combine(day, time()), turn.services.settings.zone)


# -- building the answer -------------------------------------------------------------------------


def _meeting_item(meeting: MeetingFacts) -> UpcomingItem:
    return UpcomingItem(
        kind="meeting",
        id=meeting.id,
        title=meeting.title,
        detail=meeting.group_name if meeting.group_name != meeting.title else "",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        mode=meeting.mode,
        cancelled=meeting.cancelled,
    )


def _status_label(status: BookingStatus | None, position: int | None) -> str:
    if status in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
        return "You're booked"
    if status == BookingStatus.WAITING:
        return f"Waiting list ({ordinal(position)})" if position else "Waiting list"
    return ""


def _session_item(
    facts: SessionFacts, status: BookingStatus | None = None, position: int | None = None
) -> UpcomingItem:
    return UpcomingItem(
        kind="session",
        id=facts.id,
        title=facts.course_title,
        detail=facts.course_code,
        starts_at=facts.starts_at,
        ends_at=facts.ends_at,
        mode=facts.mode,
        status=_status_label(status, position),
        cancelled=facts.cancelled,
        course_id=facts.course_id,
    )


class _Search:
    """What to look for: kinds, groups and courses, whose, how, when."""

    def __init__(
        self,
        wanted: Wanted,
        *,
        mine: bool,
        group_ids: set[int] | None,
        course_ids: set[int] | None,
        mode: Mode | None,
    ) -> None:
        self.wanted = wanted
        self.mine = mine
        self.group_ids = group_ids
        self.course_ids = course_ids
        self.mode = mode


async def _items(turn: Turn, search: _Search, start: datetime, end: datetime) -> list[UpcomingItem]:
    items: list[UpcomingItem] = []
    if search.wanted != Wanted.TRAINING:
        items += await _meeting_items(turn, search, start, end)
    if search.wanted != Wanted.MEETINGS:
        items += await _session_items(turn, search, start, end)
    if search.mode is not None:
        items = [i for i in items if i.mode.matches(search.mode)]
    return sorted(items, key=lambda i: (i.starts_at, i.title))


async def _meeting_items(
    turn: Turn, search: _Search, start: datetime, end: datetime
) -> list[UpcomingItem]:
    viewer = turn.viewer
    assert viewer is not None
    group_ids = search.group_ids
    if search.mine:
        group_ids = set(viewer.group_ids) & group_ids if group_ids else set(viewer.group_ids)
        if not group_ids:
            return []
    async with turn.services.sessions() as session:
        found = await meetings.meetings_between(session, start, end, group_ids=group_ids)
    return [_meeting_item(m) for m in found]


async def _session_items(
    turn: Turn, search: _Search, start: datetime, end: datetime
) -> list[UpcomingItem]:
    viewer = turn.viewer
    assert viewer is not None
    async with turn.services.sessions() as session:
        if search.mine:
            booked = await training.my_bookings(session, viewer.person_id, start)
            chosen = [
                b
                for b in booked
                if b.session.starts_at < end
                and (search.course_ids is None or b.session.course_id in search.course_ids)
            ]
            positions = {
                b.session.id: await training.waiting_position(
                    session, b.session.id, viewer.person_id
                )
                for b in chosen
                if b.status == BookingStatus.WAITING
            }
            return [_session_item(b.session, b.status, positions.get(b.session.id)) for b in chosen]
        found = await training.sessions_between(session, start, end, course_ids=search.course_ids)
        statuses = await training.statuses_for(session, viewer.person_id, [s.id for s in found])
    return [_session_item(s, statuses.get(s.id)) for s in found]


def meeting_calendar_url(turn: Turn, meeting: MeetingFacts) -> str:
    settings = turn.services.settings
    expires = calendar_link_expiry(turn.now, meeting.ends_at)
    return calendar_link(
        settings.public_url, settings.link_secret.encode(), MEETING_LINK, meeting.id, expires
    )


def meeting_view(turn: Turn, meeting: MeetingFacts) -> MeetingView:
    viewer = turn.viewer
    assert viewer is not None
    sees = sees_meeting_links(
        group_id=meeting.group_id,
        member_of=viewer.group_ids,
        is_admin=viewer.is_admin,
        is_scrutineer=viewer.is_scrutineer,
    )
    url = meeting_calendar_url(turn, meeting) if sees and not meeting.cancelled else ""
    return MeetingView(meeting, sees, url)


async def _open_item(turn: Turn, item: UpcomingItem) -> Reply:
    if item.kind == "meeting":
        return await open_meeting(turn, {"meeting_id": item.id})
    card = await course_reply_card(turn, item.course_id or 0)
    return Reply(card=card) if card is not None else _nothing(turn, "That course has gone.")


def _nothing(
    turn: Turn,
    sentence: str,
    wanted: Wanted = Wanted.ANYTHING,
    next_item: UpcomingItem | None = None,
) -> Reply:
    card = nothing_card(
        sentence, SUGGESTIONS[wanted], turn.services.settings.zone, next_item=next_item
    )
    return Reply(card=card, text=sentence)


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


async def book_prompt(turn: Turn, _data: dict[str, Any]) -> Reply:
    return await answer_question(turn, {"q": "training"})


async def answer_question(turn: Turn, data: dict[str, Any]) -> Reply:
    """Any question about meetings or training (the text command's handler)."""
    question = read_question(str(data.get("q", "")), _today(turn))
    log.info(
        "meetings question: wanted=%s mine=%s next=%s period=%s subject_words=%s",
        question.wanted.value,
        question.mine,
        question.next_only,
        question.period is not None,
        len(question.subject),
    )
    return await answer(turn, question)


async def answer(turn: Turn, question: Question) -> Reply:
    if question.problem:
        return _nothing(turn, question.problem)
    async with turn.services.sessions() as session:
        groups = await meetings.group_candidates(session)
        courses = await training.course_candidates(session)
    candidates = (groups if question.wanted != Wanted.TRAINING else []) + (
        courses if question.wanted != Wanted.MEETINGS else []
    )
    matched, _unmatched = match_subjects(question.subject, candidates)
    if question.subject and not matched:
        words = " ".join(question.subject)
        return _nothing(
            turn, f'I couldn\'t find a group or course called "{words}".', question.wanted
        )
    search = _search_for(question, matched)
    if question.mode == Mode.E_LEARNING:
        return await _e_learning(turn)
    today = _today(turn)
    period = default_period(question, today)
    if period.end < today:
        return _nothing(
            turn,
            f"{period.label} is in the past; I can tell you what's coming up.",
            search.wanted,
        )
    start = max(_midnight(turn, period.start), turn.now)
    end = _midnight(turn, period.end + timedelta(days=1))
    return await _reply_for(turn, question, search, matched, period, start, end)


def _search_for(question: Question, matched: list[Candidate]) -> _Search:
    group_ids = {c.key for c in matched if c.kind == "group"}
    course_ids = {c.key for c in matched if c.kind == "course"}
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


async def _reply_for(
    turn: Turn,
    question: Question,
    search: _Search,
    matched: list[Candidate],
    period: Period,
    start: datetime,
    end: datetime,
) -> Reply:
    items = await _items(turn, search, start, end)
    if question.next_only:
        upcoming = [i for i in items if not i.cancelled]
        if upcoming:
            return await _open_item(turn, upcoming[0])
    elif (
        search.wanted == Wanted.TRAINING
        and search.course_ids is not None
        and len(search.course_ids) == 1
        and not question.mine
        and question.period is None
    ):
        card = await course_reply_card(turn, next(iter(search.course_ids)))
        if card is not None:
            return Reply(card=card)
    noun, qualifiers = _described(question, search, matched)
    if not items or (question.next_only and all(i.cancelled for i in items)):
        following = await _items(turn, search, end, end + timedelta(days=FOLLOWING_DAYS))
        following = [i for i in following if not i.cancelled]
        return _nothing(
            turn,
            f"I found no {noun}{qualifiers} for {period.label}.",
            search.wanted,
            next_item=following[0] if following else None,
        )
    if len(items) == 1 and not question.mine:
        return await _open_item(turn, items[0])
    title = "Coming up for you" if question.mine else noun[0].upper() + noun[1:]
    card = upcoming_card(
        title,
        f"{period.label[0].upper()}{period.label[1:]}{qualifiers}",
        items,
        turn.services.settings.zone,
    )
    return Reply(card=card)


async def _e_learning(turn: Turn) -> Reply:
    async with turn.services.sessions() as session:
        e_learning = [
            c for c in await training.active_courses(session) if c.mode == Mode.E_LEARNING
        ]
    if not e_learning:
        return _nothing(turn, "There is no e-learning on offer at the moment.", Wanted.TRAINING)
    card = await course_reply_card(turn, e_learning[0].id)
    return Reply(card=card) if card is not None else _nothing(turn, "That course has gone.")


# -- buttons ---------------------------------------------------------------------------------


async def open_meeting(turn: Turn, data: dict[str, Any]) -> Reply:
    meeting_id = card_id(data, "meeting_id")
    async with turn.services.sessions() as session:
        meeting = await meetings.meeting_by_id(session, meeting_id) if meeting_id else None
    if meeting is None:
        return Reply.message(
            "That meeting is no longer listed",
            'It may have been moved or removed. Type "my meetings" to see what is coming up.',
        )
    return Reply(card=meeting_card(meeting_view(turn, meeting), turn.services.settings.zone))


async def my_upcoming(turn: Turn, _data: dict[str, Any]) -> Reply:
    return await answer(turn, Question(wanted=Wanted.ANYTHING, mine=True))


# -- attendance by name (business team) ------------------------------------------------------

ATTENDANCE_WINDOW_DAYS = 30


async def attendance_by_name(turn: Turn, data: dict[str, Any]) -> Reply:
    viewer = turn.viewer
    assert viewer is not None
    if not viewer.is_admin:
        return Reply.message(
            "For the business team", "Attendance lists are kept by the partnership's business team."
        )
    question = read_question(str(data.get("q", "")), _today(turn))
    async with turn.services.sessions() as session:
        courses = await training.course_candidates(session)
    matched, _unmatched = match_subjects(question.subject, courses)
    if question.problem or not matched:
        return _nothing(
            turn,
            question.problem
            or 'Which course? For example "attendance T1" or "attendance neglect 16/02".',
            Wanted.TRAINING,
        )
    if question.period is not None:
        start = _midnight(turn, question.period.start)
        end = _midnight(turn, question.period.end + timedelta(days=1))
    else:
        start = turn.now - timedelta(days=ATTENDANCE_WINDOW_DAYS)
        end = turn.now + timedelta(days=ATTENDANCE_WINDOW_DAYS)
    session_id = await nearest_session_id(turn, [c.key for c in matched], start, end)
    if session_id is None:
        return _nothing(turn, "I found no session of that course around then.", Wanted.TRAINING)
    card = await attendance_reply_card(turn, session_id)
    assert card is not None
    return Reply(card=card)


def register(registry: Registry) -> None:
    registry.text(
        "meetings.next",
        [
            _ACTION_WORDS + r"(?P<q>(when|where)('s| is| are| does| do)? (the )?next .+)",
            _ACTION_WORDS + r"(?P<q>(when|where)('s| is| does) the .+)",
            _ACTION_WORDS + r"(?P<q>next .*\b(meeting|meet|training|session|course)s?\b.*)",
        ],
        answer_question,
        example="when is the next Executive?",
        description="the next meeting of a group",
    )
    registry.text(
        "meetings.mine",
        [r"(?P<q>(my|show my|show me my) (meetings|diary|calendar|training|bookings))"],
        answer_question,
        example="my meetings",
        description="your groups' meetings and your training, by date",
    )
    registry.text(
        "training.find",
        [
            _ACTION_WORDS + r"(?P<q>.*\b(training|courses?|e-?learning|workshops?|briefings?"
            r"|booked|bookings?)\b.*)"
        ],
        answer_question,
        example="neglect training",
        description="courses and their sessions: book or cancel a place",
    )
    registry.text(
        "training.book",
        # The bare command title from the app's command list: show what can be booked.
        [r"book( a)?( place| session| training| course)?( on)?"],
        book_prompt,
        example="book",
        description="training with places to book",
        in_help=False,
    )
    registry.text(
        "attendance",
        [r"attendance(?: (?:for|of|at|on))? (?P<q>.+)", r"(?P<q>.+) attendance"],
        attendance_by_name,
        example="attendance T1",
        description="business team: who came to a session",
        in_help=False,
    )
    registry.text(
        "meetings.whats_on",
        [
            _ACTION_WORDS + r"(?P<q>.*\b(meetings?|meets?|sessions?|diary)\b.*)",
            _ACTION_WORDS + r"(?P<q>.*\b(what'?s|what is|anything|is there anything)\b.*"
            r"\b(on|online|in person|face to face|hybrid|coming up|happening|planned|next)\b.*)",
            _ACTION_WORDS + r"(?P<q>.*\b(upcoming|coming up)\b.*)",
        ],
        answer_question,
        example="what's on next week?",
        description="meetings and training by date (03/02 is 3 February)",
    )
    registry.verb(Verb.MEETING_OPEN, open_meeting)
    registry.verb(Verb.UPCOMING_MINE, my_upcoming)
