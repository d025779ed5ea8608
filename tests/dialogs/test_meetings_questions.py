"""Questions about meetings and training through the real app (harness + fake connector).

The clock is the demo's reference date, Tuesday 24 November 2026, 09:00 UTC.
"""

from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user


async def ask(harness, code, text):
    sent = await harness.say(demo_user(code), text)
    assert len(sent) == 1, [s.body for s in sent]
    card = sent[0].cards[0]
    assert_valid_card(card)
    return card, card_text(card)


async def test_next_executive_is_a_meeting_card_with_a_calendar_link(harness):
    card, words = await ask(harness, "P01", "When is the next Executive?")
    assert "Executive" in words
    assert "Tue 8 Dec 2026, 10:00–12:30" in words
    urls = [a.get("url", "") for a in card.get("actions", [])]
    assert any("/calendar/" in u and u.endswith(".ics") for u in urls)
    assert any(u.startswith("https://meet.riverside.example/") for u in urls)


async def test_a_non_member_sees_when_but_not_the_links(harness):
    card, words = await ask(harness, "P15", "when is the next exec meeting")
    assert "Tue 8 Dec 2026" in words
    assert "for members of the Executive" in words
    assert not [a for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]


async def test_whats_on_next_week_says_nothing_and_what_comes_next(harness):
    _card, words = await ask(harness, "P09", "what's on next week?")
    assert "I found no meetings or training for next week (w/c Mon 30 Nov 2026)" in words
    assert "The next one is Executive on Tue 8 Dec 2026" in words
    assert "You could ask" in words


async def test_british_dates_03_02_is_the_third_of_february(harness):
    _card, words = await ask(harness, "P09", "meetings on 03/02")
    assert "Joint Exploitation and Missing" in words
    assert "Wed 3 Feb" in words


async def test_training_in_january_lists_the_sessions(harness):
    _card, words = await ask(harness, "P09", "training in January")
    assert "Multi-agency Safeguarding Essentials (Level 3)" in words
    assert "Learning from Local Reviews (briefing)" in words
    assert "Executive" not in words


async def test_neglect_training_opens_the_course_with_a_book_button(harness):
    _card, words = await ask(harness, "P09", "neglect training")
    assert "Neglect: Using Graded Care Profile 2" in words
    assert "20 of 20 places left" in words
    assert "Book a place" in words


async def test_my_meetings_lists_my_groups_meetings_by_date(harness):
    _card, words = await ask(harness, "P09", "my meetings")
    assert "Coming up for you" in words
    assert "Learning Lessons" in words  # P09 is a member
    assert "Joint Exploitation and Missing" not in words  # P09 is not
    assert words.index("Learning Lessons") < words.index("Neglect Champions Network")


async def test_anything_online_this_month_says_so_when_empty(harness):
    _card, words = await ask(harness, "P09", "anything online this month?")
    assert "I found no meetings or training online for the rest of November 2026" in words


async def test_an_unknown_name_is_answered_kindly(harness):
    _card, words = await ask(harness, "P09", "when is the next zumba meeting")
    assert 'couldn\'t find a group or course called "zumba"' in words


async def test_an_impossible_date_is_explained(harness):
    _card, words = await ask(harness, "P09", "meetings on 31/02")
    assert '"31/02" is not a date' in words
    assert "day first" in words
