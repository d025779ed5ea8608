"""First end-to-end turns through the real app and the fake connector."""

from tests.support.harness import STRANGER, card_text, demo_user


async def test_known_person_gets_help(harness):
    sent = await harness.say(demo_user("P09"), "help")
    assert len(sent) == 1
    assert "Here's what I can do" in card_text(sent[0].cards[0])


async def test_stranger_is_told_how_to_be_added(harness):
    sent = await harness.say(STRANGER, "my actions")
    assert "I don't know you yet" in card_text(sent[0].cards[0])
