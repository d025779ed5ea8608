"""Courses and groups by the names people call them (issue 20, item 5), against the demo data.

The clock is the demo's reference date, Tuesday 24 November 2026, 09:00 UTC; the aliases are the
demo's (manage/seed_data/demo.yaml).
"""

import pytest

from manage.seed import demo_data
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user


async def ask(harness, text, code="P09"):
    sent = await harness.say(demo_user(code), text)
    assert len(sent) == 1, [s.body for s in sent]
    card = sent[0].cards[0]
    assert_valid_card(card)
    return card_text(card)


async def test_book_me_on_the_domestic_abuse_course_in_march_offers_the_march_session(harness):
    words = await ask(harness, "book me on the domestic abuse course in march")
    assert "Domestic Abuse and its Impact on Children" in words
    assert "Tue 2 Mar 2027, 10:00–12:30" in words
    assert "30 of 30 places left" in words
    assert "Book a place" in words
    assert "Nothing found" not in words
    assert "The session in March 2027: Tue 2 Mar 2027." in words


async def test_domestic_abuse_training_and_the_march_question_agree(harness):
    listed = await ask(harness, "domestic abuse training")
    asked = await ask(harness, "book me on the domestic abuse course in march")
    assert "Tue 2 Mar 2027" in listed and "Tue 2 Mar 2027" in asked


@pytest.mark.parametrize(
    "text",
    [
        "gcp2 course",
        "GCP2 training",
        "book me on gcp2",
        "when is the next graded care profile course",
    ],
)
async def test_gcp2_names_the_graded_care_profile_course(harness, text):
    words = await ask(harness, text)
    assert "Neglect: Using Graded Care Profile 2" in words
    assert "Tue 16 Feb 2027" in words


@pytest.mark.parametrize("text", ["DA training", "when is the next dv course", "da course"])
async def test_course_aliases_name_the_domestic_abuse_course(harness, text):
    words = await ask(harness, text)
    assert "Domestic Abuse and its Impact on Children" in words


def _group_aliases():
    for group in demo_data()["groups"]:
        first = group["aliases"].split(";")[0].strip()
        yield pytest.param(group["id"], group["name"], first, id=f"{group['id']}-{first}")


@pytest.mark.parametrize(("code", "name", "alias"), list(_group_aliases()))
async def test_each_group_is_found_by_an_alias(harness, code, name, alias):
    words = await ask(harness, f"when is the next {alias} meeting", code="P05")
    assert name in words, words
