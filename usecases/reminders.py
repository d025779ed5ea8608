"""Reminders: a person's own reminder preferences (snooze, pause for leave, resume, a weekly digest
instead, quiet hours), the admins' view of the outbox, and the statutory clocks (a serious incident
notification starts the rapid review's countdown).

Permission, for every object a request names:
- preferences are always the asker's own;
- a snooze sends again only the reminder it was clicked on, and only when that reminder was sent
  to the person snoozing (anyone else's, or one never sent, is left alone; the snooze still holds);
- the outbox status is for the business team;
- a clock is read by its group (the Rapid Review Panel), the business team and those who read
  everything; it is recorded and closed by the business team or the chair of its group.

Preferences are honoured by the planners and again by the dispatcher at send time, so a snooze or
pause chosen after a reminder was planned still holds.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import Viewer
from domain.reminder_preferences import (
    SNOOZE_CHOICES,
    parse_day,
    parse_quiet_hours,
    pause_problem,
    snooze_until,
    snooze_until_day,
    why_not_that_day,
)
from domain.reminders import (
    ClockView,
    ReminderPreferences,
    ReminderRules,
    rapid_review_due,
    working_days_left,
)
from domain.send_times import SendRules, local_date
from domain.working_days import add_working_days
from storage import outbox, reminders
from storage.models import StatutoryClock
from usecases.context import Actor, Refusal, UnitOfWork, audit, person_id_of

log = logging.getLogger(__name__)

# The partnership's own reference for a notification: a short prefix and numbers (RR-2026-04,
# SI/26/7), so that neither a name nor an NHS or case number fits in it.
_REFERENCE = re.compile(r"^[A-Z]{1,5}[-/]?\d{1,4}([-/]\d{1,4}){0,2}$")


# -- preferences ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    """A person's preferences as they are now (after the change asked for, if any)."""

    preferences: ReminderPreferences


@dataclass(frozen=True)
class Snoozed(Preferences):
    until: datetime
    # The reminder the snooze was clicked on is queued to come again when the snooze ends.
    repeated: bool
    # The day asked for, when the snooze ends on another, and what that day is ("a weekend day").
    moved_from: date | None = None
    moved_because: str = ""


@dataclass(frozen=True)
class NotUnderstood:
    """The day or the times could not be used; `problem` says why, `typed` is what was sent."""

    problem: str
    typed: str = ""


async def preferences(viewer: Viewer, work: UnitOfWork) -> Preferences:
    async with work.read() as session:
        return Preferences(await reminders.preferences_of(session, viewer.person_id))


def _audited(
    session: AsyncSession, viewer: Viewer, change: reminders.PreferencesChange
) -> ReminderPreferences:
    if change.changes:
        audit(
            session,
            viewer,
            entity="reminder_preferences",
            entity_id=str(viewer.person_id),
            event="changed",
            changes=change.changes,
        )
    return change.preferences


@dataclass(frozen=True)
class SnoozeRequest:
    """A snooze until a button's choice ("tomorrow", "next_week") or a day in words; neither
    means tomorrow. `message_id` is the reminder the button was on."""

    choice: str | None = None
    day: str = ""
    message_id: int | None = None


async def snooze(
    viewer: Viewer,
    request: SnoozeRequest,
    work: UnitOfWork,
    *,
    now: datetime,
    rules: SendRules,
) -> Snoozed | NotUnderstood:
    until = _snooze_end(request, now, rules)
    if until is None:
        return NotUnderstood(
            'Try "snooze until tomorrow", "snooze until monday" or "snooze until 5 January".',
            request.day,
        )
    async with work.write() as session:
        change = await reminders.update_preferences(session, viewer.person_id, snoozed_until=until)
        changed = _audited(session, viewer, change)
        repeated = await _repeat(session, viewer, request.message_id, until)
    log.info("person %s snoozed reminders", viewer.person_id)
    snoozed = Snoozed(changed, until, repeated)
    asked = parse_day(request.day.strip(), local_date(now, rules.zone)) if request.day else None
    because = why_not_that_day(asked, local_date(until, rules.zone)) if asked else ""
    return replace(snoozed, moved_from=asked, moved_because=because) if because else snoozed


def _snooze_end(request: SnoozeRequest, now: datetime, rules: SendRules) -> datetime | None:
    if request.choice in SNOOZE_CHOICES:
        return snooze_until(request.choice, now, rules)
    typed = request.day.strip()
    if not typed:
        return snooze_until("tomorrow", now, rules)
    today = local_date(now, rules.zone)
    day = parse_day(typed, today)
    if day is None or day <= today:
        return None
    return snooze_until_day(day, rules)


async def _repeat(
    session: AsyncSession, viewer: Viewer, message_id: int | None, until: datetime
) -> bool:
    """Queue the snoozed reminder again, when it is the snoozer's own and was sent."""
    if message_id is None:
        return False
    row = await outbox.find(session, message_id)
    if row is None or row.person_id != viewer.person_id or row.status != outbox.SENT:
        return False
    return await outbox.repeat_later(session, row, not_before=until)


@dataclass(frozen=True)
class Paused(Preferences):
    until: date


async def pause(
    viewer: Viewer, typed: str, work: UnitOfWork, *, now: datetime, rules: SendRules
) -> Paused | NotUnderstood:
    """Pause reminders until a day in words ("5 January"), for leave."""
    today = local_date(now, rules.zone)
    until = parse_day(typed, today) if typed else None
    problem = pause_problem(until, today)
    if problem or until is None:
        return NotUnderstood(problem, typed if until else "")
    async with work.write() as session:
        change = await reminders.update_preferences(session, viewer.person_id, paused_until=until)
        changed = _audited(session, viewer, change)
    log.info("person %s paused reminders", viewer.person_id)
    return Paused(changed, until)


async def resume(viewer: Viewer, work: UnitOfWork) -> Preferences:
    async with work.write() as session:
        change = await reminders.update_preferences(
            session, viewer.person_id, snoozed_until=None, paused_until=None
        )
        return Preferences(_audited(session, viewer, change))


async def digest(viewer: Viewer, wanted: bool, work: UnitOfWork) -> Preferences:
    """A weekly digest of actions instead of single reminders (`wanted`), or not."""
    async with work.write() as session:
        change = await reminders.update_preferences(session, viewer.person_id, digest_only=wanted)
        return Preferences(_audited(session, viewer, change))


@dataclass(frozen=True)
class QuietHoursSet(Preferences):
    pass


async def quiet_hours(
    viewer: Viewer, typed: str, work: UnitOfWork
) -> QuietHoursSet | NotUnderstood:
    """The person's own quiet hours, typed as "18:00-08:00"."""
    quiet = parse_quiet_hours(typed)
    if quiet is None:
        return NotUnderstood('I couldn\'t read those times. Try "quiet hours 18:00-08:00".', typed)
    async with work.write() as session:
        change = await reminders.update_preferences(session, viewer.person_id, quiet_hours=quiet)
        return QuietHoursSet(_audited(session, viewer, change))


async def default_quiet_hours(viewer: Viewer, work: UnitOfWork) -> Preferences:
    async with work.write() as session:
        change = await reminders.update_preferences(session, viewer.person_id, quiet_hours=None)
        return Preferences(_audited(session, viewer, change))


# -- the admins' status ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    errors: tuple[outbox.RecentError, ...]
    next_due: datetime | None


async def outbox_status(viewer: Viewer, work: UnitOfWork) -> OutboxStatus | Refusal:
    if not viewer.is_admin:
        return Refusal.NOT_ALLOWED
    async with work.read() as session:
        counts = await outbox.status_counts(session)
        errors = await outbox.recent_errors(session)
        next_due = await outbox.next_due(session)
    return OutboxStatus(counts, tuple(errors), next_due)


# -- statutory clocks -----------------------------------------------------------------------------


def _line(clock: StatutoryClock, today: date) -> ClockView:
    return ClockView(
        clock.id,
        clock.reference,
        clock.notified_on,
        clock.due_on,
        working_days_left(today, clock.due_on),
        clock.closed_on,
    )


@dataclass(frozen=True)
class _Roles:
    reads: bool
    manages: bool


async def _roles(session: AsyncSession, actor: Actor, group_code: str) -> _Roles:
    """What this actor may do with the clocks of a group (the Rapid Review Panel's, today)."""
    if not isinstance(actor, Viewer):
        return _Roles(reads=True, manages=True)
    return _roles_in(actor, await reminders.group_id_by_code(session, group_code))


def _roles_in(actor: Viewer, group_id: int | None) -> _Roles:
    chairs = group_id is not None and group_id in actor.chaired_group_ids
    manages = actor.is_admin or chairs
    member = group_id is not None and group_id in actor.group_ids
    return _Roles(reads=manages or actor.reads_everything or member, manages=manages)


@dataclass(frozen=True)
class Clocks:
    """The recent clocks this person may read, and whether they record and close them."""

    lines: tuple[ClockView, ...]
    can_manage: bool


async def list_clocks(actor: Actor, work: UnitOfWork, *, today: date) -> Clocks | Refusal:
    async with work.read() as session:
        panel = await _roles(session, actor, reminders.RAPID_REVIEW_GROUP)
        if not panel.reads:
            return Refusal.NOT_ALLOWED
        return await _clocks(session, actor, today, can_manage=panel.manages)


async def _clocks(session: AsyncSession, actor: Actor, today: date, *, can_manage: bool) -> Clocks:
    clocks = await reminders.recent_clocks(session, today)
    roles = {code: await _roles(session, actor, code) for code in {c.group_code for c in clocks}}
    readable = [clock for clock in clocks if roles[clock.group_code].reads]
    return Clocks(tuple(_line(clock, today) for clock in readable), can_manage)


async def may_record_clocks(actor: Actor, work: UnitOfWork) -> bool:
    async with work.read() as session:
        return (await _roles(session, actor, reminders.RAPID_REVIEW_GROUP)).manages


@dataclass(frozen=True)
class ClockRequest:
    """A serious incident notification as typed: the reference and the day (ISO)."""

    reference: str
    notified_on: str


@dataclass(frozen=True)
class ClockProblems:
    """What to fix beside each field (field name: words); nothing was recorded."""

    errors: dict[str, str]


@dataclass(frozen=True)
class ClockRecorded:
    clock: ClockView
    # The days the panel will be reminded, from today on.
    reminder_days: tuple[date, ...]


async def record_clock(
    actor: Actor, request: ClockRequest, work: UnitOfWork, *, today: date, rules: ReminderRules
) -> ClockRecorded | ClockProblems | Refusal:
    """Record a notification: the rapid review is due a set number of working days after it."""
    if not await may_record_clocks(actor, work):
        return Refusal.NOT_ALLOWED
    reference = request.reference.strip().upper()
    errors, notified_on = _clock_errors(reference, request.notified_on.strip(), today)
    if errors:
        return ClockProblems(errors)
    due_on = rapid_review_due(notified_on, rules)
    async with work.write() as session:
        if await reminders.find_clock_by_reference(session, reference) is not None:
            return ClockProblems({"reference": f"{reference} is already recorded."})
        clock = await reminders.add_clock(
            session,
            reference=reference,
            notified_on=notified_on,
            due_on=due_on,
            recorded_by=person_id_of(actor),
        )
        audit(
            session,
            actor,
            entity="statutory_clock",
            entity_id=str(clock.id),
            event="recorded",
            changes={
                "reference": (None, reference),
                "notified_on": (None, notified_on.isoformat()),
                "due_on": (None, due_on.isoformat()),
            },
        )
    log.info("statutory clock %s recorded", clock.id)
    days = [add_working_days(due_on, -n) for n in rules.rapid_review_reminder_working_days]
    return ClockRecorded(_line(clock, today), tuple(d for d in days if d >= today))


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


@dataclass(frozen=True)
class ClockCloseRequest:
    clock_id: int


async def close_clock(
    actor: Actor, request: ClockCloseRequest, work: UnitOfWork, *, today: date
) -> Clocks | Refusal:
    """Mark a rapid review complete: its reminders still waiting are cancelled."""
    async with work.write() as session:
        if not (await _roles(session, actor, reminders.RAPID_REVIEW_GROUP)).manages:
            return Refusal.NOT_ALLOWED
        clock = await reminders.find_clock(session, request.clock_id)
        if clock is None:
            return Refusal.NOT_FOUND
        if not (await _roles(session, actor, clock.group_code)).manages:
            return Refusal.NOT_ALLOWED
        if clock.closed_on is None:
            await _close(session, actor, clock, today)
        return await _clocks(session, actor, today, can_manage=True)


async def _close(session: AsyncSession, actor: Actor, clock: StatutoryClock, today: date) -> None:
    await reminders.close_clock(session, clock, closed_on=today, closed_by=person_id_of(actor))
    audit(
        session,
        actor,
        entity="statutory_clock",
        entity_id=str(clock.id),
        event="closed",
        changes={"closed_on": (None, today.isoformat())},
    )
    await outbox.cancel_pending(session, subject=f"clock:{clock.id}", reason="closed")
