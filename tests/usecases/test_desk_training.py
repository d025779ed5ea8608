"""The desk's training rules (`usecases.desk_training`) on SQLite and PostgreSQL: names are the
business team's and the scrutineer's to read, changes the business team's alone; a booking for
someone else is audited naming them, one for oneself (the chat's) as before."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from domain.permissions import Viewer
from storage.db import make_session_factory
from storage.models import AuditEntry, CourseSession, Person
from tests.support.training import terms
from usecases import desk_training
from usecases.context import Refusal, UnitOfWork
from usecases.training import BookingRequest, BookResult, book

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def work(seeded_engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(seeded_engine))


async def viewer(
    work: UnitOfWork,
    code: str,
    *,
    is_admin: bool = False,
    is_scrutineer: bool = False,
    is_champion: bool = False,
) -> Viewer:
    async with work.read() as session:
        person = await session.scalar(select(Person).where(Person.code == code))
    assert person is not None
    return Viewer(
        person.id,
        code,
        person.name,
        person.email,
        is_admin=is_admin,
        is_scrutineer=is_scrutineer,
        is_champion=is_champion,
    )


async def t2(work: UnitOfWork) -> int:
    async with work.read() as session:
        found = await session.scalar(select(CourseSession.id).where(CourseSession.uid.like("%t2%")))
    assert found is not None
    return found


async def test_names_are_read_by_the_business_team_and_the_scrutineer_only(work):
    session_id = await t2(work)
    admin = await viewer(work, "P05", is_admin=True)
    outcome = await desk_training.book_for(admin, session_id, "P15", work, now=NOW, terms=terms())
    assert not isinstance(outcome, Refusal) and outcome.result == BookResult.BOOKED
    for who, names, changes in (
        (admin, True, True),
        (await viewer(work, "P04", is_scrutineer=True), True, False),
        (await viewer(work, "P09", is_champion=True), False, False),
    ):
        page = await desk_training.session_page(who, session_id, work, now=NOW, terms=terms())
        assert not isinstance(page, Refusal)
        assert (page.people is not None, page.can_change, bool(page.roster)) == (
            names,
            changes,
            changes,
        )
        assert page.session.booked == 1


async def test_only_the_business_team_books_removes_or_marks(work):
    session_id = await t2(work)
    for who in (
        await viewer(work, "P04", is_scrutineer=True),
        await viewer(work, "P09", is_champion=True),
    ):
        args = (who, session_id, "P15", work)
        assert await desk_training.book_for(*args, now=NOW, terms=terms()) == Refusal.NOT_ALLOWED
        assert await desk_training.remove_for(*args, now=NOW, terms=terms()) == Refusal.NOT_ALLOWED
        marked = await desk_training.mark(
            who, session_id, frozenset(), work, now=NOW, terms=terms()
        )
        assert marked == Refusal.NOT_ALLOWED


async def test_the_audit_names_the_person_only_when_booked_by_someone_else(work):
    session_id = await t2(work)
    kofi = await viewer(work, "P15")
    await book(kofi, BookingRequest(session_id), work, now=NOW, terms=terms())
    admin = await viewer(work, "P05", is_admin=True)
    await desk_training.book_for(admin, session_id, "P16", work, now=NOW, terms=terms())
    async with work.read() as session:
        rows = list(await session.scalars(select(AuditEntry).where(AuditEntry.entity == "booking")))
    assert {(r.person_id, r.field, r.new_value) for r in rows} == {
        (kofi.person_id, "status", "booked"),
        (admin.person_id, "status", "booked"),
        (admin.person_id, "person", "P16"),
    }


async def test_late_places_are_the_business_teams_for_others_not_anyones_own(work):
    session_id = await t2(work)
    day_before = datetime(2027, 2, 15, 9, tzinfo=UTC)
    kofi = await viewer(work, "P15")
    own = await book(kofi, BookingRequest(session_id), work, now=day_before, terms=terms())
    assert own.result == BookResult.CLOSED
    admin = await viewer(work, "P05", is_admin=True)
    mine = await book(admin, BookingRequest(session_id), work, now=day_before, terms=terms())
    assert mine.result == BookResult.CLOSED
    outcome = await desk_training.book_for(
        admin, session_id, "P15", work, now=day_before, terms=terms()
    )
    assert not isinstance(outcome, Refusal) and outcome.result == BookResult.BOOKED
