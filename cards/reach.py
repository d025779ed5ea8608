"""The reach report for the business team: how many people on the roster the bot can reach,
could install itself for, and could not, with what to do about each (docs/deploy.md, "Reaching
everyone"). Counts only: no names, so it is safe wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cards.common import Card, card, facts, heading, message_card, text


@dataclass(frozen=True)
class ReachView:
    on_roster: int
    installed: int
    installable: int
    installing: int = 0
    blocked: int = 0
    not_found: int = 0
    not_linked: int = 0
    failed: int = 0
    removed: int = 0
    guests: int = 0
    installs_on: bool = False


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({round(100 * part / whole)}%)" if whole else f"{part:,}"


# What each reason means and how to fix it (docs/deploy.md, "Reaching everyone"); the chat's card
# and the desk's reach page say the same.
FIXES = {
    "installable_off": (
        "Installable: the bot can install itself for them once IT turns on "
        "GRAPH_PROACTIVE_INSTALL (docs/deploy.md, 'Reaching everyone')."
    ),
    "installable_on": (
        "Installable: the bot installs itself for them when a message is due to them."
    ),
    "blocked": (
        "Blocked: a Teams app permission policy stops the app for them. IT allows it in the "
        "Teams admin center (Teams apps > Permission policies), then 'Resend to failed'."
    ),
    "not_found": (
        "Not found: Graph does not know them or they have no Teams licence. IT checks the "
        "account and licence."
    ),
    "not_linked": (
        "Not linked: their work email was not found in Entra. Correct the roster's email, "
        "then IT runs 'python -m manage link-entra'."
    ),
    "failed": "Failed: Microsoft Graph kept failing. 'Resend to failed' tries again.",
    "removed": "Removed: they removed or blocked the bot themselves; it is not put back.",
    "guests": "Guests are left out of announcements to groups and agencies.",
}


def _fixes(view: ReachView) -> Iterable[str]:
    if view.installable:
        yield FIXES["installable_on" if view.installs_on else "installable_off"]
    for reason in ("blocked", "not_found", "not_linked", "failed", "removed", "guests"):
        if getattr(view, reason):
            yield FIXES[reason]


def reach_report_card(view: ReachView) -> Card:
    whole = view.on_roster
    body = [
        heading("Reach report", size="Medium"),
        text(
            "Installs through Microsoft Graph are on."
            if view.installs_on
            else "Installs through Microsoft Graph are off: only people who opened the bot "
            "can be reached.",
            subtle=True,
        ),
        facts(
            [
                ("On the roster", f"{whole:,}"),
                ("Installed", _share(view.installed, whole)),
                ("Installable", _share(view.installable, whole) if view.installable else "0"),
                ("Being installed", _share(view.installing, whole) if view.installing else ""),
                ("Blocked by policy", _share(view.blocked, whole) if view.blocked else "0"),
                ("Not found", _share(view.not_found, whole) if view.not_found else "0"),
                ("Not linked to Entra", _share(view.not_linked, whole) if view.not_linked else ""),
                ("Install failed", _share(view.failed, whole) if view.failed else ""),
                ("Removed the bot", _share(view.removed, whole) if view.removed else ""),
                ("Guests", f"{view.guests:,}"),
            ]
        ),
    ]
    body += [text(line, size="Small", subtle=True) for line in _fixes(view)]
    summary = f"Reach: {view.installed:,} of {whole:,} have the bot"
    return card(body, fallback_text=summary)


def admins_only_card() -> Card:
    return message_card("Reach report", "The reach report is for the business team.")
