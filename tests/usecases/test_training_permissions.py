"""Whom a booking is for (`usecases.training`, SQLite and PostgreSQL): a person books and cancels
only for herself; the business team and the system actors may name someone on the roster; a
system actor must name someone. Refusals write nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from domain.permissions import Viewer
from storage.db import make_session_factory
from storage.models import AuditEntry, Booking, CourseSession, Person
from tests.support.training import terms
from usecases import training
from usecases.context import JOBS, UnitOfWork
from usecases.training import BookingRequest, BookResult, CancelResult

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def work(seeded_engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(seeded_engine))


async def t2_and_two_people(work: UnitOfWork) -> tuple[int, int, int]:
    async with work.read() as session:
        t2 = await session.scalar(select(CourseSession.id).where(CourseSession.uid.like("%t2%")))
        first, second = (
            await session.scalars(select(Person.id).order_by(Person.id).limit(2))
        ).all()
    assert t2 is not None
    return t2, first, second


def someone(person_id: int, *, is_admin: bool = False) -> Viewer:
    return Viewer(person_id, f"P{person_id:02d}", "", "", is_admin=is_admin)


async def written(work: UnitOfWork) -> tuple[int, int]:
    async with work.read() as session:
        booked = await session.scalar(select(func.count()).select_from(Booking))
        audited = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "booking")
        )
    return booked or 0, audited or 0


async def test_a_person_cannot_book_or_cancel_for_someone_else(work):
    t2, first, second = await t2_and_two_people(work)
    request = BookingRequest(t2, person_id=second)

    booked = await training.book(someone(first), request, work, now=NOW, terms=terms())
    cancelled = await training.cancel(someone(first), request, work, now=NOW, terms=terms())

    assert booked.result == BookResult.NOT_ALLOWED
    assert cancelled.result == CancelResult.NOT_ALLOWED
    assert await written(work) == (0, 0)


async def test_the_business_team_books_for_someone_and_the_audit_says_who(work):
    t2, admin, other = await t2_and_two_people(work)

    outcome = await training.book(
        someone(admin, is_admin=True),
        BookingRequest(t2, person_id=other),
        work,
        now=NOW,
        terms=terms(),
    )

    assert outcome.result == BookResult.BOOKED
    async with work.read() as session:
        booking = await session.scalar(select(Booking))
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity == "booking"))
    assert booking is not None and booking.person_id == other
    assert entry is not None and (entry.person_id, entry.actor) == (admin, "")


async def test_a_system_actor_must_name_someone_on_the_roster(work):
    t2, first, second = await t2_and_two_people(work)
    async with work.write() as session:
        await session.execute(update(Person).where(Person.id == second).values(active=False))

    nobody = await training.book(JOBS, BookingRequest(t2), work, now=NOW, terms=terms())
    gone = await training.book(JOBS, BookingRequest(t2, second), work, now=NOW, terms=terms())
    named = await training.book(JOBS, BookingRequest(t2, first), work, now=NOW, terms=terms())

    assert (nobody.result, gone.result, named.result) == (
        BookResult.NOT_ALLOWED,
        BookResult.NOT_FOUND,
        BookResult.BOOKED,
    )
    async with work.read() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity == "booking"))
    assert entry is not None and (entry.person_id, entry.actor) == (None, "system:jobs")
