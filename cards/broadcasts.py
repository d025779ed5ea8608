"""Announcement cards: compose, draft (with audience counts and sending), the announcement people
receive (with "Got it" and, when it carries a course, its sessions), the author's delivery report
and the list of announcements.

Pure functions from plain data (the views below) to card JSON; times arrive already formatted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cards.common import (
    ButtonData,
    Card,
    Element,
    action_set,
    card,
    choice_input,
    column,
    columns,
    container,
    date_input,
    error_text,
    escape_markdown,
    execute,
    facts,
    heading,
    message_card,
    open_url,
    plain_text,
    screening_warning,
    submit,
    text,
    text_input,
    toggle_input,
)
from cards.meetings import when_text, where_text
from cards.training import places_text
from cards.verbs import Verb
from domain.audience import AudienceOptions, Choice
from domain.broadcasts import (
    BODY_MAX,
    LINK_TITLE_MAX,
    MARKDOWN_HELP,
    TITLE_MAX,
    AnnouncementCopy,
    Content,
    Delivery,
    Draft,
    ReportCounts,
    Status,
    why_not_reached,
)
from domain.identifiers import KIND_LABELS
from domain.training import Blocked, BookingRules, CourseFacts, SessionFacts, session_choice

STATUS_NAMES = {
    Status.DRAFT: "Draft",
    Status.SCHEDULED: "Scheduled",
    Status.SENDING: "Sending",
    Status.SENT: "Sent",
    Status.CANCELLED: "Cancelled",
}


# -- views -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    title: str


@dataclass(frozen=True)
class ComposeForm:
    """What the compose card shows in its inputs: the author's text exactly as typed."""

    title: str = ""
    body: str = ""
    image_url: str = ""
    link_title: str = ""
    link_url: str = ""
    course: str = ""
    everyone: bool = False
    groups: str = ""
    agencies: str = ""
    champions: bool = False
    booked_on: str = ""
    ack_days: str = ""


@dataclass(frozen=True)
class ComposeChoices:
    groups: tuple[Option, ...] = ()
    agencies: tuple[Option, ...] = ()
    courses: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Screening:
    """What identifier screening found in the text, for the author to remove or confirm."""

    kinds: tuple[str, ...]
    redacted: str


@dataclass(frozen=True)
class SessionView:
    """A session of the linked course as the announcement lists it, with what may be done."""

    session_id: int
    when: str
    where: str
    places: str = ""
    can_book: bool = True
    can_wait: bool = False
    why_not: str = ""


@dataclass(frozen=True)
class CourseView:
    course_id: int
    title: str
    sessions: tuple[SessionView, ...] = ()
    e_learning: bool = False


@dataclass(frozen=True)
class AnnouncementView:
    id: int
    content: Content
    sent_on: str = ""
    course: CourseView | None = None
    # PARTNERSHIP_NAME, for the sender line; the gallery's cards leave it out.
    partnership: str = ""


@dataclass(frozen=True)
class AudienceSummary:
    description: str
    people: int = 0
    reachable: int = 0
    guests: int = 0
    inactive: int = 0
    # With installs on (GRAPH_PROACTIVE_INSTALL): the bot is installed for these first.
    to_install: int = 0
    # Why the rest cannot be reached, in words with counts ("2 blocked by a Teams app policy");
    # empty: they have not installed the bot.
    why_not: str = ""

    @property
    def cannot(self) -> int:
        return max(0, self.people - self.reachable - self.to_install)


@dataclass(frozen=True)
class DraftView:
    announcement: AnnouncementView
    audience: AudienceSummary
    status: Status = Status.DRAFT
    ack_days: int | None = None
    scheduled_for: str = ""
    sending_hours: str = ""


@dataclass(frozen=True)
class ReportView:
    announcement: AnnouncementView
    status: Status
    counts: ReportCounts
    audience: str
    author_user_id: str = ""
    scheduled_for: str = ""
    started: str = ""
    finished: str = ""
    cancelled: str = ""
    send_number: int = 1
    notice: str = ""


@dataclass(frozen=True)
class ListedView:
    id: int
    title: str
    status: Status
    when: str


@dataclass(frozen=True)
class ScheduleInput:
    date: str = ""
    time: str = ""
    error: str = ""


def format_instant(instant: datetime, zone: ZoneInfo) -> str:
    """An instant as people in London read it: "Tue 24 Nov 2026, 09:05"."""
    return instant.astimezone(zone).strftime("%a %-d %b %Y, %H:%M")


def choices_of(options: AudienceOptions) -> ComposeChoices:
    def listed(items: Sequence[Choice]) -> tuple[Option, ...]:
        return tuple(Option(str(item.id), item.name) for item in items)

    return ComposeChoices(listed(options.groups), listed(options.agencies), listed(options.courses))


def form_of(draft: Draft) -> ComposeForm:
    """The compose card's inputs filled from a saved draft."""

    def ids(values: frozenset[int]) -> str:
        return ",".join(str(v) for v in sorted(values))

    content, audience = draft.content, draft.audience
    return ComposeForm(
        title=content.title,
        body=content.body,
        image_url=content.image_url,
        link_title=content.link_title,
        link_url=content.link_url,
        course=str(draft.course_id) if draft.course_id else "",
        everyone=audience.everyone,
        groups=ids(audience.group_ids),
        agencies=ids(audience.agency_ids),
        champions=audience.champions,
        booked_on=ids(audience.course_ids),
        ack_days=str(draft.ack_reminder_working_days or ""),
    )


def announcement_view(
    announcement_id: int,
    content: Content,
    started_at: datetime | None,
    zone: ZoneInfo,
    course: CourseView | None = None,
    *,
    partnership: str = "",
) -> AnnouncementView:
    sent_on = started_at.astimezone(zone).strftime("%a %-d %b %Y") if started_at else ""
    return AnnouncementView(announcement_id, content, sent_on, course, partnership)


_WHY_NOT = {
    Blocked.SESSION_CANCELLED: "Cancelled",
    Blocked.STARTED: "Started",
    Blocked.BOOKING_CLOSED: "Booking closed",
}


def course_view_of(
    course: CourseFacts | None,
    sessions: Sequence[SessionFacts],
    now: datetime,
    rules: BookingRules,
    zone: ZoneInfo,
) -> CourseView | None:
    """The linked course and its sessions as anyone not yet booked would see them now."""
    if course is None:
        return None
    views: list[SessionView] = []
    for session in sessions:
        choice = session_choice(session, None, now, rules, zone)
        views.append(
            SessionView(
                session.id,
                when_text(session.starts_at, session.ends_at, zone),
                where_text(session.mode, session.venue),
                places_text(session),
                can_book=choice.can_book,
                can_wait=choice.can_join_waiting_list,
                why_not=_WHY_NOT.get(choice.blocked, "") if choice.blocked else "",
            )
        )
    return CourseView(course.id, course.title, tuple(views), e_learning=course.is_e_learning)


def announcement_view_of(
    copy: AnnouncementCopy,
    now: datetime,
    rules: BookingRules,
    zone: ZoneInfo,
    *,
    partnership: str = "",
) -> AnnouncementView:
    """The announcement as a copy shows it now, its course as anyone not yet booked sees it."""
    linked = copy.course
    course = course_view_of(linked.course, linked.sessions, now, rules, zone) if linked else None
    return announcement_view(
        copy.id, copy.content, copy.started_at, zone, course, partnership=partnership
    )


def recipient_card(
    copy: AnnouncementCopy,
    now: datetime,
    rules: BookingRules,
    zone: ZoneInfo,
    *,
    preview: bool = False,
    reminder: bool = False,
    acknowledged: str = "",
    partnership: str = "",
) -> Card:
    """The card each recipient gets, built when their copy is sent; the author's preview is this
    same card with the preview banner above it, so it shows exactly what will be sent."""
    view = announcement_view_of(copy, now, rules, zone, partnership=partnership)
    return announcement_card(view, acknowledged=acknowledged, preview=preview, reminder=reminder)


def list_button() -> Element:
    return execute("Announcements", Verb.BROADCAST_LIST)


# -- compose ---------------------------------------------------------------------------------------


def compose_card(
    form: ComposeForm,
    choices: ComposeChoices,
    *,
    announcement_id: int | None = None,
    errors: dict[str, str] | None = None,
    screening: Screening | None = None,
) -> Card:
    errors = errors or {}
    body: list[Element] = [
        heading("Edit announcement" if announcement_id else "New announcement"),
        text("Everything here can be changed until it is sent.", subtle=True),
    ]
    if errors:
        body.append(error_text("Please check the fields marked below; nothing was saved yet."))
    body += _content_inputs(form, choices, errors)
    body += _audience_inputs(form, choices, errors)
    if screening is not None:
        body.append(_screening_block(screening))
    ids: ButtonData = {"announcement_id": announcement_id} if announcement_id else {}
    actions = [execute("Save draft", Verb.BROADCAST_SAVE, style="positive", **ids)]
    actions.append(
        execute("Back", Verb.BROADCAST_OPEN, **ids)
        if announcement_id
        else execute("Back to announcements", Verb.BROADCAST_LIST)
    )
    return card(body, actions, fallback_text="Compose an announcement")


def _with_error(element: Element, message: str) -> list[Element]:
    return [element, error_text(message)] if message else [element]


def _content_inputs(
    form: ComposeForm, choices: ComposeChoices, errors: dict[str, str]
) -> list[Element]:
    elements: list[Element] = []
    elements += _with_error(
        text_input(
            "title", f"Title (up to {TITLE_MAX} characters)", value=form.title, max_length=TITLE_MAX
        ),
        errors.get("title", ""),
    )
    elements += _with_error(
        text_input(
            "body",
            f"Message (up to {BODY_MAX:,} characters)",
            value=form.body,
            multiline=True,
            max_length=BODY_MAX,
            placeholder="What people need to know",
        ),
        errors.get("body", ""),
    )
    elements.append(text(MARKDOWN_HELP, subtle=True, size="Small", spacing="None"))
    elements += _with_error(
        text_input(
            "image_url",
            "Image address (optional, https:// only)",
            value=form.image_url,
            placeholder="https://",
        ),
        errors.get("image_url", ""),
    )
    elements.append(
        columns(
            column(
                _with_error(
                    text_input(
                        "link_title",
                        f"Button label (optional, up to {LINK_TITLE_MAX})",
                        value=form.link_title,
                        max_length=LINK_TITLE_MAX,
                    ),
                    errors.get("link_title", ""),
                )
            ),
            column(
                _with_error(
                    text_input(
                        "link_url",
                        "Button address (https://)",
                        value=form.link_url,
                        placeholder="https://",
                    ),
                    errors.get("link_url", ""),
                )
            ),
        )
    )
    if choices.courses:
        elements += _with_error(
            choice_input(
                "course",
                "Training course to include, with its sessions (optional)",
                [(o.value, o.title) for o in choices.courses],
                value=form.course,
            ),
            errors.get("course", ""),
        )
    return elements


def _audience_inputs(
    form: ComposeForm, choices: ComposeChoices, errors: dict[str, str]
) -> list[Element]:
    elements: list[Element] = [
        text("Who should receive it", weight="Bolder", spacing="Medium"),
        text(
            "Pick any mix: a person in more than one part receives it once. Guests and "
            "inactive people are left out.",
            subtle=True,
            size="Small",
            spacing="None",
        ),
        toggle_input("everyone", "Everyone", "Everyone in the partnership", form.everyone),
        multi_choice("groups", "Groups", choices.groups, form.groups),
        multi_choice("agencies", "Agencies", choices.agencies, form.agencies),
        toggle_input("champions", "Champions", "The neglect champions network", form.champions),
    ]
    if choices.courses:
        elements.append(
            multi_choice("booked_on", "People booked on", choices.courses, form.booked_on)
        )
    if errors.get("audience"):
        elements.append(error_text(errors["audience"]))
    elements += _with_error(
        text_input(
            "ack_days",
            "Remind people who have not clicked 'Got it' after this many working days (optional)",
            value=form.ack_days,
            placeholder="e.g. 3",
        ),
        errors.get("ack_days", ""),
    )
    return elements


def multi_choice(input_id: str, label: str, options: Sequence[Option], value: str) -> Element:
    element = choice_input(input_id, label, [(o.value, o.title) for o in options], value=value)
    element["isMultiSelect"] = True
    return element


def _screening_block(screening: Screening) -> Element:
    kinds = ", ".join(KIND_LABELS.get(k, k) for k in screening.kinds)
    explanation = (
        f"I found what looks like {kinds}. Announcements must never hold details about "
        "children or families. Remove it and save again, or confirm below."
    )
    return screening_warning(
        "This may contain personal data",
        [text(explanation), plain_text(screening.redacted, subtle=True, size="Small")],
        confirmation="I confirm this is not personal data; save it as it is",
        color="Warning",
    )


# -- the announcement people receive --------------------------------------------------------------


def announcement_card(
    view: AnnouncementView,
    *,
    acknowledged: str = "",
    preview: bool = False,
    reminder: bool = False,
    notice: str = "",
) -> Card:
    """The card each recipient gets; `acknowledged` is when they clicked "Got it", if they did."""
    content = view.content
    body: list[Element] = []
    if preview:
        body.append(
            container(
                [
                    text(
                        "Preview: only you can see this. 'Got it' records nothing "
                        "until it is sent.",
                        size="Small",
                    )
                ],
                style="emphasis",
            )
        )
    if reminder:
        body.append(
            text("Reminder: please read this and click 'Got it'.", weight="Bolder", color="Accent")
        )
    if content.image_url:
        body.append(
            {"type": "Image", "url": content.image_url, "altText": content.title, "size": "Stretch"}
        )
    body.append(heading(escape_markdown(content.title)))
    # The body is the business team's own markdown, on purpose: the compose card offers bold,
    # italic, lists and links (MARKDOWN_HELP) and refuses what Teams would not render.
    body.append(text(content.body))
    if view.course is not None:
        body.append(_course_block(view.course))
    team = f"the {view.partnership} business team" if view.partnership else "the business team"
    sender = f"From {team}" + (f" · {view.sent_on}" if view.sent_on else "")
    body.append(text(sender, subtle=True, size="Small"))
    if notice:
        body.append(text(notice, weight="Bolder"))
    actions: list[Element] = []
    if acknowledged:
        body.append(
            text(f"✓ You acknowledged this on {acknowledged}.", color="Good", weight="Bolder")
        )
    else:
        actions.append(
            execute("Got it", Verb.BROADCAST_ACK, style="positive", announcement_id=view.id)
        )
    if content.link_url:
        actions.append(open_url(content.link_title or "Open", content.link_url))
    return card(body, actions, fallback_text=content.title)


def _course_block(course: CourseView) -> Element:
    """The course's sessions, each with the training feature's own Book button.

    Book is an Action.Submit: the training handler answers with the course card as a new message,
    so the announcement (and its "Got it") stays where it is.
    """
    items: list[Element] = [text(escape_markdown(course.title), weight="Bolder")]
    ids: ButtonData = {"course_id": course.course_id}
    if course.e_learning:
        items.append(text("E-learning, at your own pace.", subtle=True))
        items.append(action_set([submit("Enrol", Verb.COURSE_ENROL, style="positive", **ids)]))
    elif not course.sessions:
        items.append(text("No sessions are open at the moment.", subtle=True))
    for session in course.sessions:
        line = " · ".join(part for part in (session.when, session.where, session.places) if part)
        row = [column([text(escape_markdown(line), spacing="None")])]
        book: ButtonData = {**ids, "session_id": session.session_id}
        if session.can_book:
            button = submit("Book", Verb.SESSION_BOOK, style="positive", **book)
            row.append(column([action_set([button])], "auto"))
        elif session.can_wait:
            button = submit("Join waiting list", Verb.SESSION_BOOK, **book)
            row.append(column([action_set([button])], "auto"))
        elif session.why_not:
            row.append(column([text(session.why_not, subtle=True, size="Small")], "auto"))
        items.append(columns(*row, spacing="Small"))
    items.append(action_set([submit("Course details", Verb.COURSE_OPEN, **ids)]))
    return container(items, style="emphasis", spacing="Medium")


# -- draft -----------------------------------------------------------------------------------------


def draft_card(
    draft: DraftView, *, schedule: ScheduleInput | None = None, notice: str = ""
) -> Card:
    announcement = draft.announcement
    audience = draft.audience
    body: list[Element] = [
        heading(
            f"{STATUS_NAMES[draft.status]}: {escape_markdown(announcement.content.title)}",
            size="Medium",
        ),
    ]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    body.append(text(_excerpt(announcement.content.body), subtle=True))
    body.append(
        facts(
            [
                ("Audience", audience.description),
                ("People", f"{audience.people:,}"),
                ("Reachable now", f"{audience.reachable:,} (have the bot installed)"),
                (
                    "Installed first",
                    f"{audience.to_install:,} (the bot is installed for them, then it sends)"
                    if audience.to_install
                    else "",
                ),
                (
                    "Cannot be reached",
                    f"{audience.cannot:,}: {audience.why_not}"
                    if audience.why_not and audience.cannot
                    else "",
                ),
                ("Left out", _left_out(audience)),
                ("Course", announcement.course.title if announcement.course else ""),
                ("Image", "yes" if announcement.content.image_url else ""),
                ("Button", announcement.content.link_title),
                (
                    "'Got it' reminder",
                    f"after {draft.ack_days} working days" if draft.ack_days else "none",
                ),
                ("Scheduled for", draft.scheduled_for),
            ]
        )
    )
    if audience.why_not and audience.cannot:
        body.append(
            text(
                f"{audience.cannot:,} of them cannot be reached ({audience.why_not}); the report "
                "will list them with the reason. See the reach report for how to fix it.",
                color="Warning",
                size="Small",
            )
        )
    elif audience.people and audience.reachable + audience.to_install < audience.people:
        missing = audience.people - audience.reachable - audience.to_install
        body.append(
            text(
                f"{missing:,} of them have not installed the bot, so I cannot reach "
                "them; the report will list them as not reachable.",
                color="Warning",
                size="Small",
            )
        )
    actions: list[Element] = []
    if draft.status == Status.SCHEDULED:
        actions.append(
            execute(
                "Cancel the send",
                Verb.BROADCAST_CANCEL,
                style="destructive",
                announcement_id=announcement.id,
            )
        )
        actions.append(submit("Preview", Verb.BROADCAST_PREVIEW, announcement_id=announcement.id))
        return card(body, actions, fallback_text=f"Scheduled: {announcement.content.title}")
    if audience.people:
        body += _schedule_inputs(announcement.id, schedule or ScheduleInput(), draft.sending_hours)
        actions.append(
            execute(
                _send_now_title(audience.people, audience.reachable + audience.to_install),
                Verb.BROADCAST_SEND,
                style="positive",
                announcement_id=announcement.id,
            )
        )
    else:
        body.append(text("Choose who should receive it (Edit) before sending.", color="Attention"))
    actions += [
        submit("Preview", Verb.BROADCAST_PREVIEW, announcement_id=announcement.id),
        execute("Edit", Verb.BROADCAST_EDIT, announcement_id=announcement.id),
        execute("Duplicate", Verb.BROADCAST_DUPLICATE, announcement_id=announcement.id),
        execute("Delete", Verb.BROADCAST_DELETE, announcement_id=announcement.id),
    ]
    return card(body, actions, fallback_text=f"Draft: {announcement.content.title}")


def _left_out(audience: AudienceSummary) -> str:
    parts: list[str] = []
    if audience.guests:
        parts.append(f"{audience.guests} guest{'s' if audience.guests != 1 else ''}")
    if audience.inactive:
        parts.append(f"{audience.inactive} inactive")
    return ", ".join(parts)


def _excerpt(body: str, limit: int = 280) -> str:
    return body if len(body) <= limit else body[: limit - 1].rstrip() + "…"


def _schedule_inputs(announcement_id: int, schedule: ScheduleInput, hours: str) -> list[Element]:
    elements: list[Element] = [
        text(
            "Or send it later (London time" + (f", {hours}" if hours else "") + ")",
            weight="Bolder",
            spacing="Medium",
        ),
        columns(
            column([date_input("send_date", "Date", value=schedule.date)]),
            column(
                [
                    {
                        "type": "Input.Time",
                        "id": "send_time",
                        "label": "Time",
                        **({"value": schedule.time} if schedule.time else {}),
                    }
                ]
            ),
        ),
    ]
    if schedule.error:
        elements.append(error_text(schedule.error))
    elements.append(
        action_set([execute("Schedule", Verb.BROADCAST_SCHEDULE, announcement_id=announcement_id)])
    )
    return elements


def delete_confirmation_card(announcement_id: int, title: str) -> Card:
    return message_card(
        "Delete this draft?",
        f"'{escape_markdown(title)}' will be deleted. This cannot be undone.",
        [
            execute(
                "Yes, delete it",
                Verb.BROADCAST_DELETE,
                style="destructive",
                announcement_id=announcement_id,
                confirmed=True,
            ),
            execute("Keep it", Verb.BROADCAST_OPEN, announcement_id=announcement_id),
        ],
    )


def _send_now_title(people: int, reachable: int) -> str:
    """Says whom a send will reach now, not the audience's size."""
    if reachable >= people:
        return f"Send now to {people:,}"
    return f"Send now: reaches {reachable:,} of {people:,}"


# -- delivery report -------------------------------------------------------------------------------


def report_card(report: ReportView) -> Card:
    counts = report.counts
    title = report.announcement.content.title
    body: list[Element] = [
        heading(f"Delivery report: {escape_markdown(title)}", size="Medium"),
        text(_report_status_line(report), weight="Bolder"),
    ]
    if report.notice:
        body.append(text(report.notice, color="Good"))
    if counts.recipients:
        body.append(progress_bar(counts))
    body.append(
        facts(
            [
                ("Audience", report.audience),
                ("Recipients", f"{counts.recipients:,}"),
                ("Sent", _share(counts.sent, counts)),
                (
                    "Installing the bot",
                    _share(counts.installing, counts) if counts.installing else "",
                ),
                (
                    "Waiting to send",
                    _share(counts.pending - counts.installing, counts)
                    if counts.pending > counts.installing
                    else "",
                ),
                ("Failed", _share(counts.failed, counts) if counts.failed else "0"),
                (
                    "Not reachable",
                    _share(counts.unreachable, counts) if counts.unreachable else "0",
                ),
                (
                    "Not sent (cancelled)",
                    _share(counts.cancelled, counts) if counts.cancelled else "",
                ),
                ("Acknowledged", _share(counts.acknowledged, counts)),
                ("Scheduled for", report.scheduled_for),
                ("Started", report.started),
                ("Finished", report.finished),
                ("Cancelled", report.cancelled),
                ("Resends", str(report.send_number - 1) if report.send_number > 1 else ""),
            ]
        )
    )
    if counts.reasons:
        body.append(text("Not reached, by reason:", weight="Bolder", size="Small"))
        body.append(
            facts(
                [
                    (f"{count:,}", why_not_reached(Delivery.FAILED, code))
                    for code, count in counts.reasons
                ]
            )
        )
    elif counts.unreachable:
        body.append(
            text(
                "Not reachable: they have not installed the bot, or have removed or blocked it.",
                subtle=True,
                size="Small",
            )
        )
    if counts.installing:
        body.append(
            text(
                "Installing the bot: it is being installed for them through Microsoft Graph; "
                "their copy goes as soon as it is.",
                subtle=True,
                size="Small",
            )
        )
    ids: ButtonData = {"announcement_id": report.announcement.id}
    actions = [execute("Refresh", Verb.BROADCAST_REPORT, **ids)]
    if report.status in (Status.SENDING, Status.SCHEDULED):
        actions.append(execute("Cancel sending", Verb.BROADCAST_CANCEL, style="destructive", **ids))
    if report.status == Status.SENT and counts.failed:
        actions.append(
            execute(
                f"Resend to {counts.failed:,} failed",
                Verb.BROADCAST_RESEND,
                style="positive",
                **ids,
            )
        )
    if counts.failed or counts.unreachable or counts.sent > counts.acknowledged:
        actions.append(execute("Who was missed", Verb.BROADCAST_MISSED, **ids))
    actions.append(execute("Duplicate", Verb.BROADCAST_DUPLICATE, **ids))
    refresh = None
    if report.author_user_id:
        refresh = {
            "action": {
                "type": "Action.Execute",
                "verb": str(Verb.BROADCAST_REPORT),
                "data": {"verb": str(Verb.BROADCAST_REPORT), **ids},
            },
            "userIds": [report.author_user_id],
        }
    return card(body, actions, refresh=refresh, fallback_text=f"Delivery report: {title}")


# A card holds at most 28 KB: the first names of each list; the export has everyone.
MISSED_SHOWN = 40


@dataclass(frozen=True)
class MissedView:
    name: str
    agency: str
    reason: str = ""


def missed_card(
    announcement_id: int,
    title: str,
    not_reached: Sequence[MissedView],
    not_acknowledged: Sequence[MissedView],
) -> Card:
    """Whom an announcement has not reached and why, then who has not acknowledged it."""
    body: list[Element] = [heading(f"Who was missed: {escape_markdown(title)}", size="Medium")]
    body += _missed_part(f"Not reached ({len(not_reached):,})", not_reached)
    body += _missed_part(f"Not acknowledged yet ({len(not_acknowledged):,})", not_acknowledged)
    if len(not_reached) > MISSED_SHOWN or len(not_acknowledged) > MISSED_SHOWN:
        body.append(
            text(
                "Only the first names are shown: the business team's export "
                "(docs/broadcasts.md) has everyone.",
                subtle=True,
                size="Small",
            )
        )
    back = execute("Back to the report", Verb.BROADCAST_REPORT, announcement_id=announcement_id)
    return card(body, [back], fallback_text=f"Who was missed: {title}")


def _missed_part(title: str, people: Sequence[MissedView]) -> list[Element]:
    lines: list[Element] = [text(title, weight="Bolder", spacing="Medium")]
    if not people:
        return [*lines, text("Nobody.", subtle=True, spacing="None")]
    for person in people[:MISSED_SHOWN]:
        who = f"{person.name} · {person.agency}"
        lines.append(
            text(
                escape_markdown(f"{who}: {person.reason}" if person.reason else who),
                size="Small",
                spacing="None",
            )
        )
    if len(people) > MISSED_SHOWN:
        lines.append(text(f"and {len(people) - MISSED_SHOWN:,} more", subtle=True, size="Small"))
    return lines


def _report_status_line(report: ReportView) -> str:
    counts = report.counts
    if report.status == Status.SCHEDULED:
        return f"Scheduled for {report.scheduled_for}: nothing sent yet."
    if report.status == Status.SENDING:
        return f"Sending: {counts.done:,} of {counts.recipients:,} done."
    if report.status == Status.CANCELLED:
        return (
            f"Cancelled: {counts.sent:,} sent before it was stopped; "
            f"{counts.cancelled + counts.pending:,} not sent."
        )
    summary = f"Finished: sent to {counts.sent:,} of {counts.recipients:,}"
    if counts.acknowledged:
        summary += f", {counts.acknowledged:,} acknowledged"
    return summary + "."


def _share(part: int, counts: ReportCounts) -> str:
    return f"{part:,} ({counts.percent(part)}%)"


def progress_bar(counts: ReportCounts) -> Element:
    """Sent, failed, not reachable and waiting as one bar of proportional coloured parts."""
    parts = [
        (counts.sent, "good"),
        (counts.failed, "attention"),
        (counts.unreachable, "warning"),
        (counts.pending + counts.cancelled, "emphasis"),
    ]
    cols = [
        column(
            [text(" ", size="Small")], str(max(1, round(1000 * n / counts.recipients))), style=style
        )
        for n, style in parts
        if n
    ]
    return columns(*cols, spacing="Small")


# -- list and small cards --------------------------------------------------------------------------


def list_card(items: Sequence[ListedView]) -> Card:
    body: list[Element] = [heading("Announcements", size="Medium")]
    if not items:
        body.append(text("There are no announcements yet. Start one with 'new announcement'."))
    for item in items:
        body.append(
            container(
                [
                    text(escape_markdown(item.title), weight="Bolder"),
                    text(
                        f"{STATUS_NAMES[item.status]} · {item.when}",
                        subtle=True,
                        size="Small",
                        spacing="None",
                    ),
                ],
                separator=True,
                select=execute("Open", Verb.BROADCAST_OPEN, announcement_id=item.id),
            )
        )
    return card(
        body,
        [execute("New announcement", Verb.BROADCAST_NEW, style="positive")],
        fallback_text="Announcements",
    )


def refusal_card() -> Card:
    return message_card(
        "Only the business team can do that",
        "Composing and sending announcements is for the partnership business team (admins). "
        "If you need something announced, ask them.",
    )
