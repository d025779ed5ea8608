"""`usecases.people` on SQLite and PostgreSQL: recognising the person behind a Teams user, linking
them by email once, naming a command's actor, and who may manage the partnership's data."""

from __future__ import annotations

from sqlalchemy import select, update

from domain.permissions import Viewer
from storage.db import make_session_factory
from storage.models import Person
from usecases.context import COMMAND_LINE, JOBS, SEED, UnitOfWork
from usecases.people import (
    Recognition,
    TeamsSender,
    ViewerCache,
    actor_named,
    may_manage_partnership_data,
    recognise,
)

BETHANY = "bethany.olufemi@riverside.example"
JOANNA = "joanna.fairclough@riverside.example"


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def sender(aad_object_id: str | None, email: str | None) -> tuple[TeamsSender, list[str]]:
    """A sender whose email lookups are counted (each one is a call to Teams)."""
    asked: list[str] = []

    async def lookup() -> str | None:
        asked.append("email")
        return email

    return TeamsSender(aad_object_id, lookup), asked


async def aad_of(work: UnitOfWork, email: str) -> str | None:
    async with work.read() as session:
        return await session.scalar(select(Person.aad_object_id).where(Person.email == email))


async def test_first_contact_links_by_email_and_later_turns_need_no_email(seeded_engine):
    work = UnitOfWork(make_session_factory(seeded_engine))
    known = Recognition((), ViewerCache(0))
    first, asked = sender("aad-new-bethany", BETHANY.upper())
    viewer = await recognise(first, work, known)
    assert viewer is not None and viewer.code == "P09"
    assert asked == ["email"]
    assert await aad_of(work, BETHANY) == "aad-new-bethany"

    later, asked = sender("aad-new-bethany", None)
    assert (await recognise(later, work, known)) == viewer
    assert asked == []


async def test_an_object_id_is_not_moved_from_the_person_who_has_it(seeded_engine):
    work = UnitOfWork(make_session_factory(seeded_engine))
    known = Recognition((), ViewerCache(0))
    await recognise(sender("aad-bethany", BETHANY)[0], work, known)
    # Someone else's object id arriving with Bethany's email does not take over her record.
    viewer = await recognise(sender("aad-someone-else", BETHANY)[0], work, known)
    assert viewer is not None and viewer.code == "P09"
    assert await aad_of(work, BETHANY) == "aad-bethany"


async def test_strangers_are_not_recognised(seeded_engine):
    work = UnitOfWork(make_session_factory(seeded_engine))
    known = Recognition((), ViewerCache(60))
    assert await recognise(sender("aad-x", "stranger@elsewhere.example")[0], work, known) is None
    assert await recognise(sender(None, None)[0], work, known) is None
    assert known.cache.get("aad-x") is None


async def test_a_cached_viewer_expires_when_it_was_first_read(seeded_engine):
    """Being recognised from the cache does not extend the entry: a roster change still shows
    within the cache's seconds of the last read from the database."""
    work = UnitOfWork(make_session_factory(seeded_engine))
    ticks = Ticks()
    known = Recognition((), ViewerCache(30, clock=ticks))
    await recognise(sender("aad-bethany", BETHANY)[0], work, known)
    ticks.now = 20
    assert await recognise(sender("aad-bethany", None)[0], work, known) is not None
    async with work.write() as session:
        await session.execute(update(Person).where(Person.email == BETHANY).values(active=False))
    ticks.now = 31
    assert await recognise(sender("aad-bethany", None)[0], work, known) is None


async def test_a_command_names_its_actor_by_email_or_code(seeded_engine):
    work = UnitOfWork(make_session_factory(seeded_engine))
    by_email = await actor_named(f"  {JOANNA.upper()} ", work)
    by_code = await actor_named("p05", work)
    assert by_email is not None and by_email == by_code and by_email.is_admin
    settings_admin = await actor_named(BETHANY, work, admin_emails=(BETHANY,))
    assert settings_admin is not None and settings_admin.is_admin
    for nobody in ("", "P99", "nobody@riverside.example", "%", "P0%"):
        assert await actor_named(nobody, work) is None
    async with work.write() as session:
        await session.execute(update(Person).where(Person.email == BETHANY).values(active=False))
    assert await actor_named("P09", work) is None
    assert await actor_named(BETHANY, work) is None


def test_admins_and_the_bot_itself_manage_partnership_data():
    member = Viewer(person_id=9, code="P09", name="B", email=BETHANY, is_champion=True)
    scrutineer = Viewer(person_id=4, code="P04", name="S", email="s@x", is_scrutineer=True)
    admin = Viewer(person_id=5, code="P05", name="J", email=JOANNA, is_admin=True)
    assert may_manage_partnership_data(admin)
    assert not may_manage_partnership_data(member)
    assert not may_manage_partnership_data(scrutineer)
    assert all(may_manage_partnership_data(system) for system in (COMMAND_LINE, JOBS, SEED))
