"""The gallery's sample data: every state of the cards in `cards.welcome`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from cards.common import (
    Card,
)
from cards.welcome import (
    DIDNT_CATCH,
    help_card,
    not_sent_privately_card,
    sent_privately_card,
    suggestions_card,
    unknown_person_card,
    welcome_card,
)


def gallery_states() -> list[tuple[str, Card]]:
    topics = [('"help"', "what I can do"), ('"my actions"', "actions you lead or chair")]
    partnership = "Riverside Safeguarding Children Partnership"
    return [
        (
            "welcome.known",
            welcome_card("Bethany Olufemi", ("chair", "champion", "member"), topics, partnership),
        ),
        ("welcome.unknown", unknown_person_card("partnership@riverside.example", partnership)),
        ("help.plain", help_card(topics)),
        ("help.unknown_text", help_card(topics, unknown_text=True, suggestions=["my actions"])),
        (
            "help.didnt_catch",
            suggestions_card(DIDNT_CATCH, ["my actions", "what do I need to do?"]),
        ),
        ("shared.sent_privately", sent_privately_card()),
        ("shared.not_sent_privately", not_sent_privately_card()),
    ]
