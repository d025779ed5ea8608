"""Fixtures for reminder tests: the app with a dispatcher, a test kind and outbox helpers."""

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import DISPATCHER, SERVICES
from cards.common import card, text
from config import ReminderSettings, Settings
from storage import outbox
from storage.models import OutboxMessage, Person
from storage.outbox import NewMessage
from tests.conftest import sqlite_url

TEST_KIND = "test_note"


@pytest.fixture
def reminder_settings() -> ReminderSettings:
    # A generous tenant rate keeps tests quick; pacing itself is tested in test_limiter.py.
    return replace(
        ReminderSettings(), per_tenant_per_second=1000.0, per_conversation_per_second=50.0
    )


@pytest.fixture
def app_settings(tmp_path: Path, reminder_settings: ReminderSettings) -> Settings:
    return Settings(
        database_url=sqlite_url(tmp_path), scheduler_enabled=False, reminders=reminder_settings
    )


def settings_on(database_url: str, reminders: ReminderSettings) -> Settings:
    """The app for a module whose tests run on SQLite and, when configured, PostgreSQL (the
    `database_url` fixture's parameters), with these reminder settings and no viewer cache."""
    return Settings(
        database_url=database_url,
        scheduler_enabled=False,
        reminders=reminders,
        viewer_cache_seconds=0,
    )


async def render_note(_session, message, _now):
    if message.payload.get("gone"):
        return None
    if message.payload.get("broken"):
        raise RuntimeError("renderer bug")
    return card([text(f"note {message.subject} {message.occurrence}")], fallback_text="note")


@pytest.fixture
def dispatcher(harness):
    found = harness.app[DISPATCHER]
    if TEST_KIND not in found.renderers:
        found.renderers.register(TEST_KIND, render_note)
    return found


@pytest.fixture
def sessions(harness):
    return harness.app[SERVICES].sessions


async def person_id(sessions, code: str) -> int:
    async with sessions() as session:
        return await session.scalar(select(Person.id).where(Person.code == code))


async def enqueue(sessions, *messages: NewMessage) -> int:
    async with sessions() as session, session.begin():
        return await outbox.enqueue(session, messages)


def note(person: int, subject: str = "n:1", *, when, occurrence: str = "o1", **payload):
    return NewMessage.to_person(TEST_KIND, subject, person, occurrence, when, payload)


async def rows(sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
