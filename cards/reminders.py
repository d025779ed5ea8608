"""Reminder cards: the buttons every reminder carries (snooze, pause, digest), people's reminder
settings, the statutory clock (rapid review) countdown and its forms, and the admins' outbox status.

Every reminder is rendered at send time from current data, so what a card says is true when it
arrives. Buttons are Universal Actions: a click answers with a card that replaces the one clicked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from cards.common import (
    ButtonData,
    Card,
    Element,
    action_set,
    card,
    container,
    date_input,
    error_text,
    escape_markdown,
    execute,
    facts,
    heading,
    open_url,
    submit,
    text,
    text_input,
    titled,
)
from cards.verbs import Verb
from domain.reminders import ClockView, ReminderPreferences
from domain.send_times import QuietHours, local_date

LONDON = ZoneInfo("Europe/London")


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%B %Y}"


def instant_label(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# -- the buttons on every reminder ----------------------------------------------------------------


def reminder_actions(
    message_id: int | None, *, pause_from: date | None = None, beside_form: bool = False
) -> list[Element]:
    """Snooze, pause until a date (leave) and digest instead: on every reminder card.

    Beside an update form the pause date cannot sit in a "Pause until…" panel: a button in a
    panel sends its parent card's inputs too, so the form's required progress note would hold
    it up. There the button opens the pause form as a card of its own.
    """
    data: ButtonData = {"message": message_id} if message_id is not None else {}
    pause = (
        execute("Pause until…", Verb.REMINDER_PAUSE_FORM)
        if beside_form
        else _pause_panel(data, pause_from)
    )
    return [
        execute("Snooze until tomorrow", Verb.REMINDER_SNOOZE, until="tomorrow", **data),
        execute("Snooze a week", Verb.REMINDER_SNOOZE, until="next_week", **data),
        pause,
        execute("Weekly digest instead", Verb.REMINDER_DIGEST, on=True, **data),
    ]


def _pause_panel(data: ButtonData, pause_from: date | None) -> Element:
    pause_card = {
        "type": "AdaptiveCard",
        "body": [
            date_input(
                "paused_until",
                "Start my reminders again on",
                value=pause_from.isoformat() if pause_from else "",
                required=True,
            )
        ],
        "actions": [execute("Pause reminders", Verb.REMINDER_PAUSE, **data)],
    }
    return {"type": "Action.ShowCard", "title": "Pause until…", "card": pause_card}


# -- people's settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferencesView:
    """What a person's reminder settings card shows."""

    preferences: ReminderPreferences
    default_quiet_hours: QuietHours | None
    zone: ZoneInfo = LONDON
    now: datetime | None = None

    @property
    def snoozed(self) -> bool:
        snoozed = self.preferences.snoozed_until
        return snoozed is not None and (self.now is None or snoozed > self.now)

    @property
    def paused(self) -> bool:
        paused = self.preferences.paused_until
        today = local_date(self.now, self.zone) if self.now else None
        return paused is not None and (today is None or paused > today)


def preferences_card(view: PreferencesView, *, banner: str = "", error: str = "") -> Card:
    prefs = view.preferences
    quiet = prefs.quiet_hours or view.default_quiet_hours
    quiet_label = quiet.label() if quiet else "none"
    quiet_label += " (yours)" if prefs.quiet_hours else " (the partnership's)"
    pairs = [
        (
            "Snoozed until",
            instant_label(prefs.snoozed_until, view.zone)
            if view.snoozed and prefs.snoozed_until
            else "not snoozed",
        ),
        (
            "Paused until",
            day_label(prefs.paused_until) if view.paused and prefs.paused_until else "not paused",
        ),
        ("Action reminders", "one weekly digest" if prefs.digest_only else "one at a time"),
        ("Quiet hours", quiet_label),
    ]
    body: list[Element] = []
    if banner:
        body.append(container([text(banner, weight="Bolder")], style="good"))
    if error:
        body.append(container([text(error, color="Attention")], style="attention"))
    body += [
        heading("Your reminder settings", size="Medium"),
        facts(pairs),
        text(
            'You can also type: "snooze until monday", "pause reminders until 5 January", '
            '"digest only", "single reminders", "quiet hours 18:00-08:00", "quiet hours off".',
            subtle=True,
            size="Small",
        ),
    ]
    actions: list[Element] = []
    if view.snoozed or view.paused:
        actions.append(execute("Resume reminders now", Verb.REMINDER_RESUME))
    actions.append(
        execute("Single reminders", Verb.REMINDER_DIGEST, on=False)
        if prefs.digest_only
        else execute("Weekly digest instead", Verb.REMINDER_DIGEST, on=True)
    )
    if not view.paused:
        actions.append(reminder_actions(None)[2])
    if prefs.quiet_hours:
        actions.append(execute("Use the partnership's quiet hours", Verb.REMINDER_QUIET_DEFAULT))
    return card(body, actions, fallback_text="Your reminder settings")


def pause_form_card(*, value: str = "", error: str = "") -> Card:
    """Asked when someone types "pause reminders" without a day, or gave one we cannot use."""
    body: list[Element] = [
        heading("Pause your reminders", size="Medium"),
        text("I'll send you no reminders until the day you choose, then carry on as before."),
        date_input("paused_until", "Start my reminders again on", value=value, required=True),
    ]
    if error:
        body.append(error_text(error))
    return card(
        body,
        [execute("Pause reminders", Verb.REMINDER_PAUSE)],
        fallback_text="Pause your reminders",
    )


# -- meetings and training ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventReminder:
    """A meeting or training session someone is reminded of, as the card shows it."""

    headline: str
    title: str
    subtitle: str
    when: str
    how: str
    where: str
    join_url: str = ""
    calendar_url: str = ""
    open_verb: Verb | None = None
    open_data: dict[str, int] | None = None
    notes: tuple[str, ...] = ()


def event_reminder_card(event: EventReminder, *, message_id: int | None) -> Card:
    """A reminder of a meeting or training session: when, where, how to join, add to calendar."""
    body: list[Element] = [
        text(event.headline, weight="Bolder", color="Accent"),
        *titled(escape_markdown(event.title), escape_markdown(event.subtitle)),
    ]
    body.append(facts([("When", event.when), ("How", event.how), ("Where", event.where)]))
    # A meeting's theme, as the business team typed it, is among the notes.
    body.extend(text(escape_markdown(note), size="Small") for note in event.notes)
    actions: list[Element] = []
    if event.join_url:
        actions.append(open_url("Join on Teams", event.join_url))
    if event.calendar_url:
        actions.append(open_url("Add to calendar", event.calendar_url))
    if event.open_verb is not None:
        open_data: ButtonData = dict(event.open_data or {})
        actions.append(submit("Open", event.open_verb, **open_data))
    actions += reminder_actions(message_id)[:2]
    return card(body, actions, fallback_text=f"{event.headline}: {event.title}")


# -- statutory clocks -----------------------------------------------------------------------------


def _countdown_colour(days_left: int) -> str:
    if days_left <= 2:
        return "Attention"
    if days_left <= 5:
        return "Warning"
    return "Good"


def _countdown_text(days_left: int) -> str:
    if days_left <= 0:
        return "Due today"
    return f"{plural(days_left, 'working day')} left"


def rapid_review_card(
    clock: ClockView, *, message_id: int | None, working_days_total: int = 15
) -> Card:
    """The Rapid Review Panel's countdown to the rapid review's due date."""
    days_left = clock.working_days_left
    body: list[Element] = [
        text("Statutory clock: rapid review", subtle=True, size="Small"),
        heading(f"{escape_markdown(clock.reference)}: {_countdown_text(days_left)}", size="Medium"),
        text(
            _countdown_text(days_left),
            size="ExtraLarge",
            weight="Bolder",
            color=_countdown_colour(days_left),
        ),
        facts(
            [
                ("Notification", day_label(clock.notified_on)),
                ("Rapid review due", day_label(clock.due_on)),
                ("Clock", f"{working_days_total} working days from the notification"),
            ]
        ),
        text(
            "The rapid review must be completed and sent to the National Panel by the due date. "
            "Weekends and bank holidays are not counted.",
            subtle=True,
            size="Small",
        ),
    ]
    actions = [execute("Open rapid reviews", Verb.CLOCK_LIST), *reminder_actions(message_id)]
    return card(
        body,
        actions,
        fallback_text=f"Rapid review {clock.reference}: {_countdown_text(days_left)}",
    )


def clock_form_card(
    *, reference: str = "", notified_on: str = "", errors: dict[str, str] | None = None
) -> Card:
    errors = errors or {}
    body: list[Element] = [
        heading("Record a serious incident notification", size="Medium"),
        text(
            "I'll work out when the rapid review is due and remind the Rapid Review Panel as the "
            "date comes closer. Use the partnership's own reference only: no names, dates of "
            "birth or case numbers."
        ),
        text_input(
            "reference",
            "Reference",
            value=reference,
            placeholder="RR-2026-04",
            max_length=32,
            required=True,
        ),
    ]
    if errors.get("reference"):
        body.append(error_text(errors["reference"]))
    body.append(
        date_input(
            "notified_on", "Date the notification was made", value=notified_on, required=True
        )
    )
    if errors.get("notified_on"):
        body.append(error_text(errors["notified_on"]))
    return card(
        body,
        [execute("Record notification", Verb.CLOCK_RECORD, style="positive")],
        fallback_text="Record a serious incident notification",
    )


def clock_recorded_card(clock: ClockView, reminder_days: Sequence[date]) -> Card:
    schedule = ", ".join(f"{d:%a} {d.day} {d:%b}" for d in sorted(reminder_days)) or "none left"
    return card(
        [
            container(
                [text(f"Recorded {escape_markdown(clock.reference)}", weight="Bolder")],
                style="good",
            ),
            heading(f"Rapid review due {day_label(clock.due_on)}", size="Medium"),
            facts(
                [
                    ("Notification", day_label(clock.notified_on)),
                    ("Working days left", str(max(clock.working_days_left, 0))),
                    ("Panel reminders", schedule),
                ]
            ),
        ],
        [execute("Open rapid reviews", Verb.CLOCK_LIST)],
        fallback_text=f"Recorded {clock.reference}: rapid review due {day_label(clock.due_on)}",
    )


def clocks_card(clocks: Sequence[ClockView], *, can_manage: bool, today: date) -> Card:
    body: list[Element] = [heading("Rapid reviews", size="Medium")]
    if not clocks:
        body.append(text("No serious incident notifications are recorded.", subtle=True))
    for clock in clocks:
        if clock.closed_on is not None:
            status = f"Completed {day_label(clock.closed_on)}"
            colour = "Good"
        elif clock.due_on < today:
            status = "Overdue: not marked complete"
            colour = "Attention"
        else:
            status = _countdown_text(clock.working_days_left)
            colour = _countdown_colour(clock.working_days_left)
        items: list[Element] = [
            text(escape_markdown(clock.reference), weight="Bolder"),
            text(status, color=colour, spacing="None"),
            facts(
                [
                    ("Notification", day_label(clock.notified_on)),
                    ("Due", day_label(clock.due_on)),
                ]
            ),
        ]
        if can_manage and clock.closed_on is None:
            items.append(
                action_set(
                    [execute("Mark rapid review complete", Verb.CLOCK_CLOSE, clock=clock.clock_id)]
                )
            )
        body.append(container(items, separator=True, spacing="Medium"))
    actions = [execute("Record a notification", Verb.CLOCK_FORM)] if can_manage else None
    return card(body, actions, fallback_text="Rapid reviews")


# -- the admins' view of the outbox ---------------------------------------------------------------


@dataclass(frozen=True)
class ErrorLine:
    kind: str
    status: str
    error: str
    at: datetime | None
    attempts: int


def outbox_status_card(
    counts: dict[str, int],
    errors: Sequence[ErrorLine],
    *,
    next_due: datetime | None,
    zone: ZoneInfo = LONDON,
) -> Card:
    body: list[Element] = [
        heading("Reminders status", size="Medium"),
        facts(
            [
                ("Waiting to send", str(counts.get("pending", 0) + counts.get("sending", 0))),
                ("Sent", str(counts.get("sent", 0))),
                ("Failed", str(counts.get("failed", 0))),
                ("Unreachable", str(counts.get("unreachable", 0))),
                ("Cancelled", str(counts.get("cancelled", 0))),
                ("Next due", instant_label(next_due, zone) if next_due else "nothing waiting"),
            ]
        ),
    ]
    if errors:
        body.append(text("Last errors", weight="Bolder", spacing="Medium"))
        body.append(
            facts(
                [
                    (
                        instant_label(e.at, zone) if e.at else "-",
                        f"{e.kind}: {e.error} ({e.status}, {plural(e.attempts, 'attempt')})",
                    )
                    for e in errors
                ]
            )
        )
        body.append(
            text(
                "Unreachable means the person removed or blocked the bot (or never installed "
                "it); they get reminders again once they install it.",
                subtle=True,
                size="Small",
            )
        )
    else:
        body.append(text("No errors recorded.", subtle=True))
    return card(body, [execute("Refresh", Verb.REMINDERS_STATUS)], fallback_text="Reminders status")
