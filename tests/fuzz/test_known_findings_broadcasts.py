"""Announcements' known findings, pinned as plain examples on SQLite and PostgreSQL (the fuzz app,
tests/fuzz/conftest.py), so they stay fixed whatever the random draw:

- "Got it" (`broadcast_ack`, open to everyone on the roster) with any announcement's id answered
  with its title and body: an admin's unsent draft, a scheduled one, one sent to other people.
  Only a recipient of a sent announcement may acknowledge it or see it; anyone else gets exactly
  the answer for an id that does not exist, and nothing is recorded.
- Ids past PostgreSQL's integer, past any integer, or "²" (which passes `str.isdigit`) made
  `broadcast_ack` raise (HTTP 501 or "something went wrong"); now they are out of date.
- "²" in the compose card's reminder days or audience choices made "Save draft" raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import DISPATCHER
from cards.data import MAX_ROW_ID
from cards.verbs import Verb
from storage.models import Announcement, AnnouncementAck, Group
from tests.fuzz.conftest import BETHANY, FuzzApp
from tests.fuzz.test_hostile_input import assert_card_answer, post_and_check
from tests.support.harness import TeamsUser, card_text, demo_user

ADMIN = demo_user("P05")
OUT_OF_DATE = "That card is out of date or wrong"
NO_SUCH_ID = MAX_ROW_ID  # a valid id that names no announcement
TITLES = {
    "draft": "Unsent draft: restructure of the business team",
    "scheduled": "Scheduled: Executive away day agenda",
    "sent_to_others": "Executive only: budget position",
    "sent_to_her": "Neglect champions: new toolkit",
}
BODY = "Confidential until it is sent."


@dataclass(frozen=True)
class Announcements:
    """Ids by what became of each announcement; Bethany (P09) is in NCN, not in EXEC."""

    ids: dict[str, int]


def execute_activity(app: FuzzApp, user: TeamsUser, verb: Verb | str, data: Any) -> dict[str, Any]:
    value = {
        "action": {"type": "Action.Execute", "verb": str(verb), "data": data},
        "trigger": "manual",
    }
    return app.harness.activity(user, type="invoke", name="adaptiveCard/action", value=value)


async def click(app: FuzzApp, user: TeamsUser, verb: Verb | str, data: Any) -> dict[str, Any]:
    status, payload, _ = await post_and_check(app, execute_activity(app, user, verb, data))
    return assert_card_answer(status, payload)


async def group_id(app: FuzzApp, code: str) -> int:
    async with app.sessions() as session:
        found = await session.scalar(select(Group.id).where(Group.code == code))
    assert found is not None
    return found


async def saved_draft(app: FuzzApp, key: str, group: str) -> int:
    form = {"title": TITLES[key], "body": BODY, "groups": str(await group_id(app, group))}
    await click(app, ADMIN, Verb.BROADCAST_SAVE, form)
    async with app.sessions() as session:
        found = await session.scalar(
            select(Announcement.id).where(Announcement.title == form["title"])
        )
    assert found is not None
    return found


@pytest.fixture
async def announcements(fuzz_app: FuzzApp) -> Announcements:
    ids = {
        "draft": await saved_draft(fuzz_app, "draft", "NCN"),
        "scheduled": await saved_draft(fuzz_app, "scheduled", "NCN"),
        "sent_to_others": await saved_draft(fuzz_app, "sent_to_others", "EXEC"),
        "sent_to_her": await saved_draft(fuzz_app, "sent_to_her", "NCN"),
    }
    when = {"send_date": "2026-12-01", "send_time": "10:00"}
    await click(
        fuzz_app, ADMIN, Verb.BROADCAST_SCHEDULE, {"announcement_id": ids["scheduled"], **when}
    )
    for key in ("sent_to_others", "sent_to_her"):
        await click(fuzz_app, ADMIN, Verb.BROADCAST_SEND, {"announcement_id": ids[key]})
    await fuzz_app.harness.app[DISPATCHER].drain()
    return Announcements(ids)


async def acks(app: FuzzApp) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(func.count()).select_from(AnnouncementAck)) or 0


@pytest.mark.parametrize("key", ["draft", "scheduled", "sent_to_others"])
async def test_got_it_on_an_announcement_she_did_not_receive_is_as_if_it_did_not_exist(
    fuzz_app: FuzzApp, announcements: Announcements, key: str
):
    """Was the announcement's card, title and body, for any id: an admin's unsent draft too."""
    unknown = await click(fuzz_app, BETHANY, Verb.BROADCAST_ACK, {"announcement_id": NO_SUCH_ID})
    before = await fuzz_app.snapshot()

    card = await click(
        fuzz_app, BETHANY, Verb.BROADCAST_ACK, {"announcement_id": announcements.ids[key]}
    )

    assert card == unknown
    assert TITLES[key] not in card_text(card)
    assert BODY not in card_text(card)
    assert await fuzz_app.snapshot() == before


async def test_got_it_from_a_recipient_of_a_sent_announcement_is_recorded(
    fuzz_app: FuzzApp, announcements: Announcements
):
    card = await click(
        fuzz_app, BETHANY, Verb.BROADCAST_ACK, {"announcement_id": announcements.ids["sent_to_her"]}
    )

    assert TITLES["sent_to_her"] in card_text(card)
    assert "You acknowledged this on" in card_text(card)
    assert await acks(fuzz_app) == 1


@pytest.mark.parametrize("ident", [10**30, "9" * 40, "²", 2**31, str(2**31)])
async def test_got_it_with_an_id_no_column_can_hold_is_out_of_date(fuzz_app: FuzzApp, ident: Any):
    """Was a crash (HTTP 501, or "something went wrong" to a message): int("²") raises, and the
    others reached the query (integer out of range on PostgreSQL, an overflow on SQLite)."""
    before = await fuzz_app.snapshot()

    card = await click(fuzz_app, BETHANY, Verb.BROADCAST_ACK, {"announcement_id": ident})

    assert card_text(card).startswith(OUT_OF_DATE)
    assert await fuzz_app.snapshot() == before


@pytest.mark.parametrize(
    ("field", "problem"),
    [("ack_days", "whole number of working days"), ("groups", "no longer exist")],
)
async def test_a_superscript_digit_in_the_compose_card_is_a_problem_beside_its_field(
    fuzz_app: FuzzApp, field: str, problem: str
):
    """Was a crash: "²" passes `str.isdigit`, and `int("²")` raises."""
    await click(fuzz_app, ADMIN, Verb.BROADCAST_LIST, {})  # links the admin's Teams account first
    before = await fuzz_app.snapshot()
    form = {"title": "Training", "body": "New dates.", "everyone": "true", field: "²"}

    card = await click(fuzz_app, ADMIN, Verb.BROADCAST_SAVE, form)

    assert problem in card_text(card)
    assert "²" in card_text(card)  # kept as typed
    assert await fuzz_app.snapshot() == before
