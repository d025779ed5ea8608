"""Booking and cancelling in test set-ups, through the use cases as the seeding system actor
(which may act for anyone), on the database a test gives."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.training import BookingRules
from usecases import training
from usecases.context import SEED, UnitOfWork
from usecases.meetings import CalendarLinks
from usecases.training import BookingOutcome, BookingRequest, CancelOutcome, TrainingTerms

LONDON = ZoneInfo("Europe/London")
TEST_LINKS = CalendarLinks("https://bot.example", b"test-link-secret")


def terms(rules: BookingRules | None = None, zone: ZoneInfo = LONDON) -> TrainingTerms:
    return TrainingTerms(rules or BookingRules(), zone, TEST_LINKS)


async def book_for(
    sessions: async_sessionmaker[AsyncSession],
    session_id: int,
    person_id: int,
    now: datetime,
    rules: BookingRules | None = None,
) -> BookingOutcome:
    request = BookingRequest(session_id, person_id)
    return await training.book(SEED, request, UnitOfWork(sessions), now=now, terms=terms(rules))


async def cancel_for(
    sessions: async_sessionmaker[AsyncSession],
    session_id: int,
    person_id: int,
    now: datetime,
    rules: BookingRules | None = None,
) -> CancelOutcome:
    request = BookingRequest(session_id, person_id)
    return await training.cancel(SEED, request, UnitOfWork(sessions), now=now, terms=terms(rules))
