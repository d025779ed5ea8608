"""Group and priority names kept between turns: read once, forgotten by any write this process
commits, and read again once they are older than the time they are kept for."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from storage.db import make_session_factory
from storage.models import Group
from usecases.context import ReferenceNames, UnitOfWork


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions(seeded_engine):
    return make_session_factory(seeded_engine)


async def names_of(work: UnitOfWork) -> dict[str, str]:
    async with work.read() as session:
        groups, priorities = await work.group_and_priority_names(session)
    assert priorities, "the demo partnership has priorities"
    return dict(groups)


async def rename_behind_its_back(sessions, code: str, name: str) -> None:
    """A change made elsewhere (another instance, the command line)."""
    async with sessions() as session, session.begin():
        await session.execute(update(Group).where(Group.code == code).values(name=name))


async def test_names_are_kept_until_they_expire(sessions, clock):
    work = UnitOfWork(sessions, ReferenceNames(30, clock=clock))
    code, name = next(iter((await names_of(work)).items()))
    await rename_behind_its_back(sessions, code, "Renamed elsewhere")
    assert (await names_of(work))[code] == name
    clock.now += 30
    assert (await names_of(work))[code] == "Renamed elsewhere"


async def test_a_write_through_the_unit_of_work_forgets_them(sessions, clock):
    work = UnitOfWork(sessions, ReferenceNames(30, clock=clock))
    code = next(iter(await names_of(work)))
    async with work.write() as session:
        await session.execute(update(Group).where(Group.code == code).values(name="Renamed here"))
    assert (await names_of(work))[code] == "Renamed here"


async def test_a_write_that_fails_keeps_them(sessions, clock):
    work = UnitOfWork(sessions, ReferenceNames(30, clock=clock))
    code, name = next(iter((await names_of(work)).items()))
    with pytest.raises(RuntimeError):
        async with work.write() as session:
            await session.execute(update(Group).where(Group.code == code).values(name="Undone"))
            raise RuntimeError("refused")
    assert (await names_of(work))[code] == name


@pytest.mark.parametrize("names", [None, ReferenceNames(0)])
async def test_without_keeping_them_every_read_asks_the_database(sessions, names):
    work = UnitOfWork(sessions, names)
    code = next(iter(await names_of(work)))
    await rename_behind_its_back(sessions, code, "Renamed elsewhere")
    assert (await names_of(work))[code] == "Renamed elsewhere"
