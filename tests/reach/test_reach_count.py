"""Who the bot can reach now, will install for first, and cannot reach and why: the rules, the
count over the database, and the draft card that shows it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from cards.broadcasts import AnnouncementView, AudienceSummary, DraftView, draft_card
from domain.broadcasts import Content
from domain.reach import Reach, ReachCount, count_reach, reach_of
from storage import conversations, installs
from storage.db import make_session_factory
from storage.models.installs import InstallWork
from tests.reach.support import add_people
from usecases.reach import reach_count


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"chat": True, "linked": False, "install_status": None}, Reach.REACHABLE),
        ({"chat": False, "linked": True, "install_status": None}, Reach.REMOVED),
        ({"chat": None, "linked": True, "install_status": None}, Reach.NO_CHAT),
        ({"chat": None, "linked": True, "install_status": "working"}, Reach.INSTALLING),
        ({"chat": None, "linked": False, "install_status": None}, Reach.NOT_LINKED),
        ({"chat": None, "linked": True, "install_status": "blocked"}, Reach.BLOCKED),
        ({"chat": None, "linked": True, "install_status": "not_found"}, Reach.NOT_FOUND),
        ({"chat": None, "linked": True, "install_status": "failed"}, Reach.FAILED),
        (
            {
                "chat": None,
                "linked": False,
                "install_status": "not_found",
                "install_reason": "not_linked",
            },
            Reach.NOT_LINKED,
        ),
    ],
)
def test_reach_of_one_person(facts, expected):
    assert reach_of(install_first=True, **facts) == expected


def test_with_installs_off_nobody_is_installed_for():
    assert reach_of(chat=None, linked=True, install_status=None, install_first=False) == (
        Reach.NOT_INSTALLED
    )


def test_the_count_puts_the_commonest_reason_first():
    count = count_reach(
        [
            Reach.REACHABLE,
            Reach.NO_CHAT,
            Reach.INSTALLING,
            Reach.BLOCKED,
            Reach.NOT_LINKED,
            Reach.NOT_LINKED,
        ]
    )
    assert (count.now, count.install_first, count.cannot_total) == (1, 2, 3)
    assert count.cannot_words() == (
        "2 not found in Entra by work email; 1 blocked by a Teams app policy"
    )


async def test_the_count_over_the_database(engine: AsyncEngine, clock):
    sessions = make_session_factory(engine)
    chatting, installable, blocked, removed = await add_people(sessions, 4)
    [unlinked] = await add_people(sessions, 1, linked=False)
    async with sessions() as session, session.begin():
        for person, active in ((chatting, True), (removed, False)):
            await conversations.save_reference(
                session,
                conversation_id=f"c-{person}",
                conversation_type="personal",
                service_url="https://smba.example/",
                tenant_id="t",
                reference={},
                person_id=person,
            )
            if not active:
                await conversations.deactivate(session, f"c-{person}")
        await installs.request_installs(session, [blocked], now=clock())
        await session.execute(
            update(InstallWork).where(InstallWork.person_id == blocked).values(status="blocked")
        )
    async with sessions() as session:
        count = await reach_count(session, [chatting, installable, blocked, removed, unlinked])
    assert count == ReachCount(
        now=1,
        install_first=1,
        cannot=((Reach.BLOCKED, 1), (Reach.NOT_LINKED, 1), (Reach.REMOVED, 1)),
    )


def test_the_draft_card_says_who_is_installed_first_and_who_cannot_be_reached():
    summary = AudienceSummary(
        "Everyone", people=6, reachable=1, to_install=3, why_not="2 blocked by a Teams app policy"
    )
    card = draft_card(DraftView(AnnouncementView(1, Content(title="T", body="B")), summary))
    shown = json.dumps(card)
    assert '"Installed first", "value": "3 \\\\(the bot is installed for them' in shown
    assert "2: 2 blocked by a Teams app policy" in shown
    assert "Send now: reaches 4 of 6" in shown
