"""Broadcasts in Teams: the business team composes, previews, sends or schedules announcements and
follows their delivery; everyone who receives one can acknowledge it with "Got it".

Card-driven and stateless: every button carries the announcement id, so no dialog state is kept.
Each handler takes its verb's typed data (`cards.data.broadcasts`), calls its use case
(`usecases.broadcasts`, which checks who may ask and does the work) and builds the card the
outcome calls for. Logs carry ids and counts, never what was typed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from cards import broadcasts as cards
from cards.common import Card, message_card
from cards.data import NoData
from cards.data.broadcasts import (
    AnnouncementRef,
    BroadcastAckData,
    BroadcastCancelData,
    BroadcastDeleteData,
    BroadcastDuplicateData,
    BroadcastEditData,
    BroadcastListData,
    BroadcastMissedData,
    BroadcastNewData,
    BroadcastOpenData,
    BroadcastPreviewData,
    BroadcastReportData,
    BroadcastResendData,
    BroadcastSaveData,
    BroadcastScheduleData,
    BroadcastSendData,
    ListAnnouncementsCommand,
    NewAnnouncementCommand,
)
from cards.verbs import Verb
from dialogs.registry import Registry, Reply, Turn
from domain.audience import describe
from domain.broadcasts import AnnouncementCopy, SendingHours, Status
from domain.permissions import OfferedTo, Viewer
from domain.training import BookingRules
from usecases import broadcasts as usecases
from usecases.broadcasts import (
    ConfirmDelete,
    EditForm,
    Event,
    HeldForScreening,
    Invalid,
    Listed,
    NotFound,
    OutsideHours,
    Overview,
    Refused,
    ReportCardPlace,
    ScheduleRefused,
    Shown,
)

log = logging.getLogger(__name__)


def _viewer(turn: Turn) -> Viewer:
    assert turn.viewer is not None  # the router answers unknown people first
    return turn.viewer


def _refused(turn: Turn) -> Reply:
    """Kindly and clearly, to anyone who is not in the business team."""
    log.info("refused a broadcast action to person %s (not an admin)", _viewer(turn).code)
    return Reply(card=cards.refusal_card())


def _gone() -> Reply:
    return Reply.message(
        "That announcement is no longer here",
        "It may have been deleted. Type 'announcements' to see the current list.",
    )


def _not_received() -> Reply:
    """ "Got it" on an id that names nothing, or nothing this person received: one answer, so
    that it tells nobody whether an announcement exists."""
    return Reply.message(
        "That announcement is no longer here",
        "It may have been withdrawn or deleted, or it was not sent to you, so nothing was "
        "recorded.",
    )


def _hours(turn: Turn) -> SendingHours:
    settings = turn.services.settings
    start, end = settings.broadcast_hours
    return SendingHours.parse(start, end, settings.timezone)


def _booking_rules(turn: Turn) -> BookingRules:
    settings = turn.services.settings
    return BookingRules(
        settings.booking_closes_working_days, settings.free_cancellation_working_days
    )


def _when(turn: Turn, instant: datetime | None) -> str:
    return cards.format_instant(instant, turn.services.settings.zone) if instant else ""


def _user_id(turn: Turn) -> str:
    sender = turn.context.activity.from_property
    return (sender.id if sender else "") or ""


def _report_card_place(turn: Turn) -> ReportCardPlace:
    activity = turn.context.activity
    conversation_id = activity.conversation.id if activity.conversation is not None else ""
    return ReportCardPlace(_user_id(turn), conversation_id or "", activity.reply_to_id or "")


# -- from outcomes to cards ------------------------------------------------------------------------


def recipient_card(
    turn: Turn, copy: AnnouncementCopy, *, preview: bool = False, acknowledged: str = ""
) -> Card:
    """The card each recipient gets (`cards.broadcasts.recipient_card`), as of this turn."""
    zone = turn.services.settings.zone
    return cards.recipient_card(
        copy,
        turn.now,
        _booking_rules(turn),
        zone,
        preview=preview,
        acknowledged=acknowledged,
        partnership=turn.services.partnership_name,
    )


def _announcement_view(turn: Turn, copy: AnnouncementCopy) -> cards.AnnouncementView:
    zone = turn.services.settings.zone
    return cards.announcement_view_of(
        copy, turn.now, _booking_rules(turn), zone, partnership=turn.services.partnership_name
    )


def _shown(turn: Turn, shown: Shown) -> Reply:
    overview = shown.overview
    notice = _notice(turn, shown)
    if overview.counts is None:
        return Reply(card=cards.draft_card(_draft_view(turn, overview), notice=notice))
    return Reply(card=cards.report_card(_report_view(turn, overview, notice)))


_NOTICES = {
    Event.OPENED: "",
    Event.STARTED: "",
    Event.SAVED: "Saved as a draft.",
    Event.DUPLICATED: "This is a new draft, copied from the original.",
    Event.NOT_EDITABLE_SCHEDULED: "It is scheduled: cancel the send first to edit it.",
    Event.NOT_EDITABLE_SENT: (
        "It has been sent, so it cannot be changed; duplicate it to send a new version."
    ),
    Event.NOT_DELETABLE: "Only drafts can be deleted.",
    Event.ALREADY_SCHEDULED: "It is already scheduled.",
    Event.ALREADY_SENT: "It has already been sent.",
    Event.NOBODY_IN_AUDIENCE: "Nobody is in this audience; edit it first.",
    Event.UNSCHEDULED: "The send is cancelled; it is a draft again.",
    Event.NOTHING_TO_CANCEL: "There is no send to cancel.",
    Event.NOT_FINISHED: "Resending is possible once a send has finished.",
    Event.NOBODY_FAILED: "Nobody is marked failed.",
}


def _notice(turn: Turn, shown: Shown) -> str:
    if shown.event == Event.SCHEDULED:
        return f"Scheduled for {_when(turn, shown.overview.scheduled_for)} (London time)."
    if shown.event == Event.STOPPED:
        return f"Stopped: {shown.count:,} copies will not be sent."
    if shown.event == Event.RESENT:
        return f"Resending to {shown.count:,} people."
    return _NOTICES[shown.event]


def _draft_view(turn: Turn, overview: Overview) -> cards.DraftView:
    audience = overview.resolved
    summary = cards.AudienceSummary(
        description=describe(overview.audience, overview.names),
        people=audience.count if audience else 0,
        reachable=audience.reachable if audience else 0,
        guests=audience.left_out_guests if audience else 0,
        inactive=audience.left_out_inactive if audience else 0,
        **_reach_parts(turn, overview),
    )
    return cards.DraftView(
        announcement=_announcement_view(turn, overview.copy),
        audience=summary,
        status=overview.status,
        ack_days=overview.ack_days,
        scheduled_for=_when(turn, overview.scheduled_for),
        sending_hours=_hours(turn).describe(),
    )


def _reach_parts(turn: Turn, overview: Overview) -> dict[str, Any]:
    """With installs on (docs/deploy.md, "Reaching everyone"): who is installed for first and why
    the rest cannot be reached. Off, the card says who has not installed the bot, as before."""
    reach = overview.reach
    if reach is None or not turn.services.settings.graph.proactive_install:
        return {}
    return {"to_install": reach.install_first, "why_not": reach.cannot_words()}


def _draft_with_schedule(turn: Turn, overview: Overview, schedule: cards.ScheduleInput) -> Reply:
    return Reply(card=cards.draft_card(_draft_view(turn, overview), schedule=schedule))


def _report_view(turn: Turn, overview: Overview, notice: str) -> cards.ReportView:
    assert overview.counts is not None
    return cards.ReportView(
        announcement=_announcement_view(turn, overview.copy),
        status=overview.status,
        counts=overview.counts,
        audience=describe(overview.audience, overview.names),
        author_user_id=overview.author_user_id,
        scheduled_for=_when(turn, overview.scheduled_for),
        started=_when(turn, overview.started_at),
        finished=_when(turn, overview.finished_at),
        cancelled=_when(turn, overview.cancelled_at),
        send_number=overview.send_number,
        notice=notice,
    )


def _listed_view(turn: Turn, item: Listed) -> cards.ListedView:
    status = Status(item.status)
    instant = {
        Status.SCHEDULED: item.scheduled_for,
        Status.SENDING: item.started_at,
        Status.SENT: item.started_at,
    }.get(status) or item.updated_at
    verb = {Status.SCHEDULED: "for", Status.SENDING: "started", Status.SENT: "sent"}.get(
        status, "changed"
    )
    return cards.ListedView(item.id, item.title, status, f"{verb} {_when(turn, instant)}")


def form_from_data(data: BroadcastSaveData) -> cards.ComposeForm:
    """The compose card's inputs as sent, kept exactly as typed so a card with errors keeps them."""
    return cards.ComposeForm(
        title=data.title,
        body=data.body,
        image_url=data.image_url,
        link_title=data.link_title,
        link_url=data.link_url,
        course=data.course,
        everyone=data.everyone,
        groups=data.groups,
        agencies=data.agencies,
        champions=data.champions,
        booked_on=data.booked_on,
        ack_days=data.ack_days,
    )


def _answer(turn: Turn, outcome: Shown | NotFound | Refused) -> Reply:
    if isinstance(outcome, Refused):
        return _refused(turn)
    if isinstance(outcome, NotFound):
        return _gone()
    return _shown(turn, outcome)


# -- compose, edit, save ---------------------------------------------------------------------------


async def new_announcement(turn: Turn, _data: NoData) -> Reply:
    options = await usecases.compose_options(_viewer(turn), turn.services.work)
    if isinstance(options, Refused):
        return _refused(turn)
    return Reply(card=cards.compose_card(cards.ComposeForm(), cards.choices_of(options)))


async def edit(turn: Turn, data: BroadcastEditData) -> Reply:
    outcome = await usecases.edit_form(_viewer(turn), data, turn.services.work, now=turn.now)
    if not isinstance(outcome, EditForm):
        return _answer(turn, outcome)
    form = cards.form_of(outcome.draft)
    choices = cards.choices_of(outcome.options)
    return Reply(card=cards.compose_card(form, choices, announcement_id=outcome.announcement_id))


async def save(turn: Turn, data: BroadcastSaveData) -> Reply:
    outcome = await usecases.save_draft(
        _viewer(turn),
        data,
        turn.services.work,
        now=turn.now,
        author_user_id=_user_id(turn),
        allowed_email_domains=turn.services.settings.partnership_email_domains,
    )
    if isinstance(outcome, Invalid | HeldForScreening):
        choices = cards.choices_of(outcome.options)
        form = form_from_data(data)
        if isinstance(outcome, Invalid):
            errors = dict(outcome.errors)
            card = cards.compose_card(
                form, choices, announcement_id=data.announcement_id, errors=errors
            )
        else:
            screening = cards.Screening(outcome.kinds, outcome.redacted)
            card = cards.compose_card(
                form, choices, announcement_id=data.announcement_id, screening=screening
            )
        return Reply(card=card)
    return _answer(turn, outcome)


# -- list, open, preview, duplicate, delete --------------------------------------------------------


async def list_announcements(turn: Turn, _data: NoData) -> Reply:
    listed = await usecases.list_recent(_viewer(turn), turn.services.work)
    if isinstance(listed, Refused):
        return _refused(turn)
    return Reply(card=cards.list_card([_listed_view(turn, item) for item in listed]))


async def open_announcement(turn: Turn, data: AnnouncementRef) -> Reply:
    outcome = await usecases.open_announcement(
        _viewer(turn), data, turn.services.work, now=turn.now
    )
    return _answer(turn, outcome)


async def preview(turn: Turn, data: BroadcastPreviewData) -> Reply:
    """The card recipients will get, sent to the author only, as a new message."""
    copy = await usecases.preview(_viewer(turn), data, turn.services.work, now=turn.now)
    if isinstance(copy, Refused):
        return _refused(turn)
    if isinstance(copy, NotFound):
        return _gone()
    return Reply(card=recipient_card(turn, copy, preview=True))


async def duplicate(turn: Turn, data: BroadcastDuplicateData) -> Reply:
    outcome = await usecases.duplicate(
        _viewer(turn), data, turn.services.work, now=turn.now, author_user_id=_user_id(turn)
    )
    return _answer(turn, outcome)


async def delete(turn: Turn, data: BroadcastDeleteData) -> Reply:
    outcome = await usecases.delete_draft(_viewer(turn), data, turn.services.work, now=turn.now)
    if isinstance(outcome, ConfirmDelete):
        return Reply(card=cards.delete_confirmation_card(outcome.announcement_id, outcome.title))
    if isinstance(outcome, usecases.Deleted):
        return Reply(
            card=message_card(
                "Draft deleted", "The draft announcement was deleted.", [cards.list_button()]
            )
        )
    return _answer(turn, outcome)


# -- sending ---------------------------------------------------------------------------------------


async def send_now(turn: Turn, data: BroadcastSendData) -> Reply:
    hours = _hours(turn)
    outcome = await usecases.send_now(
        _viewer(turn),
        data,
        turn.services.work,
        now=turn.now,
        hours=hours,
        doorbell=turn.services.doorbell,
        report_card=_report_card_place(turn),
    )
    if isinstance(outcome, OutsideHours):
        return _draft_with_schedule(turn, outcome.overview, _outside_hours(outcome, hours))
    return _answer(turn, outcome)


def _outside_hours(outcome: OutsideHours, hours: SendingHours) -> cards.ScheduleInput:
    """Send now outside sending hours is refused, with the next allowed time filled in."""
    suggestion = outcome.next_time.astimezone(hours.tz)
    return cards.ScheduleInput(
        date=suggestion.date().isoformat(),
        time=suggestion.strftime("%H:%M"),
        error=f"Announcements go out {hours.describe()}, and it is outside those hours now. "
        f"Schedule it instead: the next time is {suggestion:%A %d %B at %H:%M}.",
    )


async def schedule(turn: Turn, data: BroadcastScheduleData) -> Reply:
    outcome = await usecases.schedule(
        _viewer(turn),
        data,
        turn.services.work,
        now=turn.now,
        hours=_hours(turn),
        report_card=_report_card_place(turn),
    )
    if isinstance(outcome, ScheduleRefused):
        entered = cards.ScheduleInput(data.send_date, data.send_time, outcome.problem)
        return _draft_with_schedule(turn, outcome.overview, entered)
    return _answer(turn, outcome)


async def cancel(turn: Turn, data: BroadcastCancelData) -> Reply:
    """A scheduled send goes back to being a draft; a running send stops where it is."""
    outcome = await usecases.cancel(_viewer(turn), data, turn.services.work, now=turn.now)
    return _answer(turn, outcome)


async def resend_failed(turn: Turn, data: BroadcastResendData) -> Reply:
    outcome = await usecases.resend_failed(
        _viewer(turn), data, turn.services.work, now=turn.now, doorbell=turn.services.doorbell
    )
    return _answer(turn, outcome)


async def who_was_missed(turn: Turn, data: BroadcastMissedData) -> Reply:
    outcome = await usecases.who_was_missed(_viewer(turn), data, turn.services.work)
    if isinstance(outcome, Refused):
        return _refused(turn)
    if isinstance(outcome, NotFound):
        return _gone()
    return Reply(
        card=cards.missed_card(
            outcome.announcement_id,
            outcome.title,
            [cards.MissedView(m.name, m.agency, m.reason) for m in outcome.not_reached],
            [cards.MissedView(m.name, m.agency) for m in outcome.not_acknowledged],
        )
    )


# -- acknowledgement (recipients) ------------------------------------------------------------------


async def acknowledge(turn: Turn, data: BroadcastAckData) -> Reply:
    outcome = await usecases.acknowledge(_viewer(turn), data, turn.services.work, now=turn.now)
    if isinstance(outcome, NotFound):
        return _not_received()
    return Reply(
        card=recipient_card(turn, outcome.copy, acknowledged=_when(turn, outcome.first_at))
    )


# -- routing ---------------------------------------------------------------------------------------


def register(registry: Registry) -> None:
    registry.text(
        "new announcement",
        [
            r"(new|create|compose|write|start|send|make|draft)( an?)?( new)?"
            r" (announcement|broadcast)",
            r"send (a message|an email|a note) to (everyone|all|everybody)",
        ],
        new_announcement,
        example="new announcement",
        description="(business team) compose an announcement to send to people",
        data=NewAnnouncementCommand,
        offered_to=OfferedTo.BUSINESS_TEAM,
    )
    registry.text(
        "announcements",
        [
            r"(my |all |list |show |sent )?(announcements|broadcasts)|my drafts",
            r"how did (my|the) (announcement|broadcast)s? go",
            r"(announcement|broadcast) reports?",
            r"(who('s| has| have)?|has everyone) (read|seen|acknowledged) (my|the)"
            r" (announcement|broadcast)s?",
        ],
        list_announcements,
        example="announcements",
        description="(business team) drafts, scheduled and sent announcements with reports",
        data=ListAnnouncementsCommand,
        offered_to=OfferedTo.BUSINESS_TEAM,
    )
    registry.verb(Verb.BROADCAST_NEW, new_announcement, BroadcastNewData)
    registry.verb(Verb.BROADCAST_SAVE, save, BroadcastSaveData)
    registry.verb(Verb.BROADCAST_OPEN, open_announcement, BroadcastOpenData)
    registry.verb(Verb.BROADCAST_EDIT, edit, BroadcastEditData)
    registry.verb(Verb.BROADCAST_PREVIEW, preview, BroadcastPreviewData)
    registry.verb(Verb.BROADCAST_DUPLICATE, duplicate, BroadcastDuplicateData)
    registry.verb(Verb.BROADCAST_DELETE, delete, BroadcastDeleteData)
    registry.verb(Verb.BROADCAST_SEND, send_now, BroadcastSendData)
    registry.verb(Verb.BROADCAST_SCHEDULE, schedule, BroadcastScheduleData)
    registry.verb(Verb.BROADCAST_CANCEL, cancel, BroadcastCancelData)
    # A sent one opens as its report.
    registry.verb(Verb.BROADCAST_REPORT, open_announcement, BroadcastReportData)
    registry.verb(Verb.BROADCAST_RESEND, resend_failed, BroadcastResendData)
    registry.verb(Verb.BROADCAST_MISSED, who_was_missed, BroadcastMissedData)
    registry.verb(Verb.BROADCAST_ACK, acknowledge, BroadcastAckData)
    registry.verb(Verb.BROADCAST_LIST, list_announcements, BroadcastListData)
