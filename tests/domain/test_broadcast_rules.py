"""Announcement rules: content limits and the Teams markdown subset, https links, sending hours in
London time across the clocks changing, report counts, and the announcement's life (its moves,
what each state allows, who may see one that went out)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.broadcasts import (
    BODY_MAX,
    CANCELLABLE,
    EDITABLE,
    LIVE,
    MOVES,
    PLANNED,
    RECEIVED,
    RESENDABLE,
    SENDABLE,
    TITLE_MAX,
    Content,
    Delivery,
    RecipientState,
    SendingHours,
    Status,
    ack_reminder_due,
    ack_reminder_problem,
    can_move,
    content_problems,
    count_states,
    is_due,
    local_to_utc,
    next_sending_time,
    recipient_may_see,
    schedule_problem,
    url_problem,
    within_hours,
)

HOURS = SendingHours(time(8, 0), time(18, 0))
GOOD = Content(title="Training", body="Book **now**: [calendar](https://riverside.example/t)")


def test_good_content_has_no_problems():
    assert content_problems(GOOD) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * (TITLE_MAX + 1)}, "title"),
        ({"body": ""}, "body"),
        ({"body": "x" * (BODY_MAX + 1)}, "body"),
        ({"body": "# Heading\ntext"}, "body"),
        ({"body": "see ![pic](https://a.example/p.png)"}, "body"),
        ({"body": "| a | b |\n|---|---|\n| 1 | 2 |"}, "body"),
        ({"body": "<b>bold</b>"}, "body"),
        ({"body": "a [link](http://plain.example)"}, "body"),
        ({"image_url": "http://riverside.example/a.png"}, "image_url"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"link_url": "https://riverside.example"}, "link_title"),
        ({"link_title": "Book"}, "link_url"),
        ({"link_title": "x" * 41, "link_url": "https://riverside.example"}, "link_title"),
    ],
)
def test_each_problem_is_reported_beside_its_field(change, field):
    content = Content(**{**GOOD.__dict__, **change})
    assert field in content_problems(content)


def test_exact_limits_are_allowed():
    content = Content(title="t" * TITLE_MAX, body="b" * BODY_MAX)
    assert content_problems(content) == {}


def test_markdown_teams_renders_is_allowed():
    body = "**Bold** and _italic_\n\n- one\n- two\n\n1. first\n2. second\n\nA #hashtag is fine"
    assert content_problems(Content(title="t", body=body)) == {}


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://riverside.example/x?y=1", True),
        ("HTTPS://riverside.example", True),
        ("http://riverside.example", False),
        ("https://localhost", False),
        ("https://riverside.example/a b", False),
        ("ftp://riverside.example", False),
        ("", True),
    ],
)
def test_url_rules(url, ok):
    assert (url_problem(url) == "") is ok


def test_cleaning_trims_and_normalises_spacing():
    cleaned = Content(title="  Two   words ", body=" line\r\nnext ", link_url=" https://a.example ")
    assert cleaned.cleaned() == Content("Two words", "line\nnext", "", "", "https://a.example")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", (None, "")),
        ("0", (None, "")),
        ("3", (3, "")),
        (" 5 ", (5, "")),
    ],
)
def test_ack_reminder_days(raw, expected):
    assert ack_reminder_problem(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "two", "21", "1.5", "²", "3²", "9" * 40, "1" * 5000])
def test_ack_reminder_days_refused(raw):
    days, problem = ack_reminder_problem(raw)
    assert days is None and problem


# -- the announcement's life ----------------------------------------------------------------------


def test_the_life_of_an_announcement():
    assert set(MOVES) == set(Status)
    assert can_move(Status.DRAFT, Status.SENDING) and can_move(Status.DRAFT, Status.SCHEDULED)
    assert can_move(Status.SCHEDULED, Status.DRAFT) and can_move(Status.SCHEDULED, Status.SENDING)
    assert can_move(Status.SENDING, Status.SENT) and can_move(Status.SENDING, Status.CANCELLED)
    assert can_move(Status.SENT, Status.SENDING)  # resend to failed
    assert not any(can_move(Status.CANCELLED, to) for to in Status)
    assert not can_move(Status.SENT, Status.DRAFT)
    assert not can_move(Status.SENDING, Status.SENDING)


def test_what_each_state_allows():
    assert EDITABLE == SENDABLE == {Status.DRAFT}
    assert {Status.SCHEDULED, Status.SENDING} == CANCELLABLE
    assert {Status.SENT} == RESENDABLE
    assert {Status.DRAFT, Status.SCHEDULED} == PLANNED
    assert LIVE < RECEIVED
    assert not PLANNED & RECEIVED
    # Every state an action allows is one the action can move out of.
    assert all(can_move(s, Status.SENDING) for s in SENDABLE | RESENDABLE)
    assert all(MOVES[s] for s in CANCELLABLE)


@pytest.mark.parametrize("status", list(Status))
def test_only_a_recipient_of_one_that_went_out_may_see_it(status):
    assert recipient_may_see(status, is_recipient=True) == (status in RECEIVED)
    assert not recipient_may_see(status, is_recipient=False)


def test_due_is_scheduled_and_its_time_has_come():
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert is_due(Status.SCHEDULED, now, now)
    assert not is_due(Status.SCHEDULED, now + timedelta(seconds=1), now)
    assert not is_due(Status.SCHEDULED, None, now)
    assert not is_due(Status.DRAFT, now, now)


# -- scheduling in London time ------------------------------------------------------------------

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday, GMT


def test_winter_london_time_is_utc():
    instant, problem = schedule_problem(datetime(2026, 11, 25, 9, 30), NOW, HOURS)
    assert problem == ""
    assert instant == datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_summer_london_time_is_an_hour_ahead_of_utc():
    instant, problem = schedule_problem(datetime(2027, 6, 15, 9, 30), NOW, HOURS)
    assert problem == ""
    assert instant == datetime(2027, 6, 15, 8, 30, tzinfo=UTC)


def test_either_side_of_the_clocks_going_forward():
    # Friday 26 March 2027 is Good Friday; Monday 29 is Easter Monday; the clocks change on 28th.
    before, problem = schedule_problem(datetime(2027, 3, 25, 8, 0), NOW, HOURS)
    assert problem == "" and before == datetime(2027, 3, 25, 8, 0, tzinfo=UTC)
    after, problem = schedule_problem(datetime(2027, 3, 30, 8, 0), NOW, HOURS)
    assert problem == "" and after == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_does_not_exist():
    assert local_to_utc(datetime(2027, 3, 28, 1, 30), HOURS.tz) is None
    hours = SendingHours(time(0, 0), time(23, 59))
    instant, problem = schedule_problem(datetime(2027, 3, 28, 1, 30), NOW, hours)
    assert instant is None and "clocks" in problem


@pytest.mark.parametrize(
    ("local", "words"),
    [
        (datetime(2026, 11, 28, 10, 0), "not a working day"),  # Saturday
        (datetime(2026, 12, 25, 10, 0), "not a working day"),  # Christmas Day
        (datetime(2026, 12, 28, 10, 0), "not a working day"),  # Boxing Day (substitute)
        (datetime(2026, 11, 25, 7, 59), "08:00-18:00"),
        (datetime(2026, 11, 25, 18, 0), "08:00-18:00"),
        (datetime(2026, 11, 24, 8, 30), "passed"),
    ],
)
def test_schedule_refusals(local, words):
    instant, problem = schedule_problem(local, NOW, HOURS)
    assert instant is None
    assert words in problem


def test_within_hours_uses_london_wall_clock():
    # 07:30 UTC in June is 08:30 in London: inside; 17:30 UTC is 18:30: outside.
    assert within_hours(datetime(2027, 6, 15, 7, 30, tzinfo=UTC), HOURS)
    assert not within_hours(datetime(2027, 6, 15, 17, 30, tzinfo=UTC), HOURS)
    assert not within_hours(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), HOURS)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
        (datetime(2026, 11, 24, 6, 0, tzinfo=UTC), datetime(2026, 11, 24, 8, 0, tzinfo=UTC)),
        (datetime(2026, 11, 27, 19, 0, tzinfo=UTC), datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        # Christmas Eve evening: 25th, 26th-27th weekend, 28th substitute holiday -> 29th.
        (datetime(2026, 12, 24, 18, 30, tzinfo=UTC), datetime(2026, 12, 29, 8, 0, tzinfo=UTC)),
        # Friday evening before the clocks go forward: Monday is Easter Monday, so Tuesday, BST.
        (datetime(2027, 3, 26, 19, 0, tzinfo=UTC), datetime(2027, 3, 30, 7, 0, tzinfo=UTC)),
    ],
)
def test_next_sending_time(now, expected):
    assert next_sending_time(now, HOURS) == expected


# -- report and reminders ------------------------------------------------------------------------


def test_count_states():
    states = [
        RecipientState(Delivery.SENT, acknowledged=True),
        RecipientState(Delivery.SENT),
        RecipientState(Delivery.FAILED),
        RecipientState(Delivery.UNREACHABLE),
        RecipientState(Delivery.PENDING),
        RecipientState(Delivery.CANCELLED),
    ]
    counts = count_states(states)
    assert (counts.recipients, counts.sent, counts.failed, counts.unreachable) == (6, 2, 1, 1)
    assert (counts.pending, counts.cancelled, counts.acknowledged) == (1, 1, 1)
    assert not counts.finished
    assert counts.done == 5
    assert counts.percent(counts.sent) == 33


def test_ack_reminder_due_counts_working_days_past_bank_holidays():
    # Sent Thursday 24 Dec 2026: the next working day is Tuesday 29 Dec (25th and 28th are
    # holidays, 26th and 27th the weekend), the second is Wednesday 30th.
    assert not ack_reminder_due(date(2026, 12, 24), 1, date(2026, 12, 28))
    assert ack_reminder_due(date(2026, 12, 24), 1, date(2026, 12, 29))
    assert not ack_reminder_due(date(2026, 12, 24), 2, date(2026, 12, 29))
    assert ack_reminder_due(date(2026, 12, 24), 2, date(2026, 12, 30))
