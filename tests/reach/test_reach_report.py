"""The reach report in chat: for the business team only, counts by reason, no names."""

from __future__ import annotations

from sqlalchemy import select, update

from bot import SERVICES
from storage import installs
from storage.models import Person
from storage.models.installs import InstallWork
from tests.support.harness import card_text, demo_user


async def test_an_admin_sees_the_counts_and_what_to_do(harness, clock):
    sessions = harness.app[SERVICES].sessions
    await harness.install(demo_user("P07"))
    async with sessions() as session, session.begin():
        people = list(await session.scalars(select(Person).where(Person.active.is_(True))))
        p09 = next(p for p in people if p.code == "P09")
        p10 = next(p for p in people if p.code == "P10")
        for person in (p09, p10):
            person.aad_object_id = f"e-{person.code}"
        await installs.request_installs(session, [p10.id], now=clock())
        await session.execute(
            update(InstallWork).where(InstallWork.person_id == p10.id).values(status="blocked")
        )
    sent = await harness.say(demo_user("P05"), "reach report")
    shown = card_text(sent[-1].cards[0])
    assert "Reach report" in shown
    assert "Installs through Microsoft Graph are off" in shown
    lines = shown.splitlines()
    assert lines[lines.index("On the roster") + 1] == f"{len(people)}"
    assert lines[lines.index("Blocked by policy") + 1].startswith("1 ")
    assert "Permission policies" in shown
    assert "P09" not in shown and p09.name not in shown


async def test_anyone_else_is_told_it_is_for_the_business_team(harness):
    sent = await harness.say(demo_user("P09"), "reach report")
    assert "for the business team" in card_text(sent[-1].cards[0])
