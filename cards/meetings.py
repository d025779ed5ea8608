"""Cards for meetings: one meeting, "what's on" lists (meetings and training by date), and the
answer when there is nothing to show.

Times are shown in the partnership's time zone (UK time) whatever the reader's device says.
Join links, agendas and "Add to calendar" appear only when the reader may use them (members of the
group, the business team, the scrutineer); everyone else sees when the group meets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cards.common import (
    Card,
    Element,
    card,
    column,
    columns,
    container,
    escape_markdown,
    facts,
    heading,
    open_url,
    submit,
    text,
    titled,
)
from cards.verbs import Verb
from domain.meetings import MeetingFacts, Mode
from domain.send_times import local_date
from domain.when import format_day

# A list longer than this is cut, with a line saying how many more there are.
MAX_LIST_ITEMS = 20
TIME_ZONE_NOTE = "UK time"


def clock_span(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """'10:00–12:30' in the partnership's time zone."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return f"{start:%H:%M}–{end:%H:%M}"


def when_text(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """'Tue 8 Dec 2026, 10:00–12:30' in the partnership's time zone."""
    return f"{format_day(local_date(starts_at, zone))}, {clock_span(starts_at, ends_at, zone)}"


def where_text(mode: Mode, venue: str) -> str:
    if mode == Mode.ONLINE:
        return "Microsoft Teams"
    if mode == Mode.E_LEARNING:
        return "Online, at your own pace"
    place = venue or "venue to be confirmed"
    return f"{place} and on Teams" if mode == Mode.HYBRID else place


@dataclass(frozen=True)
class MeetingView:
    meeting: MeetingFacts
    sees_links: bool
    calendar_url: str = ""


def meeting_card(view: MeetingView, zone: ZoneInfo) -> Card:
    meeting = view.meeting
    subtitle = meeting.group_name if meeting.title != meeting.group_name else ""
    body: list[Element] = titled(escape_markdown(meeting.title), escape_markdown(subtitle))
    if meeting.cancelled:
        body.append(text("This meeting has been cancelled.", color="Attention", weight="Bolder"))
    body.append(
        facts(
            [
                (
                    "When",
                    f"{when_text(meeting.starts_at, meeting.ends_at, zone)} ({TIME_ZONE_NOTE})",
                ),
                ("How", meeting.mode.label),
                ("Where", where_text(meeting.mode, meeting.venue)),
                ("Theme", meeting.notes),
            ]
        )
    )
    actions: list[Element] = []
    if view.sees_links and not meeting.cancelled:
        if meeting.online_url and meeting.mode.has_link:
            actions.append(open_url("Join on Teams", meeting.online_url))
        if meeting.agenda_url:
            actions.append(open_url("Agenda and papers", meeting.agenda_url))
        if view.calendar_url:
            actions.append(open_url("Add to calendar", view.calendar_url))
    elif not view.sees_links:
        body.append(
            text(
                "The joining link and papers are for members of the "
                f"{escape_markdown(meeting.group_name)}. "
                "If you should be there, ask the group's chair to add you.",
                subtle=True,
                size="Small",
            )
        )
    actions.append(submit("My meetings", Verb.UPCOMING_MINE))
    when = format_day(local_date(meeting.starts_at, zone))
    return card(body, actions, fallback_text=f"{meeting.title}: {when}")


def public_meeting_card(group_name: str, meeting: MeetingFacts, zone: ZoneInfo) -> Card:
    """The next meeting of a channel's group, for everyone in the channel: when, how and where.

    No join link, papers, "Add to calendar" or buttons, whatever the facts hold: a shared
    conversation may include people who are not the group's members, and a click there would
    answer for one person in front of all."""
    when = when_text(meeting.starts_at, meeting.ends_at, zone)
    body: list[Element] = [
        heading(f"Next meeting: {group_name}", size="Medium"),
        facts(
            [
                ("When", f"{when} ({TIME_ZONE_NOTE})"),
                ("How", meeting.mode.label),
                ("Where", where_text(meeting.mode, meeting.venue)),
            ]
        ),
        text(
            'Members: for the joining link and papers, ask me "my meetings" in a personal chat.',
            subtle=True,
            size="Small",
        ),
    ]
    return card(body, fallback_text=f"Next meeting of {group_name}: {when}")


@dataclass(frozen=True)
class UpcomingItem:
    """One line of a "what's on" list: a meeting or a training session."""

    kind: str  # "meeting" or "session"
    id: int
    title: str
    detail: str  # the group's name, or the course's code and mode
    starts_at: datetime
    ends_at: datetime
    mode: Mode
    status: str = ""  # "Booked", "Waiting list (2nd)"
    cancelled: bool = False
    course_id: int | None = None


def _open_action(item: UpcomingItem) -> Element:
    if item.kind == "meeting":
        return submit("Open", Verb.MEETING_OPEN, meeting_id=item.id)
    return submit("Open", Verb.COURSE_OPEN, course_id=item.course_id, session_id=item.id)


def upcoming_item_element(item: UpcomingItem, zone: ZoneInfo) -> Element:
    """One meeting or session on a list, by date; it opens the meeting or the course."""
    start = item.starts_at.astimezone(zone)
    kind_word = "Meeting" if item.kind == "meeting" else "Training"
    status = " · ".join(
        part
        for part in (
            kind_word,
            item.mode.label,
            "CANCELLED" if item.cancelled else "",
            item.status,
        )
        if part
    )
    return container(
        [
            columns(
                column(
                    [
                        text(format_day(start.date()).rsplit(" ", 1)[0], weight="Bolder"),
                        text(
                            clock_span(item.starts_at, item.ends_at, zone),
                            subtle=True,
                            spacing="None",
                        ),
                    ],
                    width="110px",
                ),
                column(
                    [
                        text(escape_markdown(item.title), weight="Bolder", color="Accent"),
                        text(
                            escape_markdown(f"{item.detail} · {status}" if item.detail else status),
                            subtle=True,
                            size="Small",
                            spacing="None",
                        ),
                    ]
                ),
            )
        ],
        separator=True,
        spacing="Small",
        select=_open_action(item),
    )


def upcoming_card(
    title: str,
    subtitle: str,
    items: list[UpcomingItem],
    zone: ZoneInfo,
    *,
    footnote: str = "",
) -> Card:
    """A list of meetings and sessions by date; each line opens its card."""
    shown = items[:MAX_LIST_ITEMS]
    body: list[Element] = titled(escape_markdown(title), escape_markdown(subtitle))
    body.extend(upcoming_item_element(item, zone) for item in shown)
    if len(items) > len(shown):
        body.append(
            text(
                f"and {len(items) - len(shown)} more: ask about a shorter time, "
                'for example "what\'s on next week".',
                subtle=True,
                size="Small",
            )
        )
    body.append(
        text(
            footnote or f"Times are {TIME_ZONE_NOTE}. Select a line for details.",
            subtle=True,
            size="Small",
        )
    )
    return card(
        body,
        [submit("My meetings", Verb.UPCOMING_MINE)],
        fallback_text=f"{title}: {len(items)} item(s)",
    )


def nothing_card(
    sentence: str, suggestions: list[str], zone: ZoneInfo, *, next_item: UpcomingItem | None = None
) -> Card:
    """Nothing matched: say so, say what comes next if anything, and suggest what to ask."""
    # The sentence may quote what was asked ('no group called "..."'), so none of it is markdown.
    body: list[Element] = [heading("Nothing found", size="Medium"), text(escape_markdown(sentence))]
    actions: list[Element] = []
    if next_item is not None:
        when = when_text(next_item.starts_at, next_item.ends_at, zone)
        body.append(text(f"The next one is {escape_markdown(next_item.title)} on {when}."))
        actions.append(_open_action(next_item) | {"title": f"Open {next_item.title}"[:40]})
    if suggestions:
        body.append(text("You could ask:", weight="Bolder", spacing="Medium"))
        body.extend(text(f'"{escape_markdown(s)}"', spacing="None") for s in suggestions)
    actions.append(submit("My meetings", Verb.UPCOMING_MINE))
    return card(body, actions, fallback_text=sentence)
