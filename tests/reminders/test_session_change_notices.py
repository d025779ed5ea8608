"""A training session moved by a calendar import, end to end: the import queues the notice, the
dispatcher sends the card rendered from the session as it is then, and its "Cancel my place" works;
someone who cancelled in between gets nothing. SQLite and, when configured, PostgreSQL."""

from pathlib import Path

import pytest
from sqlalchemy import select

from bot import SERVICES
from config import ReminderSettings, Settings
from storage.models import CourseSession
from tests.reminders.conftest import settings_on
from tests.reminders.test_promotion_notices import button, cards_to, click, t2_card
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user
from usecases.calendar_import import ImportOptions, import_calendar
from usecases.context import COMMAND_LINE, UnitOfWork

PERSON = "P09"


@pytest.fixture
def app_settings(database_url: str, reminder_settings: ReminderSettings) -> Settings:
    return settings_on(database_url, reminder_settings)


async def book_t2(harness) -> None:
    await click(harness, PERSON, button(await t2_card(harness, PERSON), "Book a place"))


async def move_t2_to_the_23rd(harness, tmp_path: Path) -> int:
    """Import a calendar moving T2 from Tue 16 to Tue 23 February; how many people to tell."""
    sessions = harness.app[SERVICES].sessions
    async with sessions() as session:
        uid = await session.scalar(select(CourseSession.uid).where(CourseSession.uid.like("%t2%")))
    path = tmp_path / "calendar.csv"
    path.write_text(
        f"kind,course,date,start,end,uid\nsession,T2,23/02/2027,09:30,16:00,{uid}\n",
        encoding="utf-8",
    )
    options = ImportOptions(zone=harness.settings.zone, now=harness.clock.now)
    return (await import_calendar(COMMAND_LINE, path, UnitOfWork(sessions), options)).people_to_tell


async def test_the_booked_person_gets_the_card_and_can_cancel_from_it(
    harness, dispatcher, tmp_path
):
    await harness.install(demo_user(PERSON))
    await book_t2(harness)
    assert await move_t2_to_the_23rd(harness, tmp_path) == 1
    before = len(harness.connector.sent)
    await dispatcher.drain()
    (card,) = cards_to(harness, PERSON, before)
    assert_valid_card(card)
    shown = card_text(card)
    assert "Your training session has a new time" in shown
    assert "Tue 16 Feb 2027, 09:30–16:00 (UK time)" in shown
    assert "Tue 23 Feb 2027, 09:30–16:00 (UK time)" in shown
    assert button(card, "Add to calendar")["url"].endswith(".ics")

    refreshed = await click(harness, PERSON, button(card, "Cancel my place"))
    assert "Your place on Tue 23 Feb 2027 is cancelled." in card_text(refreshed)


async def test_nothing_is_sent_to_someone_who_cancelled_before_it_went(
    harness, dispatcher, tmp_path
):
    await harness.install(demo_user(PERSON))
    await book_t2(harness)
    assert await move_t2_to_the_23rd(harness, tmp_path) == 1
    await click(harness, PERSON, button(await t2_card(harness, PERSON), "Cancel my place"))
    before = len(harness.connector.sent)
    assert await dispatcher.run_once() == {"cancelled": 1}
    assert cards_to(harness, PERSON, before) == []
