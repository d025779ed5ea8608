"""Cards that gather many actions on one: a person's weekly digest (instead of single nudges), a
chair's weekly digest of their groups' drift, and the business team's monthly exception report.

They are built at send time from the actions as they are then; each line says why the action is
there (overdue, stale, due soon, impact awaited) and opens the action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cards.common import (
    Card,
    Element,
    card,
    column,
    columns,
    container,
    escape_markdown,
    execute,
    heading,
    text,
)
from cards.reminders import plural, reminder_actions
from cards.verbs import Verb
from domain.wording import shortened

LINES_SHOWN = 12


@dataclass(frozen=True)
class ActionLine:
    """One action on a digest: what it is, whose, and why it is listed."""

    reference: str
    text: str
    lead_name: str
    reason: str
    colour: str = "Attention"


@dataclass(frozen=True)
class GroupSection:
    name: str
    lines: Sequence[ActionLine]


def _short(value: str, limit: int = 110) -> str:
    return shortened(value, limit)


def _line(item: ActionLine) -> Element:
    return container(
        [
            columns(
                column([text(escape_markdown(item.reference), weight="Bolder")], "auto"),
                column([text(escape_markdown(_short(item.text)), spacing="None")]),
            ),
            text(
                escape_markdown(
                    f"{item.reason} · {item.lead_name}" if item.lead_name else item.reason
                ),
                color=item.colour,
                size="Small",
                spacing="None",
            ),
        ],
        separator=True,
        select=execute("Open", Verb.ACTION_SHOW, reference=item.reference),
    )


def _lines(items: Sequence[ActionLine]) -> list[Element]:
    shown = [_line(item) for item in items[:LINES_SHOWN]]
    if len(items) > LINES_SHOWN:
        shown.append(text(f"and {len(items) - LINES_SHOWN} more", subtle=True, size="Small"))
    return shown


def personal_digest_card(
    first_name: str, items: Sequence[ActionLine], *, week_of: date, message_id: int | None
) -> Card:
    body: list[Element] = [
        text(f"Week of {week_of.day} {week_of:%B}", subtle=True, size="Small"),
        heading(
            f"{escape_markdown(first_name)}, {plural(len(items), 'action')} need you", size="Medium"
        ),
        text("You chose one weekly digest instead of single reminders.", subtle=True),
        *_lines(items),
    ]
    actions = [
        execute("My actions", Verb.ACTIONS_MINE),
        execute("Single reminders instead", Verb.REMINDER_DIGEST, on=False),
        *reminder_actions(message_id)[:3],
    ]
    return card(body, actions, fallback_text=f"{plural(len(items), 'action')} need you")


def chair_digest_card(
    first_name: str, sections: Sequence[GroupSection], *, week_of: date, message_id: int | None
) -> Card:
    total = sum(len(s.lines) for s in sections)
    body: list[Element] = [
        text(f"Week of {week_of.day} {week_of:%B}", subtle=True, size="Small"),
        heading(f"{escape_markdown(first_name)}, your groups' drift this week", size="Medium"),
        text(
            f"{plural(total, 'action')} in the groups you chair are overdue, stale or due soon.",
            subtle=True,
        ),
    ]
    for section in sections:
        body.append(text(escape_markdown(section.name), weight="Bolder", spacing="Large"))
        body.extend(_lines(section.lines))
    actions = [execute("Drifting actions", Verb.ACTIONS_LIST), *reminder_actions(message_id)]
    return card(body, actions, fallback_text=f"Your groups' drift: {plural(total, 'action')}")


@dataclass(frozen=True)
class ExceptionReport:
    month: date
    open_count: int
    overdue: Sequence[ActionLine]
    stale: Sequence[ActionLine]
    impact_missing: Sequence[ActionLine]
    unreachable_people: int = 0


def exception_report_card(report: ExceptionReport, *, message_id: int | None) -> Card:
    body: list[Element] = [
        text(f"{report.month:%B %Y}", subtle=True, size="Small"),
        heading("Monthly exception report", size="Medium"),
        text(
            f"Of {plural(report.open_count, 'open action')}: {len(report.overdue)} overdue, "
            f"{len(report.stale)} with no recent update. "
            f"{plural(len(report.impact_missing), 'completed action')} still without evidence "
            "of impact."
        ),
    ]
    for title, items in (
        ("Overdue", report.overdue),
        ("No update for a long time", report.stale),
        ("Impact not yet evidenced", report.impact_missing),
    ):
        if items:
            body.append(text(title, weight="Bolder", spacing="Large"))
            body.extend(_lines(items))
    if report.unreachable_people:
        body.append(
            text(
                f"{plural(report.unreachable_people, 'person')} could not be reached by the bot "
                'this month; type "reminders status" for details.',
                subtle=True,
                size="Small",
            )
        )
    actions = [
        execute("Partnership overview", Verb.ACTIONS_OVERVIEW),
        *reminder_actions(message_id)[:3],
    ]
    return card(body, actions, fallback_text="Monthly exception report")
