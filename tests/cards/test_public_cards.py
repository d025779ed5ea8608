"""Cards posted to a shared conversation (a team channel, a group chat) never carry a link: no
Teams join link, no agenda, no signed calendar link, whatever the facts they are built from hold."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cards.gallery import channels
from cards.meetings import public_meeting_card
from domain.meetings import MeetingFacts, Mode
from tests.support.cards import assert_valid_card
from usecases.channels import public_meeting

ZONE = ZoneInfo("Europe/London")
PANEL = MeetingFacts(
    id=7,
    group_id=4,
    group_code="RRP",
    group_name="Rapid Review Panel",
    title="Rapid Review Panel",
    starts_at=datetime(2027, 1, 12, 9, 30, tzinfo=UTC),
    ends_at=datetime(2027, 1, 12, 11, 30, tzinfo=UTC),
    mode=Mode.HYBRID,
    venue="Riverside Civic Centre Room 2",
    online_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting_rrp",
    agenda_url="https://riverside.example/meetings/rrp/agenda",
    notes="Child F: rapid review",
)


def strings(node: Any, key: str = "") -> list[str]:
    if isinstance(node, dict):
        return [s for k, value in node.items() for s in strings(value, k)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return [node] if isinstance(node, str) and key != "$schema" else []


def assert_no_links(card: dict[str, Any]) -> None:
    assert_valid_card(card)
    found = [s for s in strings(card) if "http" in s.lower() or "://" in s]
    assert found == [], found
    assert "Action.OpenUrl" not in strings(card)


def test_the_public_meeting_card_has_no_link_even_when_the_facts_hold_them():
    card = public_meeting_card("Rapid Review Panel", PANEL, ZONE)

    assert_no_links(card)
    assert "actions" not in card
    assert "Riverside Civic Centre Room 2 and on Teams" in strings(card)


def test_the_use_case_strips_the_way_in_and_the_theme_before_any_card_is_built():
    shown = public_meeting(PANEL)

    assert (shown.online_url, shown.agenda_url, shown.notes) == ("", "", "")
    assert (shown.starts_at, shown.venue, shown.mode) == (PANEL.starts_at, PANEL.venue, PANEL.mode)


@pytest.mark.parametrize("name, card", channels.gallery_states(), ids=lambda v: str(v)[:30])
def test_no_channel_card_carries_a_link(name, card):
    assert_no_links(card)
