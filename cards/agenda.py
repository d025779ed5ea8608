"""The 'what needs you' card: a person's overdue and due-soon actions, the updates and evidence
of impact they owe, their groups' drift for a chair, what is coming up, and whether their
reminders are held."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from cards.actions import action_list_item
from cards.common import Card, Element, card, container, heading, submit, text
from cards.meetings import UpcomingItem, upcoming_item_element
from cards.reminders import day_label, instant_label
from cards.verbs import Verb
from domain.action_views import ActionSummary
from domain.actions import RagThresholds

# Each part shows its first few; the lists behind the buttons show the rest.
SHOWN_PER_PART = 4


@dataclass(frozen=True)
class NeedsYouView:
    """What the card shows, in the order people act on it."""

    today: date  # for the lines' RAG and drift words
    thresholds: RagThresholds
    parts: Sequence[tuple[str, Sequence[ActionSummary]]]
    coming_up: Sequence[UpcomingItem] = ()
    snoozed_until: datetime | None = None
    paused_until: date | None = None
    chairs: bool = False


def needs_you_card(view: NeedsYouView, zone: ZoneInfo) -> Card:
    body: list[Element] = [heading("What needs you", size="Medium")]
    held = _held_line(view, zone)
    if held:
        body.append(container([text(held, size="Small")], style="warning", spacing="Small"))
    parts = [(title, items) for title, items in view.parts if items]
    if not parts:
        body.append(text("Nothing needs you right now: no action of yours is late or due soon."))
    for title, items in parts:
        body.append(text(f"{title} ({len(items)})", weight="Bolder", spacing="Medium"))
        body.extend(
            action_list_item(item, view.today, view.thresholds) for item in items[:SHOWN_PER_PART]
        )
        if len(items) > SHOWN_PER_PART:
            more = len(items) - SHOWN_PER_PART
            body.append(text(f"and {more} more", subtle=True, size="Small", spacing="None"))
    if view.coming_up:
        body.append(text("Coming up for you", weight="Bolder", spacing="Medium"))
        body.extend(upcoming_item_element(item, zone) for item in view.coming_up)
    buttons = [submit("My actions", Verb.ACTIONS_MINE), submit("My meetings", Verb.UPCOMING_MINE)]
    if view.chairs:
        buttons.append(submit("Drifting in my groups", Verb.ACTIONS_LIST, status="overdue"))
    return card(body, buttons, fallback_text=_fallback(parts))


def _held_line(view: NeedsYouView, zone: ZoneInfo) -> str:
    if view.paused_until:
        return (
            f"Your reminders are paused until {day_label(view.paused_until)}. "
            'Type "resume reminders" to have them back.'
        )
    if view.snoozed_until:
        return f"Your reminders are snoozed until {instant_label(view.snoozed_until, zone)}."
    return ""


def _fallback(parts: Sequence[tuple[str, Sequence[ActionSummary]]]) -> str:
    if not parts:
        return "Nothing needs you right now."
    return "What needs you: " + ", ".join(f"{title} {len(items)}" for title, items in parts)
