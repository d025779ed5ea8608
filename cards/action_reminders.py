"""Action reminders you can act on: why you are reminded, the action's facts and the update form
inline. Saving (Action.Execute) answers with the same card in its saved state, so the card in the
chat shows what was saved; errors and screening findings come back beside the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cards.actions import FormState, day, save_action_button, update_form_elements
from cards.common import (
    Card,
    Element,
    action_set,
    card,
    container,
    escape_markdown,
    execute,
    facts,
    heading,
    plain_text,
    text,
)
from cards.reminders import plural, reminder_actions
from cards.verbs import Verb
from domain.action_updates import STATUS_LABELS
from domain.action_views import ActionDetail, due_words, overdue_words
from domain.actions import effective_due
from domain.reminders import Kind
from domain.working_days import working_days_between


@dataclass(frozen=True)
class Why:
    headline: str
    sentence: str
    style: str


def why_reminded(kind: str, detail: ActionDetail, today: date) -> Why:
    """The reason for the reminder, in words, from the action as it is today."""
    s = detail.summary
    f = s.facts
    due = effective_due(f)
    if kind == Kind.ACTION_DUE_SOON:
        soon = due_words((due - today).days, working_days_between(today, due))
        return Why(f"{s.reference} is {soon}", f"Due {day(due)}.", "warning")
    if kind == Kind.ACTION_OVERDUE:
        return Why(
            f"{s.reference} is {overdue_words(working_days_between(due, today))}",
            f"It was due {day(due)}. An update, or a new date with a reason, stops these "
            "weekly reminders.",
            "attention",
        )
    if kind == Kind.ACTION_STALE:
        since = f.last_update
        quiet = plural((today - since).days, "day") if since else "a long time"
        return Why(
            f"{s.reference} has had no update for {quiet}",
            "A short note on where it stands keeps the plan honest.",
            "warning",
        )
    if kind == Kind.IMPACT_AWAITED:
        return Why(
            f"{s.reference}: what difference did it make?",
            f"Completed {day(f.completed_on)}; the evidence of its impact is still awaited.",
            "accent",
        )
    return Why(
        f"Escalation: {s.reference} is {overdue_words(working_days_between(due, today))}",
        f"You chair {escape_markdown(s.group_name)}. The lead is "
        f"{escape_markdown(s.lead_name or 'not named')}; "
        f"it was due {day(due)}.",
        "attention",
    )


def _facts(detail: ActionDetail) -> Element:
    s = detail.summary
    f = s.facts
    due = day(f.due_date)
    if f.revised_due_date:
        due += f", revised to {day(f.revised_due_date)}"
    return facts(
        [
            ("Lead", s.lead_name),
            ("Group", s.group_name),
            ("Due", due),
            ("Status", STATUS_LABELS.get(f.status, f.status)),
            ("Last update", day(f.last_update) or "never"),
        ]
    )


def action_reminder_card(
    kind: str,
    detail: ActionDetail,
    today: date,
    *,
    message_id: int | None,
    state: FormState | None = None,
    message: str = "",
    can_update: bool = True,
) -> Card:
    """The reminder with the update form inline (the full form when impact is awaited)."""
    s = detail.summary
    why = why_reminded(kind, detail, today)
    body: list[Element] = [
        container(
            [text(why.headline, weight="Bolder"), text(why.sentence, spacing="None")],
            style=why.style,
        ),
        heading(escape_markdown(s.text), size="Default"),
        _facts(detail),
    ]
    if message:
        body.append(container([text(message, weight="Bolder")], style="attention"))
    if can_update:
        form_state = state or FormState()
        if form_state.errors:
            body.append(text("Please check the fields marked below.", color="Attention"))
        body.extend(
            update_form_elements(
                detail.stored(), today, form_state, compact=kind != Kind.IMPACT_AWAITED
            )
        )
        body.append(
            action_set(
                [
                    save_action_button(
                        s.reference,
                        s.version,
                        form_state.fingerprint,
                        verb=Verb.REMINDER_SAVE_ACTION,
                        message=message_id,
                        kind=str(kind),
                    )
                ]
            )
        )
    actions = [execute("Open action", Verb.ACTION_SHOW, reference=s.reference)]
    actions += reminder_actions(message_id, beside_form=can_update)
    return card(body, actions, fallback_text=why.headline)


def action_reminder_saved_card(
    detail: ActionDetail, today: date, *, confirmed: bool = False, update_id: int | None = None
) -> Card:
    """The reminder after its inline update was saved: what the action now says, and "Undo" for
    the update just saved (`update_id`; its author may take it back within 15 minutes)."""
    s = detail.summary
    note = f"Saved your update of {day(today)}."
    if confirmed:
        note += " Your confirmation that it holds no personal data is recorded."
    latest = detail.updates[0].note if detail.updates else ""
    body: list[Element] = [
        container([text(note, weight="Bolder")], style="good"),
        heading(escape_markdown(f"{s.reference}: {s.text}"), size="Default"),
        _facts(detail),
    ]
    if latest:
        body.append(plain_text(f"Your note: {latest}", subtle=True, size="Small"))
    body.append(
        text(
            "Thank you. I won't remind you about this again unless it drifts.",
            subtle=True,
            size="Small",
        )
    )
    buttons = [execute("Open action", Verb.ACTION_SHOW, reference=s.reference)]
    if update_id is not None:
        buttons.append(execute("Undo", Verb.ACTION_UNDO, update_id=update_id))
    return card(body, buttons, fallback_text=note)
