"""The desk's meetings and sessions where the rules live (`usecases.calendar_desk`): only the
business team changes them, whoever else asks; a series' new time of day rewrites its meetings
in place (the same ids, and one changed on its own is neither moved nor written twice); a session
whose times are unchanged tells no one. SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.permissions import Viewer
from domain.send_times import SendRules
from storage.db import make_session_factory
from storage.models import CourseSession, Group, Meeting, MeetingSeries
from tests.support.training import book_for
from usecases.calendar_desk import (
    EditTerms,
    EventForm,
    FormRefused,
    calendar_choices,
    save_meeting,
    save_session,
)
from usecases.context import UnitOfWork
from usecases.people import NotPermitted

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TERMS = EditTerms(now=NOW, zone=LONDON, send=SendRules(LONDON))
ADMIN = Viewer(person_id=5, code="P05", name="Admin", email="a@x", is_admin=True)


def viewer(**roles: object) -> Viewer:
    return Viewer(person_id=14, code="P14", name="Someone", email="s@x", **roles)  # type: ignore[arg-type]


@pytest.fixture
def work(seeded_engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(seeded_engine))


async def t2(work: UnitOfWork) -> CourseSession:
    async with work.read() as session:
        row = await session.scalar(select(CourseSession).where(CourseSession.uid.like("%t2%")))
        assert row is not None
        return row


def t2_form(row: CourseSession, **changes: object) -> EventForm:
    local_start = row.starts_at.astimezone(LONDON)
    local_end = row.ends_at.astimezone(LONDON)
    fields: dict[str, object] = {
        "code": "T2",
        "day": local_start.date(),
        "start": local_start.time(),
        "end": local_end.time(),
        "venue": row.venue,
        "capacity": row.capacity,
    }
    return EventForm(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "who",
    [
        viewer(is_scrutineer=True),
        viewer(chaired_group_ids=frozenset({1, 2, 3, 4, 5, 6, 7, 8})),
        viewer(is_executive_member=True),
        viewer(),
    ],
)
async def test_only_the_business_team_changes_a_meeting_or_a_session(work: UnitOfWork, who):
    row = await t2(work)
    with pytest.raises(NotPermitted):
        await save_session(who, row.id, t2_form(row, day=date(2027, 2, 23)), work, TERMS)
    form = EventForm(code="EXEC", day=date(2027, 3, 2), start=time(10), end=time(11))
    with pytest.raises(NotPermitted):
        await save_meeting(who, None, form, work, TERMS)
    assert (await t2(work)).starts_at == row.starts_at


async def test_a_session_saved_unchanged_tells_no_one(work: UnitOfWork):
    row = await t2(work)
    await book_for(work.sessions, row.id, 1, NOW)
    saved = await save_session(ADMIN, row.id, t2_form(row), work, TERMS)
    assert saved is not None and saved.change == "" and saved.people_told == 0
    moved = await save_session(ADMIN, row.id, t2_form(row, day=date(2027, 2, 23)), work, TERMS)
    assert moved is not None and moved.change == "moved" and moved.people_told == 1


async def test_a_series_new_time_rewrites_its_meetings_in_place(work: UnitOfWork):
    async with work.read() as session:
        series = (await session.scalars(select(MeetingSeries).order_by(MeetingSeries.id))).first()
        assert series is not None
        meetings = list(
            await session.scalars(
                select(Meeting)
                .where(Meeting.series_id == series.id, Meeting.starts_at > NOW)
                .order_by(Meeting.starts_at)
            )
        )
    followers = [m for m in meetings if not m.detached]
    assert len(followers) >= 3
    alone, held, anchor = followers[0], followers[1], followers[2]
    # The series is changed the day after `held` was held: it keeps its time.
    later = EditTerms(now=held.starts_at + timedelta(days=1), zone=LONDON, send=SendRules(LONDON))
    local = alone.starts_at.astimezone(LONDON)
    length = alone.ends_at - alone.starts_at

    def form(meeting: Meeting, start: time) -> EventForm:
        day = meeting.starts_at.astimezone(LONDON).date()
        end = (datetime.combine(day, start) + length).time()
        return EventForm(code=meeting.group.code, day=day, start=start, end=end)

    await save_meeting(ADMIN, alone.id, form(alone, time(8, 0)), work, TERMS)
    saved = await save_meeting(ADMIN, anchor.id, form(anchor, time(15, 0)), work, later, "series")
    assert saved is not None and saved.series_changed and saved.id == anchor.id
    async with work.read() as session:
        after = {
            m.id: m
            for m in await session.scalars(select(Meeting).where(Meeting.series_id == series.id))
        }
    assert after[anchor.id].starts_at.astimezone(LONDON).time() == time(15, 0)
    assert after[alone.id].starts_at.astimezone(LONDON).time() == time(8, 0)
    on_the_day = [
        m for m in after.values() if m.starts_at.astimezone(LONDON).date() == local.date()
    ]
    assert [m.id for m in on_the_day] == [alone.id]  # not written out a second time
    assert {f.id for f in followers} <= set(after)  # the same meetings, rewritten in place
    assert after[held.id].starts_at == held.starts_at and after[held.id].detached
    assert all(
        m.starts_at.astimezone(LONDON).time() == time(15, 0)
        for m in after.values()
        if not m.detached
    )


async def test_a_retired_group_gets_no_new_meeting_and_keeps_its_own(work: UnitOfWork):
    async with work.write() as session:
        group = await session.scalar(select(Group).where(Group.code == "EXEC"))
        assert group is not None
        group.active = False
        held = await session.scalar(select(Meeting).where(Meeting.group_id == group.id))
        assert held is not None
        held_id, held_start = held.id, held.starts_at.astimezone(LONDON)
        exec_name = group.name
        other = await session.scalar(select(Meeting).where(Meeting.group_id != group.id))
        assert other is not None
        other_id, other_start = other.id, other.starts_at.astimezone(LONDON)
    moved = EventForm(
        code="EXEC",
        day=other_start.date(),
        start=other_start.time(),
        end=(other_start + timedelta(hours=1)).time(),
    )
    with pytest.raises(FormRefused) as refused:
        await save_meeting(ADMIN, other_id, moved, work, TERMS)
    assert refused.value.errors[0][1].endswith("cannot be given to another meeting")
    new = EventForm(code="EXEC", day=date(2027, 3, 2), start=time(10), end=time(11))
    with pytest.raises(FormRefused) as refused:
        await save_meeting(ADMIN, None, new, work, TERMS)
    assert refused.value.errors == [
        (
            "group",
            "'EXEC' is retired; it stays on the meetings that have it but cannot be given to a "
            "new meeting",
        )
    ]
    kept = EventForm(
        code="EXEC",
        day=held_start.date(),
        start=held_start.time(),
        end=(held_start + timedelta(hours=1)).time(),
        cancelled=True,
    )
    assert await save_meeting(ADMIN, held_id, kept, work, TERMS) is not None
    # Still listed, to filter by and for its own meetings' form, marked as not to be chosen anew.
    groups = (await calendar_choices(ADMIN, work)).groups
    assert ("EXEC", exec_name, False) in groups and (
        "NSIG",
        "Neglect Strategy Implementation Group",
        True,
    ) in groups
