"""The first cards people see: welcome (known people), how to get added (unknown), and help; and
the short notices a channel or group chat gets when the answer went to someone's personal chat."""

from __future__ import annotations

from cards.common import (
    Card,
    Element,
    card,
    escape_markdown,
    facts,
    first_name,
    heading,
    submit,
    text,
)
from cards.verbs import Verb

# What people can type; each feature adds its lines through `HelpTopic`s given by the router.
HelpTopic = tuple[str, str]


# A welcome fits a phone screen: the first few things to try, and Help for the rest.
WELCOME_TOPICS = 5


def welcome_card(
    name: str, roles: tuple[str, ...], topics: list[HelpTopic], partnership: str
) -> Card:
    first = first_name(name)
    role_line = ", ".join(roles)
    return card(
        [
            heading(f"Welcome, {escape_markdown(first)}"),
            text(
                f"I'm the {partnership} assistant: partnership actions, meetings and training, "
                "and reminders when something needs you."
            ),
            text(f"You're set up as: {escape_markdown(role_line)}.", subtle=True),
            text("Things you can ask me", weight="Bolder", spacing="Medium"),
            facts(topics[:WELCOME_TOPICS]),
            text(
                "Business information only, please: never details about children or families.",
                subtle=True,
                size="Small",
            ),
        ],
        [submit("Everything I can do", Verb.HELP)],
        fallback_text=f"Welcome, {first}. Type help to see what I can do.",
    )


def unknown_person_card(contact_email: str, partnership: str) -> Card:
    return card(
        [
            heading("I don't know you yet", size="Medium"),
            text(
                f"I'm the {partnership} assistant, for members of its groups and networks. "
                "Your Teams account isn't on the partnership's roster, so I can't show you "
                "anything yet."
            ),
            text(
                f"To be added, email the partnership business team at {contact_email} with your "
                "name, work email, agency and role. Once you're on the roster, say hello again."
            ),
        ],
        fallback_text="You're not on the partnership roster yet; ask the business team to add you.",
    )


def help_card(
    topics: list[HelpTopic], *, unknown_text: bool = False, suggestions: list[str] | None = None
) -> Card:
    body = [heading("Here's what I can do", size="Medium")]
    if unknown_text:
        body.insert(0, text("Sorry, I didn't understand that.", weight="Bolder"))
    body.append(facts(topics))
    if suggestions:
        body.append(
            text(
                "Did you mean: " + " · ".join(f'"{escape_markdown(s)}"' for s in suggestions),
                subtle=True,
            )
        )
    return card(body, fallback_text="Type help to see what I can do.")


DIDNT_CATCH = "Sorry, I didn't catch that."


def typed_button(words: str) -> Element:
    """A button that sends `words` as if typed (Teams' imBack on an Action.Submit)."""
    return {
        "type": "Action.Submit",
        "title": words,
        "data": {"msteams": {"type": "imBack", "value": words}},
        "associatedInputs": "none",
    }


def suggestions_card(sentence: str, suggestions: list[str]) -> Card:
    """A sentence with the words to try as buttons, and Help for everything: the short answer
    to words the bot did not understand, in a channel or group chat (Teams shows suggested
    actions in a personal chat only)."""
    return card(
        [text(sentence, weight="Bolder"), text("Did you mean one of these?", subtle=True)],
        [*(typed_button(words) for words in suggestions), submit("Help", Verb.HELP)],
        fallback_text=f"{sentence} Type help to see what I can do.",
    )


SENT_PRIVATELY = "I've sent you that privately, in our chat."
NOT_SENT_PRIVATELY = (
    "That answer is just for you, and I couldn't reach you in our chat. "
    "Open a chat with me and ask there."
)


def sent_privately_card() -> Card:
    """All a shared conversation sees of an answer meant for one person: nothing of the answer."""
    return card([text(SENT_PRIVATELY, subtle=True)], fallback_text=SENT_PRIVATELY)


def not_sent_privately_card() -> Card:
    """The answer could not reach the person's personal chat; it is not shown here instead."""
    return card([text(NOT_SENT_PRIVATELY, subtle=True)], fallback_text=NOT_SENT_PRIVATELY)
