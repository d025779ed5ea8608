"""Whether the bot can reach a person, and why not: the rules behind the audience count before a
send, the delivery report's reasons and the reach report.

A person is reachable when the bot has an active personal chat with them. Otherwise, with
GRAPH_PROACTIVE_INSTALL=on, the bot is installed for them first when they are linked to Entra and
no install has been refused; the rest cannot be reached, each for one reason. With it off, nobody
is installed for: everyone without a chat "has not installed the bot".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Reach(StrEnum):
    REACHABLE = "reachable"
    # No chat yet, linked to Entra, no install refused: installable.
    NO_CHAT = "no_chat"
    INSTALLING = "installing"
    # They removed or blocked the bot themselves: it is not installed back.
    REMOVED = "uninstalled"
    NOT_LINKED = "not_linked"
    BLOCKED = "install_blocked"
    NOT_FOUND = "install_not_found"
    FAILED = "install_failed"
    # Installs are off and there is no chat.
    NOT_INSTALLED = "not_installed"


INSTALLABLE = frozenset({Reach.NO_CHAT, Reach.INSTALLING})
# Why a message's install did not happen: its copy fails with this reason, and "resend to
# failed" asks for the install again.
INSTALL_REFUSALS = frozenset({Reach.BLOCKED, Reach.NOT_FOUND, Reach.FAILED, Reach.NOT_LINKED})

# The install queue's finished statuses (storage.models.installs) as reasons.
_REFUSED = {"blocked": Reach.BLOCKED, "not_found": Reach.NOT_FOUND, "failed": Reach.FAILED}
_UNDER_WAY = frozenset({"pending", "working"})

WORDS = {
    Reach.NOT_INSTALLED: "have not installed the bot",
    Reach.REMOVED: "removed or blocked the bot",
    Reach.NOT_LINKED: "not found in Entra by work email",
    Reach.BLOCKED: "blocked by a Teams app policy",
    Reach.NOT_FOUND: "no Teams licence, or not in Entra",
    Reach.FAILED: "install kept failing",
}


def reach_of(
    *,
    chat: bool | None,
    linked: bool,
    install_status: str | None,
    install_reason: str | None = None,
    install_first: bool,
) -> Reach:
    """One person's reach. `chat`: None when the bot never had a personal chat with them, else
    whether it is still active."""
    if chat:
        return Reach.REACHABLE
    if chat is False:
        return Reach.REMOVED
    if not install_first:
        return Reach.NOT_INSTALLED
    if install_status in _REFUSED:
        if install_reason == "not_linked":
            return Reach.NOT_LINKED
        return _REFUSED[install_status]
    if not linked:
        return Reach.NOT_LINKED
    if install_status in _UNDER_WAY:
        return Reach.INSTALLING
    return Reach.NO_CHAT


@dataclass(frozen=True)
class ReachCount:
    """How many of some people can be reached now, will be installed for first, and cannot be
    reached, by reason (most common first)."""

    now: int = 0
    install_first: int = 0
    cannot: tuple[tuple[Reach, int], ...] = ()

    @property
    def cannot_total(self) -> int:
        return sum(count for _, count in self.cannot)

    def cannot_words(self) -> str:
        """'2 blocked by a Teams app policy; 1 not found in Entra by work email'."""
        return "; ".join(f"{count:,} {WORDS[reason]}" for reason, count in self.cannot)


def count_reach(states: Iterable[Reach]) -> ReachCount:
    tally = Counter(states)
    now = tally.pop(Reach.REACHABLE, 0)
    first = sum(tally.pop(state, 0) for state in INSTALLABLE)
    cannot = tuple(sorted(tally.items(), key=lambda item: (-item[1], item[0].value)))
    return ReachCount(now, first, cannot)
