"""Announcements' use cases: compose, save, preview, duplicate and delete drafts; send now or
schedule; cancel; resend to failed copies; the list and the report; "Got it"; and the scheduled
work (start due sends, close finished ones, plan "Got it" reminders).

This module is the one place an announcement moves from state to state: `_move`, guarded by the
moves and state sets of `domain.broadcasts`, sets the status and writes the audit, naming the
actor of the use case that caused it. Every verb but "Got it" is the business team's (an admin, or
a system actor such as the jobs); "Got it", and what it shows, is for a recipient of an
announcement that has gone out, and anyone else is answered exactly as for an id that names
nothing. `storage.broadcasts` loads and saves; the callers build the cards.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from cards.data.broadcasts import (
    AnnouncementRef,
    BroadcastDeleteData,
    BroadcastSaveData,
    BroadcastScheduleData,
)
from delivery.doorbell import Doorbell
from domain import broadcasts as rules
from domain.audience import Audience, AudienceDefinition, AudienceNames, AudienceOptions
from domain.broadcasts import (
    AnnouncementCopy,
    Content,
    Delivery,
    Draft,
    ReportCounts,
    SendingHours,
    Status,
    why_not_reached,
)
from domain.identifiers import find_identifiers, redact_preview
from domain.permissions import Viewer
from domain.reach import INSTALL_REFUSALS, ReachCount
from domain.send_times import local_date
from storage import broadcasts, installs, outbox
from storage.broadcasts import Listed
from storage.models import Announcement
from usecases.context import Actor, SystemActor, UnitOfWork, audit
from usecases.reach import reach_count

log = logging.getLogger(__name__)

# -- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """The verb is the business team's, and the asker is not in it."""


@dataclass(frozen=True)
class NotFound:
    """No such announcement, or none the asker may see: the two answers are the same."""


REFUSED = Refused()
NOT_FOUND = NotFound()


class Event(StrEnum):
    """What a use case did, or why it shows the announcement instead of doing what was asked."""

    OPENED = "opened"
    SAVED = "saved"
    DUPLICATED = "duplicated"
    NOT_EDITABLE_SCHEDULED = "not_editable_scheduled"
    NOT_EDITABLE_SENT = "not_editable_sent"
    NOT_DELETABLE = "not_deletable"
    ALREADY_SCHEDULED = "already_scheduled"
    ALREADY_SENT = "already_sent"
    NOBODY_IN_AUDIENCE = "nobody_in_audience"
    STARTED = "started"
    SCHEDULED = "scheduled"
    UNSCHEDULED = "unscheduled"
    STOPPED = "stopped"
    NOTHING_TO_CANCEL = "nothing_to_cancel"
    NOT_FINISHED = "not_finished"
    RESENT = "resent"
    NOBODY_FAILED = "nobody_failed"


@dataclass(frozen=True)
class Overview:
    """An announcement as its author sees it: a draft (or a scheduled one) with its audience as
    it resolves now, or a send with its delivery counts so far."""

    copy: AnnouncementCopy
    status: Status
    audience: AudienceDefinition
    names: AudienceNames
    ack_days: int | None
    scheduled_for: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    cancelled_at: datetime | None
    send_number: int
    author_user_id: str
    resolved: Audience | None = None
    counts: ReportCounts | None = None
    # Of the resolved audience: reachable now, installed for first, and who cannot be reached.
    reach: ReachCount | None = None


@dataclass(frozen=True)
class Shown:
    """The announcement after the use case; `count` is how many copies it stopped or resent."""

    overview: Overview
    event: Event = Event.OPENED
    count: int = 0


@dataclass(frozen=True)
class OutsideHours:
    """ "Send now" outside sending hours: nothing sent; the next time it may go out."""

    overview: Overview
    next_time: datetime


@dataclass(frozen=True)
class ScheduleRefused:
    """The time asked for cannot be used (or nobody is in the audience); nothing changed."""

    overview: Overview
    problem: str


@dataclass(frozen=True)
class EditForm:
    announcement_id: int
    draft: Draft
    options: AudienceOptions


@dataclass(frozen=True)
class Invalid:
    """The compose card's problems, by field; nothing was saved."""

    errors: Mapping[str, str]
    options: AudienceOptions


@dataclass(frozen=True)
class HeldForScreening:
    """Identifier screening found something; nothing is saved until it is removed or confirmed."""

    kinds: tuple[str, ...]
    redacted: str
    options: AudienceOptions


@dataclass(frozen=True)
class ConfirmDelete:
    announcement_id: int
    title: str


@dataclass(frozen=True)
class Deleted:
    announcement_id: int


@dataclass(frozen=True)
class Acknowledged:
    """A recipient's "Got it", and when they first clicked it."""

    copy: AnnouncementCopy
    first_at: datetime


@dataclass(frozen=True)
class ReportCardPlace:
    """Where the clicked card lives: sending turns it into the report, which refreshes itself
    for the admin who sent it."""

    user_id: str = ""
    conversation_id: str = ""
    activity_id: str = ""


class IllegalMove(RuntimeError):
    """A move the announcement's life does not allow: a bug, since each use case checks first."""


# -- who may ask -----------------------------------------------------------------------------------


def _business_team(actor: Actor) -> bool:
    return isinstance(actor, SystemActor) or actor.is_admin


def _author(actor: Actor) -> Viewer | None:
    """An admin who can be named as an announcement's author (a system actor cannot)."""
    return actor if isinstance(actor, Viewer) and actor.is_admin else None


def follows_announcements(actor: Actor) -> bool:
    """Who may read the lists and reports without changing anything: the business team, and
    the scrutineer (who reads everything and changes nothing)."""
    return _business_team(actor) or (isinstance(actor, Viewer) and actor.is_scrutineer)


def _require_business_team(actor: Actor) -> None:
    if not _business_team(actor):
        raise PermissionError("scheduled announcement work is the business team's")


# -- compose, list, open ---------------------------------------------------------------------------


async def compose_options(actor: Actor, work: UnitOfWork) -> AudienceOptions | Refused:
    """What a new announcement's audience and course can be chosen from."""
    if not _business_team(actor):
        return REFUSED
    async with work.read() as session:
        return await broadcasts.audience_options(session)


async def list_recent(actor: Actor, work: UnitOfWork) -> list[Listed] | Refused:
    if not _business_team(actor):
        return REFUSED
    async with work.read() as session:
        return await broadcasts.recent(session)


async def open_announcement(
    actor: Actor, request: AnnouncementRef, work: UnitOfWork, *, now: datetime
) -> Shown | NotFound | Refused:
    """A draft or scheduled one with its audience, or the report of one that went out (which
    closes a send found finished)."""
    if not _business_team(actor):
        return REFUSED
    async with work.write() as session:
        announcement = await broadcasts.get(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        return await _shown(session, actor, announcement, now)


async def read_announcement(
    actor: Actor, request: AnnouncementRef, work: UnitOfWork, *, now: datetime
) -> Overview | NotFound | Refused:
    """The announcement as it stands, for those who follow announcements; it changes nothing
    (a send found finished is closed by the business team's open, or by the jobs)."""
    if not follows_announcements(actor):
        return REFUSED
    async with work.read() as session:
        announcement = await broadcasts.get(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        return await _overview(session, actor, announcement, now, close=False)


@dataclass(frozen=True)
class Missed:
    """One recipient an announcement has not reached, or who has not acknowledged it."""

    name: str
    agency: str
    reason: str = ""


@dataclass(frozen=True)
class WhoWasMissed:
    """Whom an announcement missed: not reached (failed or not reachable) with why, and, of
    those it reached, who has not acknowledged it yet. Names are the roster's work names."""

    announcement_id: int
    title: str
    not_reached: list[Missed]
    not_acknowledged: list[Missed]


async def who_was_missed(
    actor: Actor, request: AnnouncementRef, work: UnitOfWork
) -> WhoWasMissed | NotFound | Refused:
    if not _business_team(actor):
        return REFUSED
    async with work.read() as session:
        announcement = await broadcasts.get(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        rows = await broadcasts.recipient_rows(session, announcement)
    unreached = (Delivery.FAILED, Delivery.UNREACHABLE)
    return WhoWasMissed(
        announcement.id,
        announcement.title,
        not_reached=[
            Missed(r.name, r.agency, why_not_reached(r.delivery, r.error))
            for r in rows
            if r.delivery in unreached
        ],
        not_acknowledged=[
            Missed(r.name, r.agency)
            for r in rows
            if r.delivery == Delivery.SENT and r.acknowledged_at is None
        ],
    )


async def edit_form(
    actor: Actor, request: AnnouncementRef, work: UnitOfWork, *, now: datetime
) -> EditForm | Shown | NotFound | Refused:
    if not _business_team(actor):
        return REFUSED
    async with work.write() as session:
        announcement = await broadcasts.get(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        if Status(announcement.status) not in rules.EDITABLE:
            return await _shown(session, actor, announcement, now, _not_editable(announcement))
        options = await broadcasts.audience_options(session)
        return EditForm(announcement.id, broadcasts.draft_of(announcement), options)


def _not_editable(announcement: Announcement) -> Event:
    if Status(announcement.status) in rules.PLANNED:
        return Event.NOT_EDITABLE_SCHEDULED
    return Event.NOT_EDITABLE_SENT


def _already_out(announcement: Announcement) -> Event:
    if Status(announcement.status) in rules.PLANNED:
        return Event.ALREADY_SCHEDULED
    return Event.ALREADY_SENT


# -- save ------------------------------------------------------------------------------------------


async def save_draft(
    actor: Actor,
    request: BroadcastSaveData,
    work: UnitOfWork,
    *,
    now: datetime,
    author_user_id: str,
    allowed_email_domains: tuple[str, ...],
) -> Invalid | HeldForScreening | Shown | NotFound | Refused:
    """A new draft (no id) or an edited one. Nothing is saved while the card has problems, or
    while screening found identifiers the author has not confirmed are not personal data."""
    author = _author(actor)
    if author is None:
        return REFUSED
    async with work.write() as session:
        options = await broadcasts.audience_options(session)
        draft, errors = draft_from_form(request, options)
        if draft is None:
            return Invalid(errors, options)
        findings = find_identifiers(
            draft.content.screened_text(), allowed_email_domains=allowed_email_domains
        )
        if findings and not request.confirm_not_personal:
            kinds = tuple(dict.fromkeys(f.kind for f in findings))
            log.info("announcement text held for screening: %s", ",".join(kinds))
            redacted = redact_preview(draft.content.screened_text(), findings)
            return HeldForScreening(kinds, redacted, options)
        confirmed = bool(findings)
        if request.announcement_id is None:
            announcement = await _create(session, author, draft, author_user_id, now)
        else:
            found = await broadcasts.get_for_update(session, request.announcement_id)
            if found is None:
                return NOT_FOUND
            if Status(found.status) not in rules.EDITABLE:
                return await _shown(session, actor, found, now, _not_editable(found))
            announcement = found
            _edit(session, author, announcement, draft, now)
        if confirmed:
            broadcasts.note_screening(announcement, author.person_id, now)
            _audit(session, author, announcement, "screening_confirmed")
        log.info("announcement %s saved as a draft", announcement.id)
        return await _shown(session, actor, announcement, now, Event.SAVED)


def draft_from_form(
    form: BroadcastSaveData, options: AudienceOptions
) -> tuple[Draft | None, dict[str, str]]:
    """The draft the compose card describes, or the problems to show beside its fields."""
    content = Content(
        form.title, form.body, form.image_url, form.link_title, form.link_url
    ).cleaned()
    errors = rules.content_problems(content)
    groups, stale_groups = _picked(form.groups, {c.id for c in options.groups})
    agencies, stale_agencies = _picked(form.agencies, {c.id for c in options.agencies})
    course_ids = {c.id for c in options.courses}
    booked_on, stale_courses = _picked(form.booked_on, course_ids)
    if stale_groups or stale_agencies or stale_courses:
        errors["audience"] = (
            "Some of the choices are retired or no longer exist; please choose again."
        )
    course, stale_course = _picked(form.course, course_ids)
    if stale_course or len(course) > 1:
        errors["course"] = "Choose one course from the list."
    ack_days, ack_problem = rules.ack_reminder_problem(form.ack_days)
    if ack_problem:
        errors["ack_days"] = ack_problem
    if errors:
        return None, errors
    audience = AudienceDefinition(form.everyone, groups, agencies, form.champions, booked_on)
    return Draft(content, audience, next(iter(course), None), ack_days), {}


def _picked(raw: str, allowed: set[int]) -> tuple[frozenset[int], bool]:
    """Ids chosen in a multi-select, and whether any was not one of the choices offered."""
    picked: set[int] = set()
    stale = False
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        # ASCII digits only: "²" passes `str.isdigit` and `int` refuses it.
        if part.isascii() and part.isdigit() and int(part) in allowed:
            picked.add(int(part))
        else:
            stale = True
    return frozenset(picked), stale


async def _create(
    session: AsyncSession, author: Viewer, draft: Draft, author_user_id: str, now: datetime
) -> Announcement:
    announcement = await broadcasts.insert_announcement(
        session,
        draft,
        status=Status.DRAFT,
        author_id=author.person_id,
        author_user_id=author_user_id,
        now=now,
    )
    _audit(session, author, announcement, "created")
    return announcement


def _edit(
    session: AsyncSession, actor: Actor, announcement: Announcement, draft: Draft, now: datetime
) -> None:
    before = broadcasts.draft_of(announcement)
    broadcasts.apply_draft(announcement, draft)
    announcement.updated_at = now
    changes = draft_changes(before, draft)
    if changes:
        _audit(session, actor, announcement, "edited", changes)


def draft_changes(before: Draft, after: Draft) -> dict[str, tuple[object, object]]:
    """What an edit changed, for the audit: free text by field name only (its words stay in the
    announcement itself), the rest old and new."""
    changes: dict[str, tuple[object, object]] = {
        name: (getattr(before.content, name), getattr(after.content, name))
        for name in ("title", "body", "image_url", "link_title", "link_url")
        if getattr(before.content, name) != getattr(after.content, name)
    }
    if before.audience != after.audience:
        changes["audience"] = (before.audience.as_json(), after.audience.as_json())
    if before.course_id != after.course_id:
        changes["course_id"] = (before.course_id, after.course_id)
    if before.ack_reminder_working_days != after.ack_reminder_working_days:
        changes["ack_reminder_working_days"] = (
            before.ack_reminder_working_days,
            after.ack_reminder_working_days,
        )
    for name in ("title", "body", "link_title"):
        if name in changes:
            changes[name] = ("(text)", "(text changed)")
    return changes


# -- preview, duplicate, delete --------------------------------------------------------------------


async def preview(
    actor: Actor, request: AnnouncementRef, work: UnitOfWork, *, now: datetime
) -> AnnouncementCopy | NotFound | Refused:
    """What each recipient's copy will show, for the author's eyes only."""
    if not _business_team(actor):
        return REFUSED
    async with work.read() as session:
        announcement = await broadcasts.get(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        return await broadcasts.copy_of(session, announcement, now)


async def duplicate(
    actor: Actor, request: AnnouncementRef, work: UnitOfWork, *, now: datetime, author_user_id: str
) -> Shown | NotFound | Refused:
    """A new draft with the same content and audience, whatever became of the original."""
    author = _author(actor)
    if author is None:
        return REFUSED
    async with work.write() as session:
        original = await broadcasts.get(session, request.announcement_id)
        if original is None:
            return NOT_FOUND
        draft = broadcasts.draft_of(original)
        title = draft.content.title
        copy_title = title if title.startswith("Copy of ") else f"Copy of {title}"
        content = Content(**{**draft.content.__dict__, "title": copy_title[:200]})
        copy = await _create(
            session,
            author,
            Draft(content, draft.audience, draft.course_id, draft.ack_reminder_working_days),
            author_user_id,
            now,
        )
        if original.screening_confirmed_at is not None:
            # The same words were already confirmed as not personal data by someone.
            broadcasts.note_screening(
                copy, original.screening_confirmed_by, original.screening_confirmed_at
            )
        log.info("announcement %s duplicated as %s", original.id, copy.id)
        return await _shown(session, actor, copy, now, Event.DUPLICATED)


async def delete_draft(
    actor: Actor, request: BroadcastDeleteData, work: UnitOfWork, *, now: datetime
) -> ConfirmDelete | Deleted | Shown | NotFound | Refused:
    """Only a draft is deleted, and only once the author has confirmed it."""
    if not _business_team(actor):
        return REFUSED
    async with work.write() as session:
        announcement = await broadcasts.get_for_update(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        if Status(announcement.status) not in rules.EDITABLE:
            return await _shown(session, actor, announcement, now, Event.NOT_DELETABLE)
        if not request.confirmed:
            return ConfirmDelete(announcement.id, announcement.title)
        _audit(session, actor, announcement, "deleted", {"title": ("(text)", None)})
        await broadcasts.delete(session, announcement)
    log.info("announcement %s deleted", request.announcement_id)
    return Deleted(request.announcement_id)


# -- send now, schedule, cancel, resend ------------------------------------------------------------


async def send_now(
    actor: Actor,
    request: AnnouncementRef,
    work: UnitOfWork,
    *,
    now: datetime,
    hours: SendingHours,
    doorbell: Doorbell,
    report_card: ReportCardPlace,
) -> Shown | OutsideHours | NotFound | Refused:
    """Freeze the audience and queue a copy for each recipient, in sending hours only; the
    doorbell wakes the dispatchers when the transaction commits."""
    if not _business_team(actor):
        return REFUSED
    async with work.write() as session:
        announcement = await broadcasts.get_for_update(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        if Status(announcement.status) not in rules.SENDABLE:
            return await _shown(session, actor, announcement, now, _already_out(announcement))
        if not rules.within_hours(now, hours):
            overview = await _overview(session, actor, announcement, now)
            return OutsideHours(overview, rules.next_sending_time(now, hours))
        audience = await _audience_of(session, announcement)
        if not audience.count:
            return await _shown(session, actor, announcement, now, Event.NOBODY_IN_AUDIENCE)
        _remember_report_card(announcement, report_card)
        await _start_send(session, actor, announcement, audience, now)
        await doorbell.ring(session)
        log.info("announcement %s sending to %s people", announcement.id, audience.count)
        return await _shown(session, actor, announcement, now, Event.STARTED)


async def schedule(
    actor: Actor,
    request: BroadcastScheduleData,
    work: UnitOfWork,
    *,
    now: datetime,
    hours: SendingHours,
    report_card: ReportCardPlace,
) -> Shown | ScheduleRefused | NotFound | Refused:
    """Send at a London date and time within sending hours; the jobs start it then."""
    if not _business_team(actor):
        return REFUSED
    async with work.write() as session:
        announcement = await broadcasts.get_for_update(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        if Status(announcement.status) not in rules.SENDABLE:
            return await _shown(session, actor, announcement, now, _already_out(announcement))
        send_at, problem = schedule_time(request.send_date, request.send_time, now, hours)
        audience = await _audience_of(session, announcement)
        if not problem and not audience.count:
            problem = "Nobody is in this audience; edit it first."
        if problem or send_at is None:
            return ScheduleRefused(await _overview(session, actor, announcement, now), problem)
        _remember_report_card(announcement, report_card)
        announcement.scheduled_for = send_at
        _move(
            session,
            actor,
            announcement,
            Status.SCHEDULED,
            now=now,
            event="scheduled",
            changes={
                "audience": (None, announcement.audience),
                "people": (None, audience.count),
                "reachable": (None, audience.reachable),
                "scheduled_for": (None, send_at.isoformat()),
            },
        )
        log.info("announcement %s scheduled", announcement.id)
        return await _shown(session, actor, announcement, now, Event.SCHEDULED)


def schedule_time(
    send_date: str, send_time: str, now: datetime, hours: SendingHours
) -> tuple[datetime | None, str]:
    """The UTC instant for the London date and time entered, or why it cannot be used."""
    try:
        day = date.fromisoformat(send_date)
    except ValueError:
        return None, "Choose a date."
    try:
        at = time.fromisoformat(send_time[:5])
    except ValueError:
        return None, "Choose a time, e.g. 09:30."
    return rules.schedule_problem(datetime.combine(day, at), now, hours)


async def cancel(
    actor: Actor, request: AnnouncementRef, work: UnitOfWork, *, now: datetime
) -> Shown | NotFound | Refused:
    """A scheduled send goes back to being a draft; a running send stops where it is."""
    if not _business_team(actor):
        return REFUSED
    async with work.write() as session:
        announcement = await broadcasts.get_for_update(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        status = Status(announcement.status)
        if status not in rules.CANCELLABLE:
            return await _shown(session, actor, announcement, now, Event.NOTHING_TO_CANCEL)
        if status in rules.PLANNED:
            _unschedule(session, actor, announcement, now)
            return await _shown(session, actor, announcement, now, Event.UNSCHEDULED)
        stopped = await _cancel_send(session, actor, announcement, now)
        log.info("announcement %s cancelled; %s copies not sent", announcement.id, stopped)
        return await _shown(session, actor, announcement, now, Event.STOPPED, stopped)


async def resend_failed(
    actor: Actor, request: AnnouncementRef, work: UnitOfWork, *, now: datetime, doorbell: Doorbell
) -> Shown | NotFound | Refused:
    """A new send for the recipients whose copy failed, and for nobody else, once the send has
    finished."""
    if not _business_team(actor):
        return REFUSED
    async with work.write() as session:
        announcement = await broadcasts.get_for_update(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        if Status(announcement.status) not in rules.RESENDABLE:
            return await _shown(session, actor, announcement, now, Event.NOT_FINISHED)
        count = await _resend_failed(session, actor, announcement, now)
        if count:
            await doorbell.ring(session)
        log.info("announcement %s resent to %s failed recipients", announcement.id, count)
        event = Event.RESENT if count else Event.NOBODY_FAILED
        return await _shown(session, actor, announcement, now, event, count)


def _remember_report_card(announcement: Announcement, place: ReportCardPlace) -> None:
    """The clicked card becomes the report, so that is where the report lives from now on, and
    the admin who sent it is the one whose report refreshes itself."""
    announcement.author_user_id = place.user_id or announcement.author_user_id
    if place.activity_id and place.conversation_id:
        announcement.report_conversation_id = place.conversation_id
        announcement.report_activity_id = place.activity_id


# -- "Got it" --------------------------------------------------------------------------------------


async def acknowledge(
    actor: Viewer, request: AnnouncementRef, work: UnitOfWork, *, now: datetime
) -> Acknowledged | NotFound:
    """Record a recipient's "Got it" once. Anyone who is not a recipient of an announcement that
    has gone out (a draft, a scheduled one, one sent to other people) is told it does not exist,
    and nothing is recorded."""
    async with work.write() as session:
        announcement = await broadcasts.get(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        is_recipient = await broadcasts.is_recipient(session, announcement.id, actor.person_id)
        if not rules.recipient_may_see(Status(announcement.status), is_recipient):
            log.info(
                "announcement %s: 'Got it' from person %s, who did not receive it",
                announcement.id,
                actor.code,
            )
            return NOT_FOUND
        first = await broadcasts.acknowledge(session, announcement.id, actor.person_id, now)
        copy = await broadcasts.copy_of(session, announcement, now)
    log.info("announcement %s acknowledged by person %s", announcement.id, actor.code)
    return Acknowledged(copy, first)


# -- scheduled work --------------------------------------------------------------------------------


async def start_scheduled_send(
    actor: Actor, announcement_id: int, work: UnitOfWork, *, now: datetime, doorbell: Doorbell
) -> int | None:
    """Start a scheduled send whose time has come; returns its recipients, or None when it is
    not due (another instance started it, or it was cancelled).

    The row lock (PostgreSQL) or the write lock (SQLite) serialises instances; the state check
    after taking it is what makes the fan-out happen once.
    """
    _require_business_team(actor)
    async with work.write() as session:
        announcement = await broadcasts.get_for_update(session, announcement_id)
        if announcement is None or not rules.is_due(
            Status(announcement.status), announcement.scheduled_for, now
        ):
            return None
        audience = await _audience_of(session, announcement)
        await _start_send(session, actor, announcement, audience, now)
        if audience.count:
            await doorbell.ring(session)
        return audience.count


async def start_due_sends(
    actor: Actor, work: UnitOfWork, *, now: datetime, doorbell: Doorbell
) -> int:
    """Start every scheduled send whose time has come, each in its own transaction; returns how
    many started."""
    _require_business_team(actor)
    async with work.read() as session:
        due = await broadcasts.due_scheduled(session, now)
    started = 0
    for announcement_id in due:
        people = await start_scheduled_send(
            actor, announcement_id, work, now=now, doorbell=doorbell
        )
        if people is not None:
            started += 1
            log.info(
                "announcement %s: scheduled send started to %s people", announcement_id, people
            )
    return started


async def finish_sends(actor: Actor, work: UnitOfWork, *, now: datetime) -> int:
    """Close the sends with nothing left waiting (the report shows it either way)."""
    _require_business_team(actor)
    async with work.read() as session:
        sending = await broadcasts.sending_ids(session)
    finished = 0
    for announcement_id in sending:
        async with work.write() as session:
            announcement = await broadcasts.get_for_update(session, announcement_id)
            if announcement is not None and await _finish_if_done(
                session, actor, announcement, now
            ):
                finished += 1
                log.info("announcement %s: send finished", announcement_id)
    return finished


async def plan_ack_reminders(
    actor: Actor, work: UnitOfWork, *, now: datetime, hours: SendingHours
) -> int:
    """One reminder per person who has not clicked "Got it" N working days after their copy was
    sent, going out in sending hours; returns how many were queued."""
    _require_business_team(actor)
    today = local_date(now, hours.tz)
    not_before = rules.next_sending_time(now, hours)
    async with work.write() as session:
        due = [
            candidate
            for candidate in await broadcasts.ack_reminder_candidates(session)
            if rules.ack_reminder_due(
                local_date(candidate.sent_at, hours.tz), candidate.working_days, today
            )
        ]
        queued = await outbox.enqueue(
            session, (broadcasts.ack_reminder_message(c, not_before) for c in due)
        )
    if queued:
        log.info("queued %s acknowledgement reminders", queued)
    return queued


# -- the announcement's life: every move from state to state ---------------------------------------


def _move(
    session: AsyncSession,
    actor: Actor,
    announcement: Announcement,
    to: Status,
    *,
    now: datetime,
    event: str,
    changes: dict[str, tuple[object, object]],
) -> None:
    current = Status(announcement.status)
    if not rules.can_move(current, to):
        raise IllegalMove(f"announcement {announcement.id}: {current} to {to}")
    announcement.status = to
    announcement.updated_at = now
    _audit(session, actor, announcement, event, changes)


async def _start_send(
    session: AsyncSession,
    actor: Actor,
    announcement: Announcement,
    audience: Audience,
    now: datetime,
) -> None:
    """Draft or scheduled to sending: the audience frozen, one outbox row per recipient."""
    announcement.send_number = 1
    announcement.started_at = now
    announcement.finished_at = None
    await broadcasts.queue_first_send(session, announcement.id, audience, now)
    _move(
        session,
        actor,
        announcement,
        Status.SENDING,
        now=now,
        event="send_started",
        changes={
            "author_id": (None, announcement.author_id),
            "audience": (None, json.dumps(announcement.audience, sort_keys=True)),
            "people": (None, audience.count),
            "reachable": (None, audience.reachable),
            "left_out_guests": (None, audience.left_out_guests),
            "left_out_inactive": (None, audience.left_out_inactive),
            "scheduled_for": (None, _iso(announcement.scheduled_for)),
            "started_at": (None, now.isoformat()),
        },
    )
    if not audience.count:
        await _finish_if_done(session, actor, announcement, now)


def _unschedule(
    session: AsyncSession, actor: Actor, announcement: Announcement, now: datetime
) -> None:
    """Scheduled back to draft: it has not started, so it can be edited again."""
    scheduled_for = announcement.scheduled_for
    announcement.scheduled_for = None
    _move(
        session,
        actor,
        announcement,
        Status.DRAFT,
        now=now,
        event="unscheduled",
        changes={"scheduled_for": (_iso(scheduled_for), None)},
    )


async def _cancel_send(
    session: AsyncSession, actor: Actor, announcement: Announcement, now: datetime
) -> int:
    """Sending to cancelled: copies not yet sent are cancelled; returns how many. Copies already
    claimed by a dispatcher are stopped when they render (as nothing)."""
    previous = Status(announcement.status)
    stopped = await broadcasts.cancel_queued(session, announcement.id)
    announcement.cancelled_at = now
    _move(
        session,
        actor,
        announcement,
        Status.CANCELLED,
        now=now,
        event="send_cancelled",
        changes={
            "status": (previous, Status.CANCELLED),
            "not_sent": (None, stopped),
            "cancelled_at": (None, now.isoformat()),
        },
    )
    return stopped


async def _resend_failed(
    session: AsyncSession, actor: Actor, announcement: Announcement, now: datetime
) -> int:
    """Sent back to sending, for the failed copies only (a new send number); returns how many."""
    failed = await broadcasts.failed_recipients(session, announcement)
    if not failed:
        return 0
    await _retry_installs(session, announcement, now)
    send_number = announcement.send_number + 1
    await broadcasts.queue_resend(session, announcement.id, failed, send_number, now)
    announcement.send_number = send_number
    announcement.finished_at = None
    _move(
        session,
        actor,
        announcement,
        Status.SENDING,
        now=now,
        event="resent_to_failed",
        changes={
            "send_number": (send_number - 1, send_number),
            "people": (None, len(failed)),
            "started_at": (None, now.isoformat()),
        },
    )
    return len(failed)


async def _retry_installs(session: AsyncSession, announcement: Announcement, now: datetime) -> None:
    """The copies that failed because the bot could not be installed for them: their installs
    are asked for again (the admin may have fixed the policy or the licence meanwhile)."""
    refused = [
        row.person_id
        for row in await broadcasts.recipient_rows(session, announcement)
        if row.delivery == Delivery.FAILED and row.error in INSTALL_REFUSALS
    ]
    if refused:
        await installs.request_installs(session, refused, now=now, retry_refused=True)


async def _finish_if_done(
    session: AsyncSession, actor: Actor, announcement: Announcement, now: datetime
) -> bool:
    """Sending to sent once nothing of it is waiting: the finish time and counts audited."""
    if not rules.can_move(Status(announcement.status), Status.SENT):
        return False
    if await broadcasts.waiting(session, announcement.id):
        return False
    last_sent = await broadcasts.last_sent_at(session, announcement.id)
    counts = await broadcasts.report_counts(session, announcement)
    finished_at = last_sent or now
    announcement.finished_at = finished_at
    _move(
        session,
        actor,
        announcement,
        Status.SENT,
        now=now,
        event="send_finished",
        changes={
            "recipients": (None, counts.recipients),
            "sent": (None, counts.sent),
            "failed": (None, counts.failed),
            "unreachable": (None, counts.unreachable),
            "finished_at": (None, finished_at.isoformat()),
        },
    )
    return True


# -- helpers ---------------------------------------------------------------------------------------


async def _audience_of(session: AsyncSession, announcement: Announcement) -> Audience:
    return await broadcasts.resolve_audience(
        session, AudienceDefinition.from_json(announcement.audience)
    )


async def _shown(
    session: AsyncSession,
    actor: Actor,
    announcement: Announcement,
    now: datetime,
    event: Event = Event.OPENED,
    count: int = 0,
) -> Shown:
    return Shown(await _overview(session, actor, announcement, now), event, count)


async def _overview(
    session: AsyncSession,
    actor: Actor,
    announcement: Announcement,
    now: datetime,
    *,
    close: bool = True,
) -> Overview:
    """The announcement as its author sees it now; a send found finished is closed first
    (unless only read: `close` False)."""
    if close:
        await _finish_if_done(session, actor, announcement, now)
    status = Status(announcement.status)
    definition = AudienceDefinition.from_json(announcement.audience)
    planned = status in rules.PLANNED
    resolved = await broadcasts.resolve_audience(session, definition) if planned else None
    return Overview(
        copy=await broadcasts.copy_of(session, announcement, now),
        status=status,
        audience=definition,
        names=await broadcasts.audience_names(session),
        ack_days=announcement.ack_reminder_working_days,
        scheduled_for=announcement.scheduled_for,
        started_at=announcement.started_at,
        finished_at=announcement.finished_at,
        cancelled_at=announcement.cancelled_at,
        send_number=announcement.send_number,
        author_user_id=announcement.author_user_id,
        resolved=resolved,
        counts=None if planned else await broadcasts.report_counts(session, announcement),
        reach=await reach_count(session, resolved.person_ids) if resolved else None,
    )


def _audit(
    session: AsyncSession,
    actor: Actor,
    announcement: Announcement,
    event: str,
    changes: dict[str, tuple[object, object]] | None = None,
) -> None:
    audit(
        session,
        actor,
        entity=broadcasts.ENTITY,
        entity_id=str(announcement.id),
        event=event,
        changes=changes,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
