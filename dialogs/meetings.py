"""Questions about meetings and training, asked the way people ask them.

"when is the next Executive?", "what's on next week?", "my meetings", "training in January",
"neglect training", "anything online this month?", "meetings on 03/02" (3 February). The phrase
is read by `domain.when` (dates day first); `usecases.meetings` finds what matches and this module
picks the card: one meeting, one course, a list by date, or a "nothing found" card that says what
comes next and what else to ask. Opening a meeting and "my meetings" buttons land here too, and
the business team's "attendance T1".
"""

from __future__ import annotations

import logging

from cards.data.meetings import (
    AttendanceQuestionData,
    BookPromptData,
    MeetingOpenData,
    QuestionData,
    UpcomingMineData,
)
from cards.meetings import MeetingView, UpcomingItem, meeting_card, nothing_card, upcoming_card
from cards.training import Notice, ordinal
from cards.verbs import Verb
from dialogs.registry import Registry, Reply, Turn
from dialogs.training import attendance_reply, business_team_only, course_reply
from domain.permissions import Viewer
from domain.training import BookingStatus
from domain.when import Question, Wanted, format_day
from domain.when import parse_question as read_question
from usecases import meetings, training
from usecases.meetings import (
    CalendarLinks,
    CourseAnswer,
    DiaryEntry,
    Listing,
    MeetingAnswer,
    MeetingDetail,
    MeetingEntry,
    NothingFound,
)
from usecases.training import CourseRequest, NoSessionNamed, Refusal

log = logging.getLogger(__name__)

SUGGESTIONS = {
    Wanted.MEETINGS: ["when is the next Executive", "meetings next month", "my meetings"],
    Wanted.TRAINING: ["training in January", "neglect training", "what am I booked on"],
    Wanted.ANYTHING: ["what's on next week", "training in January", "my meetings"],
}
_ACTION_WORDS = r"(?!.*\b(actions?|overdue|rag)\b)"
# A course named in a booking or a cancellation: "gcp2", "the neglect course".
_COURSE = r"(?P<q>[a-z0-9][a-z0-9 &-]{0,60}?)"


def _viewer(turn: Turn) -> Viewer:
    assert turn.viewer is not None  # the router answers unknown people before any handler runs
    return turn.viewer


def _read(turn: Turn, words: str) -> Question:
    return read_question(words, turn.now.astimezone(turn.services.settings.zone).date())


# -- from the use case's answer to a card ----------------------------------------------------------


def _status_label(status: BookingStatus | None, position: int | None) -> str:
    if status in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
        return "You're booked"
    if status == BookingStatus.WAITING:
        return f"Waiting list ({ordinal(position)})" if position else "Waiting list"
    return ""


def upcoming_item(entry: DiaryEntry) -> UpcomingItem:
    """A meeting or session as a line of a list."""
    if isinstance(entry, MeetingEntry):
        meeting = entry.meeting
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
    facts = entry.session
    return UpcomingItem(
        kind="session",
        id=facts.id,
        title=facts.course_title,
        detail=facts.course_code,
        starts_at=facts.starts_at,
        ends_at=facts.ends_at,
        mode=facts.mode,
        status=_status_label(entry.status, entry.position),
        cancelled=facts.cancelled,
        course_id=facts.course_id,
    )


def _meeting_reply(turn: Turn, detail: MeetingDetail) -> Reply:
    view = MeetingView(detail.meeting, detail.sees_links, detail.calendar_url)
    return Reply(card=meeting_card(view, turn.services.settings.zone))


def _nothing(
    turn: Turn,
    sentence: str,
    wanted: Wanted = Wanted.ANYTHING,
    following: DiaryEntry | None = None,
) -> Reply:
    card = nothing_card(
        sentence,
        SUGGESTIONS[wanted],
        turn.services.settings.zone,
        next_item=upcoming_item(following) if following is not None else None,
    )
    return Reply(card=card, text=sentence)


async def _reply(turn: Turn, answer: meetings.Answer) -> Reply:
    if isinstance(answer, NothingFound):
        return _nothing(turn, answer.sentence, answer.wanted, answer.following)
    if isinstance(answer, MeetingAnswer):
        return _meeting_reply(turn, answer.detail)
    if isinstance(answer, CourseAnswer):
        notice = _session_pointed_at(turn, answer)
        opened = await course_reply(turn, CourseRequest(answer.course_id), notice=notice)
        return opened or _nothing(turn, "That course has gone.")
    return _listing(turn, answer)


def _session_pointed_at(turn: Turn, answer: CourseAnswer) -> Notice | None:
    """ "... in march": which of the course's sessions that is, above them all."""
    if answer.session is None or not answer.period_label:
        return None
    local = answer.session.starts_at.astimezone(turn.services.settings.zone)
    return Notice(f"The session in {answer.period_label}: {format_day(local.date())}.")


def _listing(turn: Turn, listing: Listing) -> Reply:
    items = [upcoming_item(e) for e in listing.entries]
    card = upcoming_card(listing.title, listing.subtitle, items, turn.services.settings.zone)
    return Reply(card=card)


# -- questions -----------------------------------------------------------------------------------


async def answer_question(turn: Turn, data: QuestionData) -> Reply:
    """Any question about meetings or training (the text commands' handler)."""
    question = _read(turn, data.q)
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
    settings = turn.services.settings
    found = await meetings.answer_question(
        _viewer(turn),
        question,
        turn.services.work,
        now=turn.now,
        zone=settings.zone,
        links=CalendarLinks.of(settings),
    )
    return await _reply(turn, found)


async def book_prompt(turn: Turn, _data: BookPromptData) -> Reply:
    return await answer_question(turn, QuestionData(q="training"))


# -- buttons ---------------------------------------------------------------------------------


async def open_meeting(turn: Turn, data: MeetingOpenData) -> Reply:
    detail = await meetings.open_meeting(
        _viewer(turn),
        meetings.MeetingRequest(data.meeting_id),
        turn.services.work,
        now=turn.now,
        links=CalendarLinks.of(turn.services.settings),
    )
    if detail is None:
        return Reply.message(
            "That meeting is no longer listed",
            'It may have been moved or removed. Type "my meetings" to see what is coming up.',
        )
    return _meeting_reply(turn, detail)


async def my_upcoming(turn: Turn, _data: UpcomingMineData) -> Reply:
    return await answer(turn, Question(wanted=Wanted.ANYTHING, mine=True))


# -- attendance by name (business team) ------------------------------------------------------


async def attendance_by_name(turn: Turn, data: AttendanceQuestionData) -> Reply:
    found = await training.attendance_by_name(
        _viewer(turn),
        _read(turn, data.q),
        turn.services.work,
        now=turn.now,
        zone=turn.services.settings.zone,
    )
    if found == Refusal.NOT_ALLOWED:
        return business_team_only()
    if isinstance(found, NoSessionNamed):
        return _nothing(turn, found.problem, Wanted.TRAINING)
    return attendance_reply(turn, found)


def register(registry: Registry) -> None:
    registry.text(
        "meetings.next",
        [
            _ACTION_WORDS + r"(?P<q>(when|where)('s| is| are| does| do)? (the )?next .+)",
            _ACTION_WORDS + r"(?P<q>(when|where)('s| is| are| does)( the)? .+)",
            _ACTION_WORDS + r"(?P<q>(the )?(date|day) of the next .+)",
            _ACTION_WORDS + r"(?P<q>next [a-z][a-z0-9 &-]{1,60})",
            _ACTION_WORDS + r"(?P<q>next .*\b(meeting|meet|training|session|course)s?\b.*)",
        ],
        answer_question,
        example="when is the next Executive?",
        description="the next meeting of a group",
        data=QuestionData,
    )
    registry.text(
        "meetings.mine",
        [r"(?P<q>(my|show my|show me my) (meetings|diary|calendar|training|bookings))"],
        answer_question,
        example="my meetings",
        description="your groups' meetings and your training, by date",
        data=QuestionData,
    )
    registry.text(
        "training.book",
        # The bare command title from the app's command list: show what can be booked.
        [r"book( on| me on)?( an?)?( place| session| training| course)?( on)?"],
        book_prompt,
        example="book",
        description="training with places to book",
        in_help=False,
        data=BookPromptData,
    )
    registry.text(
        "training.find",
        [
            _ACTION_WORDS + r"(?P<q>.*\b(training|courses?|e-?learning|workshops?|briefings?"
            r"|booked|bookings?)\b.*)",
            rf"(cancel|drop) (my )?(place|booking|seat) (on|at|for) (the )?{_COURSE}",
            rf"(cancel|drop) my {_COURSE} (place|booking|seat|session)",
            rf"(withdraw from|pull out of) (my place on )?(the )?{_COURSE}",
            rf"(i )?(can't|cannot|can not) (make|do|go to|attend) (the )?{_COURSE}"
            r"( any ?more| after all)?",
            r"((book|enrol)( me)?( on| for| onto| in| into)?|sign (me )?up( for| on| to)?)"
            r"( a place (on|at|for))?"
            rf"( the)? {_COURSE}",
        ],
        answer_question,
        example="neglect training",
        description="courses and their sessions: book or cancel a place",
        data=QuestionData,
    )
    registry.text(
        "attendance",
        [
            r"(take |record |show )?attendance(?: (?:for|of|at|on))? (?P<q>.+)",
            r"(?P<q>.+) attendance",
            r"who (came|attended|turned up|went)( to| at)? (?P<q>.+)",
            r"(the )?register (for|of) (?P<q>.+)",
        ],
        attendance_by_name,
        example="attendance T1",
        description="business team: who came to a session",
        in_help=False,
        data=AttendanceQuestionData,
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
        data=QuestionData,
    )
    registry.verb(Verb.MEETING_OPEN, open_meeting, MeetingOpenData)
    registry.verb(Verb.UPCOMING_MINE, my_upcoming, UpcomingMineData)
