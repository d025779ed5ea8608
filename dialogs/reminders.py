"""Reminders in conversation: people's reminder preferences (typed or from the buttons on every
reminder), the statutory clocks the business team records, and the admins' outbox status.

The decisions are `usecases.reminders`'; this module turns card data and typed words into its
requests and its answers into cards. Preferences are per person and honoured by the planners and
again by the dispatcher at send time, so a snooze or pause chosen after a reminder was planned
still holds.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from cards.action_reminders import action_reminder_card, action_reminder_saved_card
from cards.actions import not_found_card, not_yours_to_update_card
from cards.data.actions import ReminderSaveActionData
from cards.data.reminders import (
    ClockCloseData,
    ClockFormData,
    ClockListData,
    ClockRecordData,
    ReminderAskPauseData,
    ReminderDigestData,
    ReminderPauseData,
    ReminderQuietDefaultData,
    ReminderQuietHoursData,
    ReminderResumeData,
    ReminderSettingsData,
    ReminderSingleData,
    ReminderSnoozeData,
    RemindersStatusData,
)
from cards.reminders import (
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
from dialogs.actions import form_state, update_request
from dialogs.registry import Registry, Reply, Turn
from domain.permissions import Viewer
from domain.reminders import Kind, ReminderPreferences
from domain.send_times import local_date
from usecases import reminders
from usecases.actions import ActionRefused, ActionRules, save_update
from usecases.reminders import Clocks, NotUnderstood, Refusal

log = logging.getLogger(__name__)


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


def _settings_reply(
    turn: Turn, preferences: ReminderPreferences, *, banner: str = "", error: str = ""
) -> Reply:
    rules = send_rules(turn.services.settings)
    view = PreferencesView(preferences, rules.quiet_hours, rules.zone, now=turn.now)
    return Reply(card=preferences_card(view, banner=banner, error=error), text=banner or None)


# -- preferences ----------------------------------------------------------------------------------


async def show_settings(turn: Turn, _data: ReminderSettingsData) -> Reply:
    found = await reminders.preferences(_viewer(turn), turn.services.work)
    return _settings_reply(turn, found.preferences)


async def snooze(turn: Turn, data: ReminderSnoozeData) -> Reply:
    rules = send_rules(turn.services.settings)
    request = reminders.SnoozeRequest(data.until, data.when, data.message)
    snoozed = await reminders.snooze(
        _viewer(turn), request, turn.services.work, now=turn.now, rules=rules
    )
    if isinstance(snoozed, NotUnderstood):
        return Reply.message("I couldn't use that day", snoozed.problem)
    banner = f"Snoozed until {instant_label(snoozed.until, rules.zone)}."
    if snoozed.moved_from and snoozed.moved_because:
        banner = (
            f"Snoozed until {instant_label(snoozed.until, rules.zone)}, because "
            f"{day_label(snoozed.moved_from)} is {snoozed.moved_because}."
        )
    if snoozed.repeated:
        banner += " I'll send you this reminder again then."
    return _settings_reply(turn, snoozed.preferences, banner=banner)


async def pause(turn: Turn, data: ReminderPauseData) -> Reply:
    paused = await reminders.pause(
        _viewer(turn),
        data.day,
        turn.services.work,
        now=turn.now,
        rules=send_rules(turn.services.settings),
    )
    if isinstance(paused, NotUnderstood):
        return Reply(card=pause_form_card(value=paused.typed, error=paused.problem))
    return _settings_reply(
        turn,
        paused.preferences,
        banner=f"Reminders paused. They start again on {day_label(paused.until)}.",
    )


async def ask_pause_date(_turn: Turn, _data: ReminderAskPauseData) -> Reply:
    return Reply(card=pause_form_card())


async def resume(turn: Turn, _data: ReminderResumeData) -> Reply:
    resumed = await reminders.resume(_viewer(turn), turn.services.work)
    return _settings_reply(turn, resumed.preferences, banner="Reminders are back on.")


async def _digest(turn: Turn, wanted: bool) -> Reply:
    changed = await reminders.digest(_viewer(turn), wanted, turn.services.work)
    banner = (
        "You'll get one weekly digest of your actions instead of single reminders."
        if wanted
        else "You'll get action reminders one at a time again."
    )
    return _settings_reply(turn, changed.preferences, banner=banner)


async def digest(turn: Turn, data: ReminderDigestData) -> Reply:
    return await _digest(turn, data.wanted)


async def single_reminders(turn: Turn, _data: ReminderSingleData) -> Reply:
    return await _digest(turn, False)


async def quiet_hours(turn: Turn, data: ReminderQuietHoursData) -> Reply:
    viewer, work = _viewer(turn), turn.services.work
    changed = await reminders.quiet_hours(viewer, data.hours.strip(), work)
    if isinstance(changed, NotUnderstood):
        found = await reminders.preferences(viewer, work)
        return _settings_reply(turn, found.preferences, error=changed.problem)
    quiet = changed.preferences.quiet_hours
    assert quiet is not None
    return _settings_reply(
        turn,
        changed.preferences,
        banner=f"No reminders between {quiet.start:%H:%M} and {quiet.end:%H:%M}.",
    )


async def default_quiet_hours(turn: Turn, _data: ReminderQuietDefaultData) -> Reply:
    changed = await reminders.default_quiet_hours(_viewer(turn), turn.services.work)
    return _settings_reply(turn, changed.preferences, banner="Using the partnership's quiet hours.")


# -- the update form on an action reminder --------------------------------------------------------

ACTION_KINDS = (
    Kind.ACTION_DUE_SOON,
    Kind.ACTION_OVERDUE,
    Kind.ACTION_STALE,
    Kind.IMPACT_AWAITED,
    Kind.ESCALATION,
)


async def save_from_reminder(turn: Turn, data: ReminderSaveActionData) -> Reply:
    """Save the update typed into a reminder card through the same use case as the update card
    (permission checked on the action the form names); the card comes back saved (replacing the
    reminder in the chat) or with what to fix beside the fields. Nudges still waiting about this
    action for this person are cancelled: the update answers them."""
    viewer = _viewer(turn)
    kind = data.kind if data.kind in ACTION_KINDS else Kind.ACTION_OVERDUE
    today = _today(turn)
    request = update_request(data, answers_reminders=tuple(str(k) for k in ACTION_KINDS))
    rules = ActionRules.of(turn.services.settings)
    result = await save_update(viewer, request, turn.services.work, now=turn.now, rules=rules)
    if isinstance(result, ActionRefused):
        log.info("reminder save by %s on %s: %s", viewer.code, result.reference, result.reason)
        if result.reason == "not_found":
            return Reply(card=not_found_card(result.reference))
        return Reply(card=not_yours_to_update_card(result.reference))
    log.info("reminder save by %s on %s: %s", viewer.code, result.reference, result.outcome)
    if result.saved:
        confirmed = result.check.confirmed
        saved = action_reminder_saved_card(
            result.detail, today, confirmed=confirmed, update_id=result.update_id
        )
        return Reply(card=saved)
    message = ""
    if result.outcome == "conflict":
        message = (
            f"Someone else updated {result.reference} while this card was open. The form shows "
            "the latest saved state with what you typed; check it and save again."
        )
    card = action_reminder_card(
        kind,
        result.detail,
        today,
        message_id=data.message,
        state=form_state(result),
        message=message,
    )
    return Reply(card=card)


# -- the admins' status ---------------------------------------------------------------------------


async def status(turn: Turn, _data: RemindersStatusData) -> Reply:
    found = await reminders.outbox_status(_viewer(turn), turn.services.work)
    if isinstance(found, Refusal):
        return Reply.message("Admins only", "Reminders status is for the business team.")
    lines = [ErrorLine(e.kind, e.status, e.error, e.at, e.attempts) for e in found.errors]
    card = outbox_status_card(
        found.counts, lines, next_due=found.next_due, zone=turn.services.settings.zone
    )
    return Reply(card=card)


# -- statutory clocks -----------------------------------------------------------------------------


def _clocks_reply(turn: Turn, clocks: Clocks) -> Reply:
    views = list(clocks.lines)
    return Reply(card=clocks_card(views, can_manage=clocks.can_manage, today=_today(turn)))


def _admins_only() -> Reply:
    return Reply.message(
        "Admins only", "Serious incident notifications are recorded by the business team."
    )


async def list_clocks(turn: Turn, _data: ClockListData) -> Reply:
    clocks = await reminders.list_clocks(_viewer(turn), turn.services.work, today=_today(turn))
    if isinstance(clocks, Refusal):
        return Reply.message(
            "Not available to you",
            "Rapid reviews are shown to the Rapid Review Panel and the business team.",
        )
    return _clocks_reply(turn, clocks)


async def clock_form(turn: Turn, _data: ClockFormData) -> Reply:
    if not await reminders.may_record_clocks(_viewer(turn), turn.services.work):
        return _admins_only()
    return Reply(card=clock_form_card())


async def record_clock(turn: Turn, data: ClockRecordData) -> Reply:
    typed, notified = data.reference.strip(), data.notified_on.strip()
    recorded = await reminders.record_clock(
        _viewer(turn),
        reminders.ClockRequest(typed, notified),
        turn.services.work,
        today=_today(turn),
        rules=reminder_rules(turn.services.settings),
    )
    if isinstance(recorded, Refusal):
        return _admins_only()
    if isinstance(recorded, reminders.ClockProblems):
        card = clock_form_card(reference=typed, notified_on=notified, errors=recorded.errors)
        return Reply(card=card)
    return Reply(card=clock_recorded_card(recorded.clock, recorded.reminder_days))


async def close_clock(turn: Turn, data: ClockCloseData) -> Reply:
    closed = await reminders.close_clock(
        _viewer(turn),
        reminders.ClockCloseRequest(data.clock),
        turn.services.work,
        today=_today(turn),
    )
    if closed == Refusal.NOT_FOUND:
        return Reply.message("Not found", "That rapid review is no longer recorded.")
    if isinstance(closed, Refusal):
        return Reply.message("Not allowed", "Only the business team or the panel chair can.")
    return _clocks_reply(turn, closed)


def register(registry: Registry) -> None:
    registry.text(
        "reminder settings",
        [
            r"(my )?reminders? (settings|preferences)",
            r"(my )?(notification|notifications) (settings|preferences)",
            r"(my )?(reminders|settings)",
            r"(how do i )?(change|manage|edit|set up) (my )?reminders( settings)?",
        ],
        show_settings,
        example="reminder settings",
        description="snooze, pause or change how reminders reach you",
        data=ReminderSettingsData,
    )
    registry.text(
        "snooze",
        [r"snooze( (my )?reminders)?( (until|till|to|for) (?P<when>.+))?"],
        snooze,
        example="snooze until monday",
        description="no reminders until then",
        in_help=False,
        data=ReminderSnoozeData,
    )
    registry.text(
        "pause",
        [
            r"(pause|stop|hold) (all )?(my )?reminders( (whilst|while) i'm (away|off|on leave))?"
            r" (until|till|to) (?P<date>.+)",
            r"(i'?m |i am )?(on|going on|off on) (annual |maternity |sick )?(leave|holiday)"
            r"( from [a-z0-9 /]{1,30})? (until|till|to) (?P<date>.+)",
            r"(i'?m |i am )?(off|away|out of (the )?office|ooo)( from [a-z0-9 /]{1,30})?"
            r" (until|till) (?P<date>.+)",
        ],
        pause,
        example="pause reminders until 5 January",
        description="pause reminders while you're on leave",
        data=ReminderPauseData,
    )
    registry.text(
        "pause without a date",
        [
            r"(pause|stop|hold|turn off|switch off) (all )?(my )?reminders",
            r"(turn|switch) (all )?(my )?reminders off|no more reminders",
            r"(i'?m |i am )?(going )?(on|off on) (annual )?(leave|holiday)",
        ],
        ask_pause_date,
        example="pause reminders",
        description="pause reminders",
        in_help=False,
        data=ReminderAskPauseData,
    )
    registry.text(
        "resume",
        [
            r"(resume|unpause|unsnooze)( my)?( reminders)?( again)?",
            r"(restart|start)( my)? reminders( again)?",
            r"((turn|switch|put) )?(my )?reminders (back )?on( again)?",
            r"(i'm|i am) back( from (leave|holiday|annual leave))?",
        ],
        resume,
        example="resume reminders",
        description="end a snooze or pause",
        in_help=False,
        data=ReminderResumeData,
    )
    registry.text(
        "digest",
        [
            r"(can i have |i'd like )?(a |the )?(weekly )?digest( only| instead)?( please)?",
            r"(send me a )?weekly digest",
        ],
        digest,
        example="digest only",
        description="one weekly digest instead of single reminders",
        in_help=False,
        data=ReminderDigestData,
    )
    registry.text(
        "single reminders",
        [
            r"(single|individual|separate) reminders( again)?|no digest|stop (the )?digest",
            r"reminders one (at a time|by one)",
        ],
        single_reminders,
        example="single reminders",
        description="reminders one at a time",
        in_help=False,
        data=ReminderSingleData,
    )
    registry.text(
        "quiet hours off",
        [
            r"quiet hours (off|default|reset)|no quiet hours",
            r"(reset|turn off|switch off) quiet hours|(turn|switch) quiet hours off",
        ],
        default_quiet_hours,
        example="quiet hours off",
        description="use the partnership's quiet hours",
        in_help=False,
        data=ReminderQuietDefaultData,
    )
    registry.text(
        "quiet hours",
        [r"(set )?quiet hours (?P<hours>.+)"],
        quiet_hours,
        example="quiet hours 18:00-08:00",
        description="no reminders at these times",
        in_help=False,
        data=ReminderQuietHoursData,
    )
    registry.text(
        "reminders status",
        [
            r"reminders? status|outbox( status)?|what's in the outbox",
            r"have (the )?reminders (gone|been sent)( out)?",
        ],
        status,
        example="reminders status",
        description="(admins) what is waiting, sent, failed or unreachable",
        in_help=False,
        data=RemindersStatusData,
    )
    registry.text(
        "record notification",
        [
            r"(record|new|add|log) (a )?(serious incident )?notification",
            r"(record|new|add|log|start) (a )?(new )?(serious incident|rapid review)",
        ],
        clock_form,
        example="record serious incident notification",
        description="(business team) start a rapid review clock",
        in_help=False,
        data=ClockFormData,
    )
    registry.text(
        "rapid reviews",
        [r"(any |open |show )?rapid reviews?( clocks?| countdowns?| open)?|statutory clocks?"],
        list_clocks,
        example="rapid reviews",
        description="rapid review countdowns",
        in_help=False,
        data=ClockListData,
    )
    registry.verb(Verb.REMINDER_SETTINGS, show_settings, ReminderSettingsData)
    registry.verb(Verb.REMINDER_SNOOZE, snooze, ReminderSnoozeData)
    registry.verb(Verb.REMINDER_PAUSE, pause, ReminderPauseData)
    registry.verb(Verb.REMINDER_PAUSE_FORM, ask_pause_date, ReminderAskPauseData)
    registry.verb(Verb.REMINDER_RESUME, resume, ReminderResumeData)
    registry.verb(Verb.REMINDER_DIGEST, digest, ReminderDigestData)
    registry.verb(Verb.REMINDER_QUIET_DEFAULT, default_quiet_hours, ReminderQuietDefaultData)
    registry.verb(Verb.REMINDERS_STATUS, status, RemindersStatusData)
    registry.verb(Verb.REMINDER_SAVE_ACTION, save_from_reminder, ReminderSaveActionData)
    registry.verb(Verb.CLOCK_FORM, clock_form, ClockFormData)
    registry.verb(Verb.CLOCK_RECORD, record_clock, ClockRecordData)
    registry.verb(Verb.CLOCK_LIST, list_clocks, ClockListData)
    registry.verb(Verb.CLOCK_CLOSE, close_clock, ClockCloseData)
