"""Reminders in conversation: people's reminder preferences (typed or from the buttons on every
reminder), the statutory clocks the business team records, and the admins' outbox status.

Preferences are per person and honoured by the planners and again by the dispatcher at send time,
so a snooze or pause chosen after a reminder was planned still holds.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from cards.action_reminders import action_reminder_card, action_reminder_saved_card
from cards.actions import FormState, not_found_card, not_yours_to_update_card
from cards.reminders import (
    ClockView,
    ErrorLine,
    PreferencesView,
    clock_form_card,
    clock_recorded_card,
    clocks_card,
    day_label,
    instant_label,
    outbox_status_card,
    pause_form_card,
    preferences_card,
)
from cards.verbs import Verb
from config.reminder_rules import reminder_rules, send_rules
from dialogs.registry import Registry, Reply, Turn
from domain.permissions import Viewer
from domain.reminder_preferences import (
    SNOOZE_CHOICES,
    parse_day,
    parse_quiet_hours,
    pause_problem,
    snooze_until,
    snooze_until_day,
)
from domain.reminders import (
    Kind,
    ReminderPreferences,
    rapid_review_due,
    working_days_left,
)
from domain.send_times import local_date
from domain.working_days import add_working_days
from storage import actions as action_store
from storage import outbox, reminders
from storage.models import StatutoryClock

log = logging.getLogger(__name__)

# The partnership's own reference for a notification: a short prefix and numbers (RR-2026-04,
# SI/26/7), so that neither a name nor an NHS or case number fits in it.
_REFERENCE = re.compile(r"^[A-Z]{1,5}[-/]?\d{1,4}([-/]\d{1,4}){0,2}$")


def _viewer(turn: Turn) -> Viewer:
    assert turn.viewer is not None  # the router answers unknown people before any handler runs
    return turn.viewer


def _today(turn: Turn) -> date:
    return local_date(turn.now, turn.services.settings.zone)


def _message_id(data: dict[str, Any]) -> int | None:
    value = data.get("message")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


async def _settings_reply(
    turn: Turn, preferences: ReminderPreferences, *, banner: str = "", error: str = ""
) -> Reply:
    rules = send_rules(turn.services.settings)
    view = PreferencesView(preferences, rules.quiet_hours, rules.zone, now=turn.now)
    return Reply(card=preferences_card(view, banner=banner, error=error), text=banner or None)


# -- preferences ----------------------------------------------------------------------------------


async def show_settings(turn: Turn, _data: dict[str, Any]) -> Reply:
    async with turn.services.sessions() as session:
        preferences = await reminders.preferences_of(session, _viewer(turn).person_id)
    return await _settings_reply(turn, preferences)


async def snooze(turn: Turn, data: dict[str, Any]) -> Reply:
    rules = send_rules(turn.services.settings)
    viewer = _viewer(turn)
    choice = data.get("until")
    when = str(data.get("when") or "").strip()
    if choice in SNOOZE_CHOICES:
        until = snooze_until(str(choice), turn.now, rules)
    elif when:
        day = parse_day(when, _today(turn))
        if day is None or day <= _today(turn):
            return Reply.message(
                "I couldn't use that day",
                'Try "snooze until tomorrow", "snooze until monday" or "snooze until 5 January".',
            )
        until = snooze_until_day(day, rules)
    else:
        until = snooze_until("tomorrow", turn.now, rules)
    message_id = _message_id(data)
    async with turn.services.sessions() as session, session.begin():
        preferences = await reminders.update_preferences(
            session, viewer.person_id, snoozed_until=until
        )
        repeated = message_id is not None and await outbox.repeat_later(
            session, message_id, person_id=viewer.person_id, not_before=until
        )
    log.info("person %s snoozed reminders", viewer.person_id)
    banner = f"Snoozed until {instant_label(until, rules.zone)}."
    if repeated:
        banner += " I'll send you this reminder again then."
    return await _settings_reply(turn, preferences, banner=banner)


async def pause(turn: Turn, data: dict[str, Any]) -> Reply:
    raw = str(data.get("paused_until") or data.get("date") or "").strip()
    today = _today(turn)
    until = parse_day(raw, today) if raw else None
    problem = pause_problem(until, today)
    if problem or until is None:
        return Reply(card=pause_form_card(value=raw if until else "", error=problem))
    viewer = _viewer(turn)
    async with turn.services.sessions() as session, session.begin():
        preferences = await reminders.update_preferences(
            session, viewer.person_id, paused_until=until
        )
    log.info("person %s paused reminders", viewer.person_id)
    return await _settings_reply(
        turn,
        preferences,
        banner=f"Reminders paused. They start again on {day_label(until)}.",
    )


async def ask_pause_date(_turn: Turn, _data: dict[str, Any]) -> Reply:
    return Reply(card=pause_form_card())


async def resume(turn: Turn, _data: dict[str, Any]) -> Reply:
    viewer = _viewer(turn)
    async with turn.services.sessions() as session, session.begin():
        preferences = await reminders.update_preferences(
            session, viewer.person_id, snoozed_until=None, paused_until=None
        )
    return await _settings_reply(turn, preferences, banner="Reminders are back on.")


def _wants_digest(data: dict[str, Any]) -> bool:
    value = data.get("on", True)
    if isinstance(value, str):
        return value.strip().lower() not in {"false", "0", "no", "off"}
    return bool(value)


async def digest(turn: Turn, data: dict[str, Any]) -> Reply:
    viewer = _viewer(turn)
    wanted = _wants_digest(data)
    async with turn.services.sessions() as session, session.begin():
        preferences = await reminders.update_preferences(
            session, viewer.person_id, digest_only=wanted
        )
    banner = (
        "You'll get one weekly digest of your actions instead of single reminders."
        if wanted
        else "You'll get action reminders one at a time again."
    )
    return await _settings_reply(turn, preferences, banner=banner)


async def single_reminders(turn: Turn, _data: dict[str, Any]) -> Reply:
    return await digest(turn, {"on": False})


async def quiet_hours(turn: Turn, data: dict[str, Any]) -> Reply:
    raw = str(data.get("hours") or "").strip()
    quiet = parse_quiet_hours(raw)
    viewer = _viewer(turn)
    if quiet is None:
        async with turn.services.sessions() as session:
            preferences = await reminders.preferences_of(session, viewer.person_id)
        return await _settings_reply(
            turn,
            preferences,
            error='I couldn\'t read those times. Try "quiet hours 18:00-08:00".',
        )
    async with turn.services.sessions() as session, session.begin():
        preferences = await reminders.update_preferences(
            session, viewer.person_id, quiet_hours=quiet
        )
    return await _settings_reply(
        turn, preferences, banner=f"No reminders between {quiet.start:%H:%M} and {quiet.end:%H:%M}."
    )


async def default_quiet_hours(turn: Turn, _data: dict[str, Any]) -> Reply:
    viewer = _viewer(turn)
    async with turn.services.sessions() as session, session.begin():
        preferences = await reminders.update_preferences(
            session, viewer.person_id, quiet_hours=None
        )
    return await _settings_reply(turn, preferences, banner="Using the partnership's quiet hours.")


# -- the update form on an action reminder --------------------------------------------------------

ACTION_KINDS = (
    Kind.ACTION_DUE_SOON,
    Kind.ACTION_OVERDUE,
    Kind.ACTION_STALE,
    Kind.IMPACT_AWAITED,
    Kind.ESCALATION,
)


async def save_from_reminder(turn: Turn, data: dict[str, Any]) -> Reply:
    """Save the update typed into a reminder card; the card comes back saved (replacing the
    reminder in the chat) or with what to fix beside the fields. Nudges still waiting about this
    action for this person are cancelled: the update answers them."""
    viewer = _viewer(turn)
    reference = str(data.get("reference") or "").strip()
    kind = str(data.get("kind") or "")
    kind = kind if kind in ACTION_KINDS else Kind.ACTION_OVERDUE
    message_id = _message_id(data)
    settings = turn.services.settings
    today = _today(turn)
    async with turn.services.sessions() as session, session.begin():
        result = await action_store.save_action_update(
            session,
            viewer,
            reference,
            data,
            turn.now,
            allowed_email_domains=settings.partnership_email_domains,
            zone=settings.zone,
        )
        detail = await action_store.action_detail(session, result.reference)
        if result.saved and detail is not None:
            await outbox.cancel_pending(
                session,
                subject=f"action:{detail.reference}",
                kinds=[str(k) for k in ACTION_KINDS],
                person_id=viewer.person_id,
                reason="updated",
            )
    log.info("reminder save by %s on %s: %s", viewer.code, result.reference, result.outcome)
    if detail is None or result.outcome == "not_found":
        return Reply(card=not_found_card(result.reference or "(none)"))
    if result.outcome == "forbidden":
        return Reply(card=not_yours_to_update_card(detail.reference))
    if result.saved:
        confirmed = result.check is not None and result.check.confirmed
        return Reply(card=action_reminder_saved_card(detail, today, confirmed=confirmed))
    check = result.check
    assert check is not None  # every outcome but not_found and forbidden carries the check
    state = FormState(check.values, check.errors, check.findings, check.fingerprint)
    message = ""
    if result.outcome == "conflict":
        message = (
            f"Someone else updated {detail.reference} while this card was open. The form shows "
            "the latest saved state with what you typed; check it and save again."
        )
    card = action_reminder_card(
        kind, detail, today, message_id=message_id, state=state, message=message
    )
    return Reply(card=card)


# -- the admins' status ---------------------------------------------------------------------------


async def status(turn: Turn, _data: dict[str, Any]) -> Reply:
    if not _viewer(turn).is_admin:
        return Reply.message("Admins only", "Reminders status is for the business team.")
    async with turn.services.sessions() as session:
        counts = await outbox.status_counts(session)
        errors = await outbox.recent_errors(session)
        next_due = await outbox.next_due(session)
    lines = [ErrorLine(e.kind, e.status, e.error, e.at, e.attempts) for e in errors]
    return Reply(
        card=outbox_status_card(counts, lines, next_due=next_due, zone=turn.services.settings.zone)
    )


# -- statutory clocks -----------------------------------------------------------------------------


async def _panel_roles(turn: Turn) -> tuple[bool, bool]:
    """(may read rapid reviews, may record and close them) for the person in this turn."""
    viewer = _viewer(turn)
    async with turn.services.sessions() as session:
        panel = await reminders.group_id_by_code(session, reminders.RAPID_REVIEW_GROUP)
    chairs_panel = panel is not None and panel in viewer.chaired_group_ids
    manages = viewer.is_admin or chairs_panel
    reads = manages or viewer.reads_everything or (panel is not None and panel in viewer.group_ids)
    return reads, manages


def _view(clock: StatutoryClock, today: date) -> ClockView:
    return ClockView(
        clock.id,
        clock.reference,
        clock.notified_on,
        clock.due_on,
        working_days_left(today, clock.due_on),
        clock.closed_on,
    )


async def list_clocks(turn: Turn, _data: dict[str, Any]) -> Reply:
    reads, manages = await _panel_roles(turn)
    if not reads:
        return Reply.message(
            "Not available to you",
            "Rapid reviews are shown to the Rapid Review Panel and the business team.",
        )
    today = _today(turn)
    async with turn.services.sessions() as session:
        clocks = await reminders.recent_clocks(session, today)
    return Reply(
        card=clocks_card([_view(c, today) for c in clocks], can_manage=manages, today=today)
    )


async def clock_form(turn: Turn, _data: dict[str, Any]) -> Reply:
    _reads, manages = await _panel_roles(turn)
    if not manages:
        return Reply.message(
            "Admins only", "Serious incident notifications are recorded by the business team."
        )
    return Reply(card=clock_form_card())


def _clock_errors(reference: str, notified_raw: str, today: date) -> tuple[dict[str, str], date]:
    errors: dict[str, str] = {}
    if not _REFERENCE.match(reference):
        errors["reference"] = (
            "Use the partnership's reference: a short prefix and numbers, like RR-2026-04 "
            "(no names, no NHS or case numbers)."
        )
    try:
        notified_on = date.fromisoformat(notified_raw)
    except ValueError:
        errors["notified_on"] = "Please give the date the notification was made."
        return errors, today
    if notified_on > today:
        errors["notified_on"] = "The notification date can't be in the future."
    return errors, notified_on


async def record_clock(turn: Turn, data: dict[str, Any]) -> Reply:
    _reads, manages = await _panel_roles(turn)
    if not manages:
        return Reply.message(
            "Admins only", "Serious incident notifications are recorded by the business team."
        )
    typed = str(data.get("reference") or "").strip()
    reference = typed.upper()
    notified_raw = str(data.get("notified_on") or "").strip()
    today = _today(turn)
    errors, notified_on = _clock_errors(reference, notified_raw, today)
    if errors:
        return Reply(card=clock_form_card(reference=typed, notified_on=notified_raw, errors=errors))
    rules = reminder_rules(turn.services.settings)
    due_on = rapid_review_due(notified_on, rules)
    try:
        async with turn.services.sessions() as session, session.begin():
            clock = await reminders.record_clock(
                session,
                reference=reference,
                notified_on=notified_on,
                due_on=due_on,
                recorded_by=_viewer(turn).person_id,
            )
    except reminders.DuplicateReference:
        return Reply(
            card=clock_form_card(
                reference=typed,
                notified_on=notified_raw,
                errors={"reference": f"{reference} is already recorded."},
            )
        )
    log.info("statutory clock %s recorded", clock.id)
    reminder_days = [
        add_working_days(due_on, -days) for days in rules.rapid_review_reminder_working_days
    ]
    upcoming = [d for d in reminder_days if d >= today]
    return Reply(card=clock_recorded_card(_view(clock, today), upcoming))


async def close_clock(turn: Turn, data: dict[str, Any]) -> Reply:
    _reads, manages = await _panel_roles(turn)
    if not manages:
        return Reply.message("Not allowed", "Only the business team or the panel chair can.")
    clock_id = data.get("clock")
    today = _today(turn)
    async with turn.services.sessions() as session, session.begin():
        clock = (
            await reminders.find_clock(session, int(str(clock_id)))
            if str(clock_id).isdigit()
            else None
        )
        if clock is None:
            return Reply.message("Not found", "That rapid review is no longer recorded.")
        if clock.closed_on is None:
            await reminders.close_clock(
                session, clock, closed_on=today, closed_by=_viewer(turn).person_id
            )
            await outbox.cancel_pending(session, subject=f"clock:{clock.id}", reason="closed")
        clocks = await reminders.recent_clocks(session, today)
    return Reply(card=clocks_card([_view(c, today) for c in clocks], can_manage=True, today=today))


def register(registry: Registry) -> None:
    registry.text(
        "reminder settings",
        [r"(my )?reminder (settings|preferences)|reminders? settings"],
        show_settings,
        example="reminder settings",
        description="snooze, pause or change how reminders reach you",
    )
    registry.text(
        "snooze",
        [r"snooze( (my )?reminders)?( (until|till|to|for) (?P<when>.+))?"],
        snooze,
        example="snooze until monday",
        description="no reminders until then",
        in_help=False,
    )
    registry.text(
        "pause",
        [
            r"(pause|stop|hold) (all )?(my )?reminders (until|till|to) (?P<date>.+)",
            r"(i'?m |i am )?(on|going on) (leave|holiday) (until|till|to) (?P<date>.+)",
        ],
        pause,
        example="pause reminders until 5 January",
        description="pause reminders while you're on leave",
    )
    registry.text(
        "pause without a date",
        [r"(pause|stop|hold) (all )?(my )?reminders"],
        ask_pause_date,
        example="pause reminders",
        description="pause reminders",
        in_help=False,
    )
    registry.text(
        "resume",
        [r"(resume|restart|unpause|unsnooze|start)( my)? reminders( again)?|reminders (back )?on"],
        resume,
        example="resume reminders",
        description="end a snooze or pause",
        in_help=False,
    )
    registry.text(
        "digest",
        [r"(weekly )?digest( only| instead)?( please)?|(send me a )?weekly digest"],
        digest,
        example="digest only",
        description="one weekly digest instead of single reminders",
        in_help=False,
    )
    registry.text(
        "single reminders",
        [r"(single|individual|separate) reminders|no digest|stop (the )?digest"],
        single_reminders,
        example="single reminders",
        description="reminders one at a time",
        in_help=False,
    )
    registry.text(
        "quiet hours off",
        [r"(quiet hours (off|default|reset)|no quiet hours)"],
        default_quiet_hours,
        example="quiet hours off",
        description="use the partnership's quiet hours",
        in_help=False,
    )
    registry.text(
        "quiet hours",
        [r"quiet hours (?P<hours>.+)"],
        quiet_hours,
        example="quiet hours 18:00-08:00",
        description="no reminders at these times",
        in_help=False,
    )
    registry.text(
        "reminders status",
        [r"reminders? status|outbox( status)?"],
        status,
        example="reminders status",
        description="(admins) what is waiting, sent, failed or unreachable",
        in_help=False,
    )
    registry.text(
        "record notification",
        [
            r"(record|new|add|log) (a )?(serious incident )?notification",
            r"(record|new|add|log) (a )?(serious incident|rapid review)",
        ],
        clock_form,
        example="record serious incident notification",
        description="(business team) start a rapid review clock",
        in_help=False,
    )
    registry.text(
        "rapid reviews",
        [r"(open |show )?rapid reviews?( clocks?)?|statutory clocks?"],
        list_clocks,
        example="rapid reviews",
        description="rapid review countdowns",
        in_help=False,
    )
    registry.verb(Verb.REMINDER_SETTINGS, show_settings)
    registry.verb(Verb.REMINDER_SNOOZE, snooze)
    registry.verb(Verb.REMINDER_PAUSE, pause)
    registry.verb(Verb.REMINDER_RESUME, resume)
    registry.verb(Verb.REMINDER_DIGEST, digest)
    registry.verb(Verb.REMINDER_QUIET_DEFAULT, default_quiet_hours)
    registry.verb(Verb.REMINDERS_STATUS, status)
    registry.verb(Verb.REMINDER_SAVE_ACTION, save_from_reminder)
    registry.verb(Verb.CLOCK_FORM, clock_form)
    registry.verb(Verb.CLOCK_RECORD, record_clock)
    registry.verb(Verb.CLOCK_LIST, list_clocks)
    registry.verb(Verb.CLOCK_CLOSE, close_clock)
