"""The bare command titles Teams inserts from the app's command list get real answers."""

import json
from pathlib import Path

import pytest

from tests.support.harness import card_text, demo_user

MANIFEST = Path(__file__).resolve().parents[1] / "appPackage" / "manifest.template.json"


def command_titles() -> list[str]:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return sorted(
        {c["title"] for lst in manifest["bots"][0]["commandLists"] for c in lst["commands"]}
    )


@pytest.mark.parametrize("title", command_titles())
async def test_every_manifest_command_is_understood(harness, title):
    # Joanna is an admin, so admin-only commands answer too.
    sent = await harness.say(demo_user("P05"), title)
    assert sent, f"no answer to {title!r}"
    text = card_text(sent[0].cards[0]) if sent[0].cards else sent[0].text
    assert "didn't understand" not in text, f"{title!r} was not understood"


def personal_descriptions() -> dict[str, str]:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    (personal,) = [
        lst for lst in manifest["bots"][0]["commandLists"] if lst["scopes"] == ["personal"]
    ]
    return {c["title"]: c["description"] for c in personal["commands"]}


async def test_the_command_list_promises_what_the_answers_show(harness):
    """The descriptions Teams shows beside each command say what typing it does (issue 15)."""
    described = personal_descriptions()
    bethany = demo_user("P09")

    upcoming = card_text((await harness.say(bethany, "upcoming"))[0].cards[0])
    assert "The next three months" in upcoming and "three months" in described["upcoming"]
    assert "Overdue" not in upcoming and "deadline" not in described["upcoming"]

    overdue = card_text((await harness.say(bethany, "overdue"))[0].cards[0])
    assert overdue.startswith("Overdue") and "past their due date" in described["overdue"]
    assert "no recent update" not in described["overdue"], "stale actions are another list"

    snoozed = card_text((await harness.say(bethany, "snooze"))[0].cards[0])
    assert snoozed.startswith("Snoozed until") and "Your reminder settings" in snoozed
    assert "all your reminders" in described["snooze"]
