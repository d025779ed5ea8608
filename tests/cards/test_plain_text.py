"""What a person typed is shown as typed on every card: never as Teams markdown, HTML or a mention.

Teams renders a TextBlock's text and a Fact's title and value as markdown; a TextRun and an
input's value are shown as they are. Each card that carries typed text (or roster and reference
data, which people also type) is built here with that text hostile, and the card's JSON is walked:
the hostile constructs may appear only in TextRuns and inputs, and the words must still be shown.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cards import (
    action_reminders,
    actions,
    broadcasts,
    meetings,
    reminder_digests,
    reminders,
    session_changes,
    training,
    welcome,
)
from cards.common import escape_markdown
from cards.gallery import actions as sample_actions
from cards.gallery import broadcasts as sample_broadcasts
from cards.gallery import meetings as sample_meetings
from cards.gallery import session_changes as sample_session_changes
from cards.gallery import training as sample_training
from domain.action_updates import FieldFinding
from domain.action_views import LinkEntry, UpdateEntry, build_overview
from domain.actions import RagThresholds
from domain.broadcasts import Content, ReportCounts, Status
from domain.reminders import ClockView, Kind
from domain.training import BookingRules, BookingStatus
from tests.fuzz.strategies import INJECTIONS
from tests.support.cards import card_problems

ZONE = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
THRESHOLDS = RagThresholds()

# Markdown, HTML, mentions and links from the fuzz suite, one per line as someone might paste them.
HOSTILE = "\n".join(INJECTIONS[:5])
# What would render if the hostile text reached markdown: anywhere in a line, or at a line's start.
# (The first injection is matched whole: the compose card's help line shows **bold** on purpose.)
RENDERED_ANYWHERE = (
    INJECTIONS[0],
    "_it_ ~~",
    "~~strike~~",
    "`code`",
    "[click me](",
    "![img](",
    "<script>",
    "<b ",
    "<img ",
    "<at>",
)
RENDERED_AT_LINE_START = re.compile(r"(?m)^\s*(# Heading|- item|1\. first)")
# The words themselves, which must still be on the card (escaped, or in a TextRun).
SHOWN = "click me"


def markdown_fields(node: Any) -> list[str]:
    """Every string Teams reads as markdown: TextBlock text, Fact titles and values."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
            found.append(node["text"])
        if node.get("type") == "FactSet":
            for fact in node.get("facts", []):
                found += [fact["title"], fact["value"]]
        for value in node.values():
            found += markdown_fields(value)
    elif isinstance(node, list):
        for item in node:
            found += markdown_fields(item)
    return found


def rendered_constructs(card: dict[str, Any]) -> list[str]:
    problems = []
    for field in markdown_fields(card):
        problems += [marker for marker in RENDERED_ANYWHERE if marker in field]
        problems += [m.group(1) for m in RENDERED_AT_LINE_START.finditer(field)]
    return problems


# -- the cards, each with every typed field hostile --------------------------------------------


def _summary(reference: str = "A15", **changes: Any) -> Any:
    names = {
        "group_name": HOSTILE,
        "lead_name": HOSTILE,
        "lead_agency": HOSTILE,
        "chair_name": HOSTILE,
        "priority_name": HOSTILE,
    }
    return sample_actions.sample_action(reference, HOSTILE, **{**names, **changes})


def _detail(**changes: Any) -> Any:
    summary = changes.pop("summary", _summary())
    return sample_actions._sample_detail(
        summary=summary,
        source_title=HOSTILE,
        revised_due_reason=HOSTILE,
        status_reason=HOSTILE,
        impact_evidence=HOSTILE,
        updates=[UpdateEntry(date(2026, 9, 9), HOSTILE, HOSTILE, "in_progress", "red", False)],
        links=[
            LinkEntry("A16", HOSTILE, HOSTILE, "complete", "linked", None),
            LinkEntry("A22", HOSTILE, HOSTILE, "in_progress", "suggested", 71.0),
        ],
        **changes,
    )


def _dropped_with_revised_date() -> Any:
    summary = _summary(status="dropped", revised=date(2027, 2, 1))
    return _detail(summary=summary)


def _complete() -> Any:
    return _detail(
        summary=_summary(status="complete", completed=date(2026, 10, 28), impact="evidenced")
    )


def action_cards() -> list[tuple[str, dict[str, Any]]]:
    items = [_summary("A07", due=date(2026, 8, 31), last_update=date(2026, 5, 1)), _summary()]
    context = actions.ListContext(title=HOSTILE, verb=actions.Verb.ACTIONS_MINE, intro=HOSTILE)
    overview = build_overview(items, TODAY, THRESHOLDS, [("P4", HOSTILE)])
    finding = (FieldFinding("note", "phone", HOSTILE),)
    state = actions.FormState(values={"note": HOSTILE}, findings=finding)
    return [
        ("action.list", actions.action_list_card(items, context, TODAY, THRESHOLDS)),
        (
            "action.detail.dropped_revised",
            actions.action_detail_card(
                _dropped_with_revised_date(), TODAY, THRESHOLDS, can_update=True
            ),
        ),
        (
            "action.detail.read_only",
            actions.action_detail_card(_detail(), TODAY, THRESHOLDS, can_update=False),
        ),
        (
            "action.detail.complete",
            actions.action_detail_card(_complete(), TODAY, THRESHOLDS, can_update=True),
        ),
        ("action.update.screening", actions.update_card(_detail(), TODAY, state)),
        ("action.overview", actions.overview_card(overview, [], TODAY, scope=HOSTILE)),
        ("action.not_yours", actions.not_yours_card("A07", HOSTILE)),
        (
            "action_reminder.escalation",
            action_reminders.action_reminder_card(Kind.ESCALATION, _detail(), TODAY, message_id=1),
        ),
        (
            "action_reminder.saved",
            action_reminders.action_reminder_saved_card(_detail(), TODAY),
        ),
    ]


def digest_cards() -> list[tuple[str, dict[str, Any]]]:
    line = reminder_digests.ActionLine("A03", HOSTILE, HOSTILE, "24 days overdue")
    section = reminder_digests.GroupSection(HOSTILE, [line])
    return [
        (
            "digest.personal",
            reminder_digests.personal_digest_card(HOSTILE, [line], week_of=TODAY, message_id=1),
        ),
        (
            "digest.chair",
            reminder_digests.chair_digest_card(HOSTILE, [section], week_of=TODAY, message_id=1),
        ),
    ]


def meeting_cards() -> list[tuple[str, dict[str, Any]]]:
    meeting = replace(
        sample_meetings._CFAG,
        title=HOSTILE,
        group_name=HOSTILE + " group",
        venue=HOSTILE,
        notes=HOSTILE,
    )
    item = meetings.UpcomingItem(
        "meeting", 4, HOSTILE, HOSTILE, meeting.starts_at, meeting.ends_at, meeting.mode
    )
    event = reminders.EventReminder(
        headline="Reminder: tomorrow",
        title=HOSTILE,
        subtitle=HOSTILE,
        when="Thu 14 Jan 2027",
        how="In person",
        where=HOSTILE,
        notes=(HOSTILE,),
    )
    clock = ClockView(7, HOSTILE, date(2026, 11, 20), date(2026, 12, 11), 5)
    return [
        ("meeting.member", meetings.meeting_card(meetings.MeetingView(meeting, True), ZONE)),
        ("meeting.not_member", meetings.meeting_card(meetings.MeetingView(meeting, False), ZONE)),
        ("upcoming", meetings.upcoming_card(HOSTILE, HOSTILE, [item], ZONE)),
        (
            "upcoming.nothing",
            meetings.nothing_card(
                f'I couldn\'t find a group or course called "{HOSTILE}".',
                [HOSTILE],
                ZONE,
                next_item=item,
            ),
        ),
        ("reminder.event", reminders.event_reminder_card(event, message_id=1)),
        ("clock.reminder", reminders.rapid_review_card(clock, message_id=1)),
        ("clock.recorded", reminders.clock_recorded_card(clock, [date(2026, 12, 1)])),
        ("clock.list", reminders.clocks_card([clock], can_manage=True, today=TODAY)),
    ]


def broadcast_cards() -> list[tuple[str, dict[str, Any]]]:
    # The body is the business team's own markdown on purpose (cards.broadcasts.MARKDOWN_HELP);
    # every other typed field is plain.
    content = Content(title=HOSTILE, body="Plain body.", link_title=HOSTILE, link_url="")
    course = broadcasts.CourseView(
        2, HOSTILE, (broadcasts.SessionView(3, "Tue 16 Feb 2027", HOSTILE, "12 places left"),)
    )
    view = broadcasts.AnnouncementView(1, content, sent_on="Tue 24 Nov 2026", course=course)
    audience = broadcasts.AudienceSummary(HOSTILE, people=9, reachable=7)
    draft = broadcasts.DraftView(view, audience)
    report = broadcasts.ReportView(view, Status.SENDING, ReportCounts(recipients=3), HOSTILE)
    screening = broadcasts.Screening(("phone",), HOSTILE)
    form = broadcasts.ComposeForm(title=HOSTILE, body=HOSTILE)
    return [
        ("broadcast.announcement", broadcasts.announcement_card(view)),
        ("broadcast.draft", broadcasts.draft_card(draft)),
        ("broadcast.report", broadcasts.report_card(report)),
        (
            "broadcast.list",
            broadcasts.list_card([broadcasts.ListedView(1, HOSTILE, Status.SENT, "sent")]),
        ),
        ("broadcast.delete", broadcasts.delete_confirmation_card(1, HOSTILE)),
        (
            "broadcast.compose.screening",
            broadcasts.compose_card(form, sample_broadcasts._EXAMPLE_CHOICES, screening=screening),
        ),
    ]


def training_cards() -> list[tuple[str, dict[str, Any]]]:
    rules = BookingRules()
    course = replace(sample_training._T1, title=HOSTILE, description=HOSTILE, code="T1")
    session = sample_training._session(19, 1, course_title=HOSTILE, venue=HOSTILE, mode=course.mode)
    view = sample_training._view(session, BookingStatus.BOOKED)
    people = [
        training.AttendanceEntry(9, HOSTILE, HOSTILE, BookingStatus.BOOKED),
        training.AttendanceEntry(10, HOSTILE, HOSTILE, BookingStatus.WAITING),
    ]
    change = sample_session_changes._example(session_changes.Change.MOVED, BookingStatus.BOOKED)
    changed_session = replace(change.place.session, course_title=HOSTILE, venue=HOSTILE)
    change = replace(change, place=replace(change.place, session=changed_session))
    return [
        ("course", training.course_card(course, [view], ZONE, rules)),
        ("course.booked", training.booking_confirmation_card(course, view, ZONE)),
        ("course.place_offered", training.place_offered_card(view, ZONE, rules)),
        ("attendance", training.attendance_card(session, people, ZONE, can_mark=False)),
        ("session_changed", session_changes.session_changed_card(change, ZONE, rules)),
    ]


def welcome_cards() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("welcome", welcome.welcome_card(HOSTILE, (HOSTILE,), [], "Riverside")),
        ("help.suggestions", welcome.help_card([], unknown_text=True, suggestions=[HOSTILE])),
    ]


ALL_CARDS = [
    *action_cards(),
    *digest_cards(),
    *meeting_cards(),
    *broadcast_cards(),
    *training_cards(),
    *welcome_cards(),
]


@pytest.mark.parametrize(("name", "card"), ALL_CARDS, ids=[name for name, _card in ALL_CARDS])
def test_typed_text_never_renders_as_markdown(name, card):
    assert rendered_constructs(card) == [], name


@pytest.mark.parametrize(("name", "card"), ALL_CARDS, ids=[name for name, _card in ALL_CARDS])
def test_typed_text_is_still_shown(name, card):
    assert SHOWN in str(card), name


@pytest.mark.parametrize(("name", "card"), ALL_CARDS, ids=[name for name, _card in ALL_CARDS])
def test_cards_with_hostile_text_stay_valid(name, card):
    assert card_problems(card) == [], name


def test_the_walk_sees_what_teams_renders():
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "TextBlock", "text": "[click me](https://x) **bold**"},
            {"type": "FactSet", "facts": [{"title": "Why", "value": "- item"}]},
            {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "**bold**"}]},
            {"type": "Input.Text", "id": "note", "label": "Note", "value": "<at>x</at>"},
        ],
    }
    assert rendered_constructs(card) == ["[click me](", "- item"]


# -- the escape itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("[Sign in](https://evil.example)", r"\[Sign in\]\(https://evil.example\)"),
        ("**bold** _it_ ~~strike~~ `code`", r"\*\*bold\*\* \_it\_ \~\~strike\~\~ \`code\`"),
        ("![img](x.png)", r"\!\[img\]\(x.png\)"),
        ("<at>Bot</at> & <b>", "&lt;at&gt;Bot&lt;/at&gt; &amp; &lt;b&gt;"),
        ("> quoted", "&gt; quoted"),
        ("# Heading", r"\# Heading"),
        ("- item", r"\- item"),
        ("  + item", r"  \+ item"),
        ("1. first", r"1\. first"),
        ("12) twelfth", r"12\) twelfth"),
        ("===", r"\==="),
        ("a | b", r"a \| b"),
        ("back\\slash", r"back\\slash"),
        ("{{DATE(2017-02-14T06:08:39Z, SHORT)}}", r"\{\{DATE\(2017-02-14T06:08:39Z, SHORT\)\}\}"),
        (
            "Due 2027-01-31, by the lead's team - today.",
            "Due 2027-01-31, by the lead's team - today.",
        ),
        ("Ruth Okonkwo-Hale", "Ruth Okonkwo-Hale"),
        ("", ""),
    ],
)
def test_escape_markdown(typed, escaped):
    assert escape_markdown(typed) == escaped


def test_escaped_line_breaks_stay_line_breaks():
    # Markdown joins lines a single newline separates; a blank line keeps them apart.
    assert escape_markdown("one\r\ntwo\rthree\nfour") == "one\n\ntwo\n\nthree\n\nfour"
    assert escape_markdown("first\n- second") == "first\n\n\\- second"


def test_every_injection_is_neutralised():
    for injection in INJECTIONS:
        escaped = escape_markdown(injection)
        assert not any(marker in escaped for marker in RENDERED_ANYWHERE), injection
        assert not RENDERED_AT_LINE_START.search(escaped), injection
