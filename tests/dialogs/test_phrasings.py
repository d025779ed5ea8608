"""Everyday wording (issue 20, item 4): the labelled phrasing set in tests/data/phrasings.json is
understood, the issue's ten examples reach the right command, unrelated text still falls to the
short "didn't catch that" answer, and that answer offers two or three commands as buttons."""

from pathlib import Path

import pytest

from cards.welcome import DIDNT_CATCH
from dialogs.features import build_registry
from dialogs.phrasings import load, measure, report, understood_as
from dialogs.wording import corrected, normalise
from tests.support.harness import card_text, demo_user

PHRASINGS = Path(__file__).parents[1] / "data" / "phrasings.json"
BETHANY = demo_user("P09")

# The issue's words, each with the command it means and what that command must be handed.
ISSUE_EXAMPLES = [
    ("thanks!", "thanks", {}),
    ("hiya", "hello", {}),
    ("cancel my gcp2 place", "training.find", {"q": "gcp2"}),
    ("im on leave til 4th jan", "pause", {"date": "4th jan"}),
    ("turn reminders back on", "resume", {}),
    ("whats drifting in learning lessons", "drift", {"scope": "learning lessons"}),
    ("show me A10", "action", {"reference": "a10"}),
    ("mark A14 as complete", "update action", {"reference": "a14"}),
    ("how did my announcement go", "announcements", {}),
    ("who hasn't updated their actions", "drift", {"status": "stale"}),
]
UNRELATED = [
    "what colour is the sky",
    "tell me a joke",
    "the weather is nice",
    "drop table users; --",
    "<script>alert(1)</script>",
    "cancel that",
    "thanks for nothing",
    "is it going to rain",
    "asdfghjkl",
]


def test_the_phrasing_set_is_big_and_covers_every_command_in_the_help():
    phrasings = load(PHRASINGS)
    assert len(phrasings) >= 300
    registry = build_registry()
    names = {command.name for command in registry.commands}
    assert {p.command for p in phrasings} <= names
    helped = {entry.example for entry in registry.help_entries}
    in_help = {c.name for c in registry.commands if f'"{c.example}"' in helped}
    covered = {p.command for p in phrasings}
    assert in_help <= covered, in_help - covered


def test_the_router_understands_at_least_95_percent_of_the_set():
    accuracy = measure(load(PHRASINGS), build_registry())
    assert accuracy.ratio >= 0.95, report(accuracy)


@pytest.mark.parametrize(("text", "command", "data"), ISSUE_EXAMPLES)
def test_the_issues_examples_reach_their_command(text, command, data):
    got, given = understood_as(build_registry(), text)
    assert got == command
    assert {key: given.get(key) for key in data} == data


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_text_still_falls_to_the_miss(text):
    assert build_registry().match(normalise(text)) is None


def test_typos_are_corrected_only_towards_the_bots_words():
    assert corrected("actoins") == "actions"
    assert corrected("remidner") == "reminder"
    assert corrected("that") == "that"  # one letter from "what", and an everyday word
    assert corrected("there") == "there"
    assert corrected("gcp2") == "gcp2"


def test_normalise_makes_curly_quotes_and_chat_spelling_plain():
    assert normalise("I’m on leave til 4th Jan, pls!") == "i'm on leave until 4th jan"
    assert normalise("  can you   show my actoins?? ") == "show my actions"


async def test_a_miss_is_a_short_answer_with_three_suggested_commands_and_help(harness):
    sent = await harness.say(BETHANY, "could you do the thing with the stuff")

    assert len(sent) == 1
    body = sent[0].body
    assert body["text"] == DIDNT_CATCH
    assert not body.get("attachments")  # not the help card
    actions = body["suggestedActions"]["actions"]
    assert 3 <= len(actions) <= 4
    assert all(a["type"] == "imBack" and a["value"] == a["title"] for a in actions)
    assert actions[-1]["value"] == "help"


async def test_a_miss_suggests_what_the_words_resemble(harness):
    sent = await harness.say(BETHANY, "my actons pls now")
    values = [a["value"] for a in sent[0].body["suggestedActions"]["actions"]]
    assert values[0] == "my actions"


async def test_typed_help_still_gives_the_whole_help(harness):
    sent = await harness.say(BETHANY, "help")
    assert "Here's what I can do" in card_text(sent[0].cards[0])


@pytest.mark.parametrize(("text", "command", "data"), ISSUE_EXAMPLES)
async def test_the_issues_examples_are_answered_not_missed(harness, text, command, data):
    sent = await harness.say(BETHANY, text)

    assert sent, text
    said = " ".join(s.text + " ".join(card_text(c) for c in s.cards) for s in sent)
    assert DIDNT_CATCH not in said
    assert "Here's what I can do" not in said
    if text == "cancel my gcp2 place":  # the course card, with its Cancel button
        assert "Graded Care Profile 2" in said
    if command == "thanks":
        assert [s.text for s in sent] == ["You're welcome."]
        assert not sent[0].cards
