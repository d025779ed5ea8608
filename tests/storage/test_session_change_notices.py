"""A calendar import that moves, cancels or reinstates a training session queues one notice to each
person booked or waiting on it, in the import's transaction; the renderer builds the card from the
data as it is when it is sent. SQLite and, when configured, PostgreSQL."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from cards.common import Card
from config import Settings
from delivery.reminder_renderers import ReminderRenderers
from domain.reminders import Kind
from domain.session_changes import Change, ChangeNotice
from domain.training import BookingRules
from storage.db import make_session_factory
from storage.models import CourseSession, OutboxMessage
from storage.outbox import ClaimedMessage
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text
from tests.support.training import book_for, cancel_for
from usecases.calendar_import import ImportCounts, ImportOptions, import_calendar
from usecases.context import COMMAND_LINE, UnitOfWork
from usecases.training import CancelResult

LONDON = ZoneInfo("Europe/London")
RULES = BookingRules()
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday morning
EVENING = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)  # quiet hours: notices wait for the morning
HEADER = "kind,course,date,start,end,capacity,cancelled,uid\n"
BOOKED, WAITING, GAVE_UP = (1, 2), 3, 4


@pytest.fixture
def sessions(seeded_engine):
    return make_session_factory(seeded_engine)


async def t2_with_people(sessions) -> tuple[int, str]:
    """T2 (Tue 16 Feb 2027, 09:30-16:00) with two places: people 1 and 2 booked, 3 waiting, and
    4 who joined the waiting list and left it."""
    async with sessions() as session, session.begin():
        row = await session.scalar(select(CourseSession).where(CourseSession.uid.like("%t2%")))
        await session.execute(
            update(CourseSession).where(CourseSession.id == row.id).values(capacity=2)
        )
    for person in (*BOOKED, WAITING, GAVE_UP):
        await book_for(sessions, row.id, person, NOW, RULES)
    await cancel_for(sessions, row.id, GAVE_UP, NOW, RULES)
    return row.id, row.uid


def t2_row(uid: str, day: str, start: str = "09:30", end: str = "16:00", cancelled: str = "no"):
    return f"session,T2,{day},{start},{end},2,{cancelled},{uid}\n"


async def run_import(sessions, tmp_path, rows: str, now: datetime = NOW) -> ImportCounts:
    path = tmp_path / f"calendar-{now:%H%M%S}-{len(rows)}.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    options = ImportOptions(zone=LONDON, now=now, allowed_email_domains=("riverside.example",))
    return await import_calendar(COMMAND_LINE, path, UnitOfWork(sessions), options)


async def notices(sessions, status: str | None = "pending") -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == Kind.SESSION_CHANGED.value)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    async with sessions() as session:
        return list(await session.scalars(query.order_by(OutboxMessage.id)))


def people_told(queued: list[OutboxMessage]) -> list[int]:
    """The people the notices go to, in id order (a notice to no one would show as 0)."""
    return sorted(n.person_id or 0 for n in queued)


async def test_a_move_tells_everyone_booked_or_waiting_once(sessions, tmp_path):
    session_id, uid = await t2_with_people(sessions)
    counts = await run_import(sessions, tmp_path, t2_row(uid, "23/02/2027", "13:00", "16:30"))
    assert (counts.sessions_updated, counts.sessions_moved, counts.people_to_tell) == (1, 1, 3)
    assert "(1 moved, 0 cancelled, 0 back on); 3 people booked or waiting will be told" in str(
        counts
    )
    queued = await notices(sessions)
    # The two booked and the one waiting; not the person who left the waiting list.
    assert people_told(queued) == [*BOOKED, WAITING]
    assert {(n.subject, n.not_before) for n in queued} == {(f"session:{session_id}", NOW)}
    notice = ChangeNotice.of(queued[0].payload)
    assert notice is not None and notice.change == Change.MOVED
    assert notice.known.starts_at == datetime(2027, 2, 16, 9, 30, tzinfo=UTC)
    assert notice.announced.starts_at == datetime(2027, 2, 23, 13, 0, tzinfo=UTC)

    # The same file again, later: nothing changed, so no one is told again.
    again = await run_import(
        sessions, tmp_path, t2_row(uid, "23/02/2027", "13:00", "16:30"), NOW + timedelta(hours=1)
    )
    assert (again.sessions_moved, again.people_to_tell) == (0, 0)
    assert len(await notices(sessions, status=None)) == 3


async def test_sessions_without_changes_or_people_queue_nothing(sessions, tmp_path):
    _session_id, uid = await t2_with_people(sessions)
    counts = await run_import(sessions, tmp_path, t2_row(uid, "16/02/2027"))
    assert (counts.sessions_updated, counts.sessions_unchanged) == (0, 1)
    assert (counts.sessions_moved, counts.people_to_tell) == (0, 0)
    async with sessions() as session:
        t4 = await session.scalar(select(CourseSession).where(CourseSession.uid.like("%t4%")))
    moved_empty = f"session,T4,25/02/2027,13:00,16:30,,no,{t4.uid}\n"
    counts = await run_import(sessions, tmp_path, moved_empty)
    assert (counts.sessions_moved, counts.people_to_tell) == (1, 0)
    assert await notices(sessions, status=None) == []


async def test_a_cancelled_session_tells_everyone_and_back_on_tells_them_again(sessions, tmp_path):
    _session_id, uid = await t2_with_people(sessions)
    counts = await run_import(sessions, tmp_path, t2_row(uid, "16/02/2027", cancelled="yes"))
    assert (counts.sessions_cancelled, counts.people_to_tell) == (1, 3)
    queued = await notices(sessions)
    assert {n.occurrence for n in queued} == {"cancelled-20270216T0930-20261124T090000"}
    assert people_told(queued) == [*BOOKED, WAITING]
    async with sessions() as session, session.begin():
        await session.execute(update(OutboxMessage).values(status="sent"))

    later = NOW + timedelta(days=1)
    counts = await run_import(sessions, tmp_path, t2_row(uid, "16/02/2027"), later)
    assert (counts.sessions_reinstated, counts.people_to_tell) == (1, 3)
    assert {n.occurrence for n in await notices(sessions)} == {
        "reinstated-20270216T0930-20261125T090000"
    }


async def test_a_second_move_before_the_first_is_sent_starts_from_what_people_knew(
    sessions, tmp_path
):
    _session_id, uid = await t2_with_people(sessions)
    await run_import(sessions, tmp_path, t2_row(uid, "23/02/2027"), EVENING)
    first = await notices(sessions)
    assert {n.not_before for n in first} == {datetime(2026, 11, 25, 8, 0, tzinfo=UTC)}
    counts = await run_import(
        sessions, tmp_path, t2_row(uid, "02/03/2027"), EVENING + timedelta(minutes=5)
    )
    assert counts.people_to_tell == 3
    second = await notices(sessions)
    assert {n.id for n in first}.isdisjoint(n.id for n in second)
    told = ChangeNotice.of(second[0].payload)
    assert told is not None
    # "Was 16 February, now 2 March": the 23rd was never sent, so it is not news to undo.
    assert told.known.starts_at == datetime(2027, 2, 16, 9, 30, tzinfo=UTC)
    assert told.announced.starts_at == datetime(2027, 3, 2, 9, 30, tzinfo=UTC)

    # Moved back to the 16th before anyone heard: there is nothing to tell.
    counts = await run_import(
        sessions, tmp_path, t2_row(uid, "16/02/2027"), EVENING + timedelta(minutes=10)
    )
    assert (counts.sessions_moved, counts.people_to_tell) == (1, 0)
    assert await notices(sessions) == []
    assert {n.last_error for n in await notices(sessions, "cancelled")} == {"superseded"}


# -- rendering at send time ------------------------------------------------------------------------


def renderer() -> ReminderRenderers:
    return ReminderRenderers(Settings(link_secret="test-secret-for-calendar-links-0123456789"))


def claimed(row: OutboxMessage) -> ClaimedMessage:
    """The row as a dispatcher holds it once claimed (the row is detached: nothing is saved)."""
    row.lease_owner, row.leased_until = "test", NOW + timedelta(minutes=5)
    return ClaimedMessage.of(row)


async def render(sessions, row: OutboxMessage, now: datetime = NOW) -> Card | None:
    async with sessions() as session:
        return await renderer().session_changed(session, claimed(row), now)


async def rendered(sessions, row: OutboxMessage) -> Card:
    """The card of a notice that still has news for its person."""
    card = await render(sessions, row)
    assert card is not None
    return card


def titles(card) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


async def test_the_card_shows_both_times_and_the_persons_own_buttons(sessions, tmp_path):
    _session_id, uid = await t2_with_people(sessions)
    await run_import(sessions, tmp_path, t2_row(uid, "23/02/2027", "13:00", "16:30"))
    by_person = {n.person_id: n for n in await notices(sessions)}

    booked = await rendered(sessions, by_person[BOOKED[0]])
    assert_valid_card(booked)
    shown = card_text(booked)
    assert "Your training session has a new time" in shown
    assert "Neglect: Using Graded Care Profile 2" in shown
    assert "Tue 16 Feb 2027, 09:30–16:00 (UK time)" in shown
    assert "Tue 23 Feb 2027, 13:00–16:30 (UK time)" in shown
    assert titles(booked) == ["Add to calendar", "Cancel my place", "Open the course"]
    assert booked["actions"][0]["url"].endswith(".ics")

    waiting = await rendered(sessions, by_person[WAITING])
    assert_valid_card(waiting)
    assert "You're still on the waiting list (1st in line)." in card_text(waiting)
    assert titles(waiting) == ["Leave the waiting list", "Open the course"]


async def test_a_cancellation_card_has_no_place_to_cancel(sessions, tmp_path):
    _session_id, uid = await t2_with_people(sessions)
    await run_import(sessions, tmp_path, t2_row(uid, "16/02/2027", cancelled="yes"))
    card = await rendered(sessions, (await notices(sessions))[0])
    assert_valid_card(card)
    assert "Your training session has been cancelled" in card_text(card)
    assert "Tue 16 Feb 2027, 09:30–16:00 (UK time)" in card_text(card)
    assert titles(card) == ["Open the course"]


async def test_nothing_to_send_once_the_notice_is_moot(sessions, tmp_path):
    session_id, uid = await t2_with_people(sessions)
    await run_import(sessions, tmp_path, t2_row(uid, "23/02/2027"))
    by_person = {n.person_id: n for n in await notices(sessions)}
    assert await render(sessions, by_person[BOOKED[0]]) is not None

    # The person cancelled their place after the move was queued: nothing to tell them.
    result = await cancel_for(sessions, session_id, BOOKED[0], NOW, RULES)
    assert result.result == CancelResult.CANCELLED
    assert await render(sessions, by_person[BOOKED[0]]) is None

    # Moved again by hand since (no import): this notice no longer says what is true.
    async with sessions() as session, session.begin():
        await session.execute(
            update(CourseSession)
            .where(CourseSession.id == session_id)
            .values(
                starts_at=datetime(2027, 3, 2, 9, 30, tzinfo=UTC),
                ends_at=datetime(2027, 3, 2, 16, 0, tzinfo=UTC),
            )
        )
    assert await render(sessions, by_person[BOOKED[1]]) is None

    # And a notice for a session that has started is not news either.
    assert await render(sessions, by_person[WAITING], datetime(2027, 2, 23, 10, tzinfo=UTC)) is None
