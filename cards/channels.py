"""Cards about a team channel's binding to a group: bound, moved, unbound, what it is for, and the
answers when a binding cannot be made (not an admin, not a channel, no such group).

Everything here may be read by everyone in the channel; what a person typed (a group's name that
fits nothing) is shown as plain text.
"""

from __future__ import annotations

from cards.common import Card, card, heading, message_card, plain_text, text

BIND_EXAMPLE = "this channel is for EXEC"


def bound_card(
    group_name: str, group_code: str, *, previous: str = "", unchanged: bool = False
) -> Card:
    if unchanged:
        sentence = f"This channel was already for the {group_name} ({group_code})."
    elif previous:
        sentence = f"This channel is now for the {group_name} ({group_code}), not the {previous}."
    else:
        sentence = f"This channel is now for the {group_name} ({group_code})."
    return card(
        [
            heading("Channel bound", size="Medium"),
            text(sentence),
            text(
                'Anyone here can ask "next meeting" for when it meets (without links). '
                "Everything else I answer privately, in each person's own chat with me.",
                subtle=True,
            ),
        ],
        fallback_text=sentence,
    )


def unbound_card(previous: str) -> Card:
    if previous:
        return message_card("Channel unbound", f"This channel is no longer for the {previous}.")
    return message_card("Channel unbound", "This channel was not bound to a group.")


def purpose_card(group_name: str, group_code: str) -> Card:
    return message_card(
        "What this channel is for",
        f'This channel is for the {group_name} ({group_code}). Ask "next meeting" for when it '
        "meets; anything else I answer privately.",
    )


def not_bound_card(*, is_channel: bool, is_shared: bool = True) -> Card:
    """A conversation with no group: say what is public here and how to bind a channel."""
    if not is_shared:
        return message_card(
            "Your own chat with me",
            "This is your personal chat with me, so you can ask me anything here. The business "
            f'team can bind a team channel to a group by typing "{BIND_EXAMPLE}" in it.',
        )
    if is_channel:
        sentence = (
            "This channel is not bound to a group yet, so I can only give help here. "
            f'Ask the business team to type "{BIND_EXAMPLE}" (with the group\'s code or name) '
            "in this channel."
        )
    else:
        sentence = (
            "In a group chat I can only give help. Ask me in a personal chat, or in a team "
            "channel the business team has bound to your group."
        )
    return message_card("Nothing to show here", sentence)


def no_meeting_card(group_name: str) -> Card:
    return message_card("No meeting planned", f"No meeting of the {group_name} is planned yet.")


def admins_only_card() -> Card:
    return message_card(
        "Business team only",
        "Only the business team can say which group a channel is for. "
        "Ask them if this channel should be bound to a group.",
    )


def channels_only_card() -> Card:
    return message_card(
        "Only in a team channel",
        f'Type "{BIND_EXAMPLE}" in the team channel you want to bind, mentioning me. '
        "Personal chats and group chats cannot be bound to a group.",
    )


def unknown_group_card(words: str, candidates: list[tuple[str, str]]) -> Card:
    """No group fits the words (shown as typed); `candidates` (code, name) fit equally well."""
    body = [heading("Which group?", size="Medium")]
    if words:
        body += [text("I couldn't find one group called:"), plain_text(words)]
    else:
        body.append(text(f'Say which group, for example "{BIND_EXAMPLE}".'))
    if candidates:
        body.append(text("Did you mean one of these? Use its code:", spacing="Medium"))
        body.extend(text(f"{code}: {name}", spacing="None") for code, name in candidates)
    return card(body, fallback_text="Which group?")
