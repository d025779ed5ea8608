"""Broadcasts in Teams: the business team composes, previews, sends or schedules announcements and
follows their delivery; everyone who receives one can acknowledge it with "Got it".

Card-driven and stateless: every button carries the announcement id, so no dialog state is kept.
Only admins get past `_admin_only`; "Got it" is for anyone on the roster. Free text is screened for
identifiers before anything is saved. Logs carry ids and counts, never what was typed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from cards import broadcasts as cards
from cards.common import message_card
from cards.verbs import Verb
from dialogs.registry import Registry, Reply, Turn
from domain import broadcasts as rules
from domain.audience import Audience, AudienceDefinition, AudienceOptions, describe
from domain.broadcasts import Content, Draft, SendingHours, Status
from domain.identifiers import find_identifiers, redact_preview
from domain.training import BookingRules
from storage import broadcasts
from storage.models import Announcement

log = logging.getLogger(__name__)

Handler = Callable[[Turn, dict[str, Any]], Awaitable[Reply]]


def _admin_only(handler: Handler) -> Handler:
    """Refuse, kindly and clearly, anyone who is not in the business team."""

    async def guarded(turn: Turn, data: dict[str, Any]) -> Reply:
        assert turn.viewer is not None  # the router answers unknown people first
        if not turn.viewer.is_admin:
            log.info("refused a broadcast action to person %s (not an admin)", turn.viewer.code)
            return Reply(card=cards.refusal_card())
        return await handler(turn, data)

    return guarded


def _announcement_id(data: dict[str, Any]) -> int | None:
    raw = data.get("announcement_id")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


async def _find(
    session: AsyncSession, data: dict[str, Any], *, for_update: bool = False
) -> Announcement | None:
    """The announcement a card's data names, or None (missing, malformed or deleted)."""
    announcement_id = _announcement_id(data)
    if announcement_id is None:
        return None
    if for_update:
        return await broadcasts.get_for_update(session, announcement_id)
    return await broadcasts.get(session, announcement_id)


def _gone() -> Reply:
    return Reply.message(
        "That announcement is no longer here",
        "It may have been deleted. Type 'announcements' to see the current list.",
    )


def _hours(turn: Turn) -> SendingHours:
    settings = turn.services.settings
    return SendingHours.parse(*settings.broadcast_hours, settings.timezone)


def _when(turn: Turn, instant: datetime | None) -> str:
    return cards.format_instant(instant, turn.services.settings.zone) if instant else ""


# -- reading the compose card ---------------------------------------------------------------------


def form_from_data(data: dict[str, Any]) -> cards.ComposeForm:
    """The compose card's inputs as sent, kept exactly as typed so a card with errors keeps them."""

    def field(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    def flag(name: str) -> bool:
        return field(name).lower() == "true"

    return cards.ComposeForm(
        title=field("title"),
        body=field("body"),
        image_url=field("image_url"),
        link_title=field("link_title"),
        link_url=field("link_url"),
        course=field("course"),
        everyone=flag("everyone"),
        groups=field("groups"),
        agencies=field("agencies"),
        champions=flag("champions"),
        booked_on=field("booked_on"),
        ack_days=field("ack_days"),
    )


def _picked(raw: str, allowed: set[int]) -> tuple[frozenset[int], bool]:
    """Ids chosen in a multi-select, and whether any was not one of the choices offered."""
    picked = set()
    stale = False
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if part.isdigit() and int(part) in allowed:
            picked.add(int(part))
        else:
            stale = True
    return frozenset(picked), stale


def draft_from_form(
    form: cards.ComposeForm, options: AudienceOptions
) -> tuple[Draft | None, dict[str, str]]:
    """The draft the card describes, or the problems to show beside its fields."""
    content = Content(
        form.title, form.body, form.image_url, form.link_title, form.link_url
    ).cleaned()
    errors = rules.content_problems(content)
    groups, stale_groups = _picked(form.groups, {c.id for c in options.groups})
    agencies, stale_agencies = _picked(form.agencies, {c.id for c in options.agencies})
    course_ids = {c.id for c in options.courses}
    booked_on, stale_courses = _picked(form.booked_on, course_ids)
    if stale_groups or stale_agencies or stale_courses:
        errors["audience"] = "Some of the choices no longer exist; please choose again."
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


def _listed_view(item: broadcasts.Listed, zone: ZoneInfo) -> cards.ListedView:
    status = Status(item.status)
    instant = {
        Status.SCHEDULED: item.scheduled_for,
        Status.SENDING: item.started_at,
        Status.SENT: item.started_at,
    }.get(status) or item.updated_at
    verb = {Status.SCHEDULED: "for", Status.SENDING: "started", Status.SENT: "sent"}.get(
        status, "changed"
    )
    return cards.ListedView(
        item.id, item.title, status, f"{verb} {cards.format_instant(instant, zone)}"
    )


# -- compose, edit, save --------------------------------------------------------------------------


@_admin_only
async def new_announcement(turn: Turn, _data: dict[str, Any]) -> Reply:
    async with turn.services.sessions() as session:
        options = await broadcasts.audience_options(session)
    return Reply(card=cards.compose_card(cards.ComposeForm(), cards.choices_of(options)))


@_admin_only
async def edit(turn: Turn, data: dict[str, Any]) -> Reply:
    async with turn.services.sessions() as session:
        announcement = await _find(session, data)
        if announcement is None:
            return _gone()
        if announcement.status != Status.DRAFT:
            return await _open(turn, session, announcement, notice=_not_editable(announcement))
        options = await broadcasts.audience_options(session)
        form = cards.form_of(broadcasts.draft_of(announcement))
    return Reply(
        card=cards.compose_card(form, cards.choices_of(options), announcement_id=announcement.id)
    )


def _not_editable(announcement: Announcement) -> str:
    if announcement.status == Status.SCHEDULED:
        return "It is scheduled: cancel the send first to edit it."
    return "It has been sent, so it cannot be changed; duplicate it to send a new version."


@_admin_only
async def save(turn: Turn, data: dict[str, Any]) -> Reply:
    assert turn.viewer is not None
    form = form_from_data(data)
    announcement_id = _announcement_id(data)
    async with turn.services.sessions() as session, session.begin():
        options = await broadcasts.audience_options(session)
        draft, errors = draft_from_form(form, options)
        choices = cards.choices_of(options)
        if errors or draft is None:
            return Reply(
                card=cards.compose_card(
                    form, choices, announcement_id=announcement_id, errors=errors
                )
            )
        screening = _screen(turn, draft.content)
        confirmed = str(data.get("confirm_not_personal", "")).lower() == "true"
        if screening is not None and not confirmed:
            log.info("announcement text held for screening: %s", ",".join(screening.kinds))
            return Reply(
                card=cards.compose_card(
                    form, choices, announcement_id=announcement_id, screening=screening
                )
            )
        announcement = await _store(
            turn, session, announcement_id, draft, confirmed=screening is not None
        )
        if announcement is None:
            return _gone()
        if announcement.status != Status.DRAFT:
            return await _open(turn, session, announcement, notice=_not_editable(announcement))
        log.info("announcement %s saved as a draft", announcement.id)
        return await _draft_reply(turn, session, announcement, notice="Saved as a draft.")


def _screen(turn: Turn, content: Content) -> cards.Screening | None:
    text = content.screened_text()
    findings = find_identifiers(
        text, allowed_email_domains=turn.services.settings.partnership_email_domains
    )
    if not findings:
        return None
    kinds = tuple(dict.fromkeys(f.kind for f in findings))
    return cards.Screening(kinds, redact_preview(text, findings))


async def _store(
    turn: Turn,
    session: AsyncSession,
    announcement_id: int | None,
    draft: Draft,
    *,
    confirmed: bool,
) -> Announcement | None:
    assert turn.viewer is not None
    if announcement_id is None:
        return await broadcasts.create_draft(
            session,
            draft,
            author_id=turn.viewer.person_id,
            author_user_id=_user_id(turn),
            now=turn.now,
            screening_confirmed=confirmed,
        )
    announcement = await broadcasts.get_for_update(session, announcement_id)
    if announcement is None or announcement.status != Status.DRAFT:
        return announcement
    await broadcasts.update_draft(
        session,
        announcement,
        draft,
        editor_id=turn.viewer.person_id,
        now=turn.now,
        screening_confirmed=confirmed,
    )
    return announcement


def _user_id(turn: Turn) -> str:
    sender = turn.context.activity.from_property
    return (sender.id if sender else "") or ""


# -- open, list, preview, duplicate, delete --------------------------------------------------------


@_admin_only
async def list_announcements(turn: Turn, _data: dict[str, Any]) -> Reply:
    async with turn.services.sessions() as session:
        listed = await broadcasts.recent(session)
    zone = turn.services.settings.zone
    return Reply(card=cards.list_card([_listed_view(item, zone) for item in listed]))


@_admin_only
async def open_announcement(turn: Turn, data: dict[str, Any]) -> Reply:
    async with turn.services.sessions() as session, session.begin():
        announcement = await _find(session, data)
        if announcement is None:
            return _gone()
        return await _open(turn, session, announcement)


async def _open(
    turn: Turn, session: AsyncSession, announcement: Announcement, notice: str = ""
) -> Reply:
    if announcement.status in (Status.DRAFT, Status.SCHEDULED):
        return await _draft_reply(turn, session, announcement, notice=notice)
    return await _report_reply(turn, session, announcement, notice=notice)


async def _draft_reply(
    turn: Turn,
    session: AsyncSession,
    announcement: Announcement,
    *,
    notice: str = "",
    schedule: cards.ScheduleInput | None = None,
) -> Reply:
    definition = AudienceDefinition.from_json(announcement.audience)
    audience = await broadcasts.resolve_audience(session, definition)
    options = await broadcasts.audience_options(session)
    view = cards.DraftView(
        announcement=await _announcement_view(turn, session, announcement),
        audience=_summary(definition, audience, options),
        status=Status(announcement.status),
        ack_days=announcement.ack_reminder_working_days,
        scheduled_for=_when(turn, announcement.scheduled_for),
        sending_hours=_hours(turn).describe(),
    )
    return Reply(card=cards.draft_card(view, schedule=schedule, notice=notice))


def _summary(
    definition: AudienceDefinition, audience: Audience, options: AudienceOptions
) -> cards.AudienceSummary:
    return cards.AudienceSummary(
        description=describe(definition, options.names()),
        people=audience.count,
        reachable=audience.reachable,
        guests=audience.left_out_guests,
        inactive=audience.left_out_inactive,
    )


async def _announcement_view(
    turn: Turn, session: AsyncSession, announcement: Announcement
) -> cards.AnnouncementView:
    settings = turn.services.settings
    linked = await broadcasts.linked_course(session, announcement.course_id, turn.now)
    course = None
    if linked is not None:
        rules = BookingRules(
            settings.booking_closes_working_days, settings.free_cancellation_working_days
        )
        course = cards.course_view_of(
            linked.course, linked.sessions, turn.now, rules, settings.zone
        )
    return cards.announcement_view(
        announcement.id,
        broadcasts.draft_of(announcement).content,
        announcement.started_at,
        turn.services.settings.zone,
        course,
    )


@_admin_only
async def preview(turn: Turn, data: dict[str, Any]) -> Reply:
    """The exact card recipients will get, sent to the author only, as a new message."""
    async with turn.services.sessions() as session:
        announcement = await _find(session, data)
        if announcement is None:
            return _gone()
        view = await _announcement_view(turn, session, announcement)
    return Reply(card=cards.announcement_card(view, preview=True))


@_admin_only
async def duplicate(turn: Turn, data: dict[str, Any]) -> Reply:
    assert turn.viewer is not None
    async with turn.services.sessions() as session, session.begin():
        original = await _find(session, data)
        if original is None:
            return _gone()
        copy = await broadcasts.duplicate(
            session,
            original,
            author_id=turn.viewer.person_id,
            author_user_id=_user_id(turn),
            now=turn.now,
        )
        log.info("announcement %s duplicated as %s", original.id, copy.id)
        return await _draft_reply(
            turn, session, copy, notice="This is a new draft, copied from the original."
        )


@_admin_only
async def delete(turn: Turn, data: dict[str, Any]) -> Reply:
    assert turn.viewer is not None
    async with turn.services.sessions() as session, session.begin():
        announcement = await _find(session, data, for_update=True)
        if announcement is None:
            return _gone()
        announcement_id = announcement.id
        if announcement.status != Status.DRAFT:
            return await _open(turn, session, announcement, notice="Only drafts can be deleted.")
        if data.get("confirmed") is not True:
            return Reply(card=cards.delete_confirmation_card(announcement.id, announcement.title))
        await broadcasts.delete_draft(session, announcement, person_id=turn.viewer.person_id)
    log.info("announcement %s deleted", announcement_id)
    return Reply(
        card=message_card(
            "Draft deleted", "The draft announcement was deleted.", [cards.list_button()]
        )
    )


# -- sending ---------------------------------------------------------------------------------------


@_admin_only
async def send_now(turn: Turn, data: dict[str, Any]) -> Reply:
    assert turn.viewer is not None
    hours = _hours(turn)
    async with turn.services.sessions() as session, session.begin():
        announcement = await _find(session, data, for_update=True)
        if announcement is None:
            return _gone()
        if announcement.status != Status.DRAFT:
            return await _open(turn, session, announcement, notice=_already(announcement))
        if not rules.within_hours(turn.now, hours):
            return await _draft_reply(
                turn, session, announcement, schedule=_outside_hours(turn, hours)
            )
        audience = await broadcasts.resolve_audience(
            session, AudienceDefinition.from_json(announcement.audience)
        )
        if not audience.count:
            return await _draft_reply(
                turn, session, announcement, notice="Nobody is in this audience; edit it first."
            )
        _remember_report_card(turn, announcement)
        await broadcasts.start_send(
            session, announcement, audience, now=turn.now, person_id=turn.viewer.person_id
        )
        await turn.services.doorbell.ring(session)
        log.info("announcement %s sending to %s people", announcement.id, audience.count)
        return await _report_reply(turn, session, announcement)


def _already(announcement: Announcement) -> str:
    if announcement.status == Status.SCHEDULED:
        return "It is already scheduled."
    return "It has already been sent."


def _outside_hours(turn: Turn, hours: SendingHours) -> cards.ScheduleInput:
    """Send now outside sending hours is refused, with the next allowed time filled in."""
    suggestion = rules.next_sending_time(turn.now, hours).astimezone(hours.tz)
    return cards.ScheduleInput(
        date=suggestion.date().isoformat(),
        time=suggestion.strftime("%H:%M"),
        error=f"Announcements go out {hours.describe()}, and it is outside those hours now. "
        f"Schedule it instead: the next time is {suggestion:%A %d %B at %H:%M}.",
    )


def _remember_report_card(turn: Turn, announcement: Announcement) -> None:
    """The clicked card becomes the report, so that is where the report lives from now on, and
    the admin who sent it is the one whose report refreshes itself."""
    announcement.author_user_id = _user_id(turn) or announcement.author_user_id
    activity = turn.context.activity
    if activity.reply_to_id and activity.conversation is not None:
        announcement.report_conversation_id = activity.conversation.id
        announcement.report_activity_id = activity.reply_to_id


@_admin_only
async def schedule(turn: Turn, data: dict[str, Any]) -> Reply:
    assert turn.viewer is not None
    entered = cards.ScheduleInput(
        str(data.get("send_date") or ""), str(data.get("send_time") or "")
    )
    async with turn.services.sessions() as session, session.begin():
        announcement = await _find(session, data, for_update=True)
        if announcement is None:
            return _gone()
        if announcement.status != Status.DRAFT:
            return await _open(turn, session, announcement, notice=_already(announcement))
        send_at, problem = _schedule_time(turn, entered)
        audience = await broadcasts.resolve_audience(
            session, AudienceDefinition.from_json(announcement.audience)
        )
        if not problem and not audience.count:
            problem = "Nobody is in this audience; edit it first."
        if problem or send_at is None:
            return await _draft_reply(
                turn,
                session,
                announcement,
                schedule=cards.ScheduleInput(entered.date, entered.time, problem),
            )
        _remember_report_card(turn, announcement)
        await broadcasts.schedule(
            session,
            announcement,
            send_at=send_at,
            person_id=turn.viewer.person_id,
            audience=audience,
            now=turn.now,
        )
        log.info("announcement %s scheduled", announcement.id)
        return await _draft_reply(
            turn,
            session,
            announcement,
            notice=f"Scheduled for {_when(turn, send_at)} (London time).",
        )


def _schedule_time(turn: Turn, entered: cards.ScheduleInput) -> tuple[datetime | None, str]:
    try:
        day = date.fromisoformat(entered.date)
    except ValueError:
        return None, "Choose a date."
    try:
        at = time.fromisoformat(entered.time[:5])
    except ValueError:
        return None, "Choose a time, e.g. 09:30."
    return rules.schedule_problem(datetime.combine(day, at), turn.now, _hours(turn))


@_admin_only
async def cancel(turn: Turn, data: dict[str, Any]) -> Reply:
    """A scheduled send goes back to being a draft; a running send stops where it is."""
    assert turn.viewer is not None
    async with turn.services.sessions() as session, session.begin():
        announcement = await _find(session, data, for_update=True)
        if announcement is None:
            return _gone()
        person_id = turn.viewer.person_id
        if announcement.status == Status.SCHEDULED:
            await broadcasts.unschedule(session, announcement, person_id=person_id, now=turn.now)
            return await _draft_reply(
                turn, session, announcement, notice="The send is cancelled; it is a draft again."
            )
        if announcement.status == Status.SENDING:
            stopped = await broadcasts.cancel_send(
                session, announcement, person_id=person_id, now=turn.now
            )
            log.info("announcement %s cancelled; %s copies not sent", announcement.id, stopped)
            return await _report_reply(
                turn, session, announcement, notice=f"Stopped: {stopped:,} copies will not be sent."
            )
        return await _open(turn, session, announcement, notice="There is no send to cancel.")


@_admin_only
async def resend_failed(turn: Turn, data: dict[str, Any]) -> Reply:
    assert turn.viewer is not None
    async with turn.services.sessions() as session, session.begin():
        announcement = await _find(session, data, for_update=True)
        if announcement is None:
            return _gone()
        if announcement.status != Status.SENT:
            return await _open(
                turn,
                session,
                announcement,
                notice="Resending is possible once a send has finished.",
            )
        count = await broadcasts.resend_failed(
            session, announcement, now=turn.now, person_id=turn.viewer.person_id
        )
        if count:
            await turn.services.doorbell.ring(session)
        log.info("announcement %s resent to %s failed recipients", announcement.id, count)
        notice = f"Resending to {count:,} people." if count else "Nobody is marked failed."
        return await _report_reply(turn, session, announcement, notice=notice)


# -- report ----------------------------------------------------------------------------------------


async def _report_reply(
    turn: Turn, session: AsyncSession, announcement: Announcement, *, notice: str = ""
) -> Reply:
    await broadcasts.finish_if_done(session, announcement, now=turn.now)
    counts = await broadcasts.report_counts(session, announcement)
    options = await broadcasts.audience_options(session)
    definition = AudienceDefinition.from_json(announcement.audience)
    view = cards.ReportView(
        announcement=await _announcement_view(turn, session, announcement),
        status=Status(announcement.status),
        counts=counts,
        audience=describe(definition, options.names()),
        author_user_id=announcement.author_user_id,
        scheduled_for=_when(turn, announcement.scheduled_for),
        started=_when(turn, announcement.started_at),
        finished=_when(turn, announcement.finished_at),
        cancelled=_when(turn, announcement.cancelled_at),
        send_number=announcement.send_number,
        notice=notice,
    )
    return Reply(card=cards.report_card(view))


# -- acknowledgement (anyone) ---------------------------------------------------------------------


async def acknowledge(turn: Turn, data: dict[str, Any]) -> Reply:
    assert turn.viewer is not None
    person_id = turn.viewer.person_id
    async with turn.services.sessions() as session, session.begin():
        announcement = await _find(session, data)
        if announcement is None:
            return _gone()
        view = await _announcement_view(turn, session, announcement)
        if announcement.status in (Status.DRAFT, Status.SCHEDULED):
            return Reply(
                card=cards.announcement_card(
                    view, preview=True, notice="This is a preview: nothing was recorded."
                )
            )
        if not await broadcasts.is_recipient(session, announcement.id, person_id):
            return Reply(
                card=cards.announcement_card(
                    view,
                    notice="You are not in this announcement's audience, so nothing was recorded.",
                )
            )
        first = await broadcasts.acknowledge(session, announcement.id, person_id, turn.now)
    log.info("announcement %s acknowledged by person %s", announcement.id, turn.viewer.code)
    return Reply(card=cards.announcement_card(view, acknowledged=_when(turn, first)))


# -- routing ---------------------------------------------------------------------------------------


def register(registry: Registry) -> None:
    registry.text(
        "new announcement",
        [r"(new|create|compose|write|start)( an?)? (announcement|broadcast)"],
        new_announcement,
        example="new announcement",
        description="(business team) compose an announcement to send to people",
    )
    registry.text(
        "announcements",
        [r"(my |all |list |show )?(announcements|broadcasts)"],
        list_announcements,
        example="announcements",
        description="(business team) drafts, scheduled and sent announcements with reports",
    )
    for verb, handler in (
        (Verb.BROADCAST_NEW, new_announcement),
        (Verb.BROADCAST_SAVE, save),
        (Verb.BROADCAST_OPEN, open_announcement),
        (Verb.BROADCAST_EDIT, edit),
        (Verb.BROADCAST_PREVIEW, preview),
        (Verb.BROADCAST_DUPLICATE, duplicate),
        (Verb.BROADCAST_DELETE, delete),
        (Verb.BROADCAST_SEND, send_now),
        (Verb.BROADCAST_SCHEDULE, schedule),
        (Verb.BROADCAST_CANCEL, cancel),
        (Verb.BROADCAST_REPORT, open_announcement),  # a sent one opens as its report
        (Verb.BROADCAST_RESEND, resend_failed),
        (Verb.BROADCAST_ACK, acknowledge),
        (Verb.BROADCAST_LIST, list_announcements),
    ):
        registry.verb(verb, handler)
