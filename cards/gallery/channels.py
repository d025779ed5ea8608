"""The gallery's sample data: every state of the cards in `cards.channels`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from cards.channels import (
    admins_only_card,
    bound_card,
    channels_only_card,
    no_meeting_card,
    not_bound_card,
    purpose_card,
    unbound_card,
    unknown_group_card,
)
from cards.common import Card


def gallery_states() -> list[tuple[str, Card]]:
    return [
        ("channel.bound", bound_card("Executive", "EXEC")),
        ("channel.rebound", bound_card("Executive", "EXEC", previous="Rapid Review Panel")),
        ("channel.unbound", unbound_card("Executive")),
        ("channel.purpose", purpose_card("Executive", "EXEC")),
        ("channel.not_bound", not_bound_card(is_channel=True)),
        ("channel.group_chat", not_bound_card(is_channel=False)),
        ("channel.personal", not_bound_card(is_channel=False, is_shared=False)),
        ("channel.no_meeting", no_meeting_card("Rapid Review Panel")),
        ("channel.admins_only", admins_only_card()),
        ("channel.channels_only", channels_only_card()),
        (
            "channel.unknown_group",
            unknown_group_card(
                "neglect",
                [("NCN", "Neglect Champions Network"), ("NSIG", "Neglect Strategy Group")],
            ),
        ),
    ]
