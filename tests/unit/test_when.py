"""Reading questions about meetings and training, with dates the British way."""

from datetime import date

import pytest

from domain.meetings import Mode
from domain.when import (
    Candidate,
    Wanted,
    default_period,
    format_day,
    match_subjects,
    parse_day,
    parse_question,
)

TODAY = date(2026, 11, 24)  # a Tuesday


def period(text, today=TODAY):
    found = parse_question(text, today).period
    return None if found is None else (found.start, found.end)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("meetings on 03/02", date(2027, 2, 3)),  # day first: 3 February, not 2 March
        ("03/02/2027", date(2027, 2, 3)),
        ("3/2/27", date(2027, 2, 3)),
        ("13/02", date(2027, 2, 13)),
        ("9.12.2026", date(2026, 12, 9)),
        ("2027-01-19", date(2027, 1, 19)),
        ("3rd Feb", date(2027, 2, 3)),
        ("3 February 2027", date(2027, 2, 3)),
        ("the 8th of december", date(2026, 12, 8)),
        ("February 3rd", date(2027, 2, 3)),
        ("24/11", date(2026, 11, 24)),  # today is still this year
        ("23/11", date(2027, 11, 23)),  # yesterday means next year's
        ("29/02", date(2028, 2, 29)),  # the next leap day
    ],
)
def test_a_single_date_is_day_first(text, expected):
    assert period(text) == (expected, expected)


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("what's on next week?", date(2026, 11, 30), date(2026, 12, 6)),
        ("this week", TODAY, date(2026, 11, 29)),
        ("the week after next", date(2026, 12, 7), date(2026, 12, 13)),
        ("w/c 7/12", date(2026, 12, 7), date(2026, 12, 13)),
        ("week commencing 9 December", date(2026, 12, 7), date(2026, 12, 13)),
        ("this month", TODAY, date(2026, 11, 30)),
        ("next month", date(2026, 12, 1), date(2026, 12, 31)),
        ("training in January", date(2027, 1, 1), date(2027, 1, 31)),
        ("in may", date(2027, 5, 1), date(2027, 5, 31)),
        ("january 2028", date(2028, 1, 1), date(2028, 1, 31)),
        ("between 1/12 and 15/12", date(2026, 12, 1), date(2026, 12, 15)),
        ("from 20 dec to 10 jan", date(2026, 12, 20), date(2027, 1, 10)),
        ("in the next 2 weeks", TODAY, date(2026, 12, 8)),
        ("tomorrow", date(2026, 11, 25), date(2026, 11, 25)),
        ("on thursday", date(2026, 11, 26), date(2026, 11, 26)),
        ("next tuesday", date(2026, 12, 1), date(2026, 12, 1)),
    ],
)
def test_periods_in_words_and_ranges(text, start, end):
    assert period(text) == (start, end)


def test_the_week_and_month_roll_over_the_year():
    assert period("next week", date(2026, 12, 30)) == (date(2027, 1, 4), date(2027, 1, 10))
    assert period("next month", date(2026, 12, 30)) == (date(2027, 1, 1), date(2027, 1, 31))
    assert period("in december", date(2026, 12, 30)) == (date(2026, 12, 30), date(2026, 12, 31))


@pytest.mark.parametrize("text", ["31/02", "13/13", "30/02/2027", "00/01"])
def test_impossible_dates_are_explained_not_guessed(text):
    question = parse_question(f"meetings on {text}", TODAY)
    assert question.period is None
    assert "is not a date" in question.problem
    assert "day first" in question.problem


def test_what_is_wanted_whose_and_how():
    q = parse_question("when is the next Executive?", TODAY)
    assert (q.wanted, q.next_only, q.mine, q.subject) == (
        Wanted.ANYTHING,
        True,
        False,
        ("executive",),
    )
    q = parse_question("my meetings", TODAY)
    assert (q.wanted, q.mine) == (Wanted.MEETINGS, True)
    q = parse_question("neglect training", TODAY)
    assert (q.wanted, q.subject) == (Wanted.TRAINING, ("neglect",))
    q = parse_question("anything online this month?", TODAY)
    assert (q.wanted, q.mode, q.subject) == (Wanted.ANYTHING, Mode.ONLINE, ())
    q = parse_question("in person training in february", TODAY)
    assert (q.wanted, q.mode) == (Wanted.TRAINING, Mode.IN_PERSON)
    q = parse_question("when does the LL meet", TODAY)
    assert (q.wanted, q.next_only, q.subject) == (Wanted.MEETINGS, True, ("ll",))


def test_show_me_and_can_i_are_not_about_my_own_diary():
    assert not parse_question("show me training in may", TODAY).mine
    assert not parse_question("can I book neglect training", TODAY).mine
    assert parse_question("what's coming up for me", TODAY).mine
    assert parse_question("what am I booked on", TODAY).mine


def test_may_the_verb_is_not_may_the_month():
    assert parse_question("may I book neglect training", TODAY).period is None


def test_next_week_is_a_period_not_the_next_one():
    q = parse_question("what's on next week", TODAY)
    assert not q.next_only


def test_default_periods():
    assert default_period(parse_question("training", TODAY), TODAY).end == date(2027, 11, 24)
    assert default_period(parse_question("meetings", TODAY), TODAY).end == date(2027, 2, 22)


def test_format_day_is_english_whatever_the_locale():
    assert format_day(date(2026, 12, 8)) == "Tue 8 Dec 2026"


GROUPS = [
    Candidate("group", 1, "EXEC", "Executive"),
    Candidate("group", 2, "LL", "Learning Lessons"),
    Candidate("group", 5, "NSIG", "Neglect Strategy Implementation Group"),
    Candidate("group", 11, "NCN", "Neglect Champions Network"),
    Candidate("course", 2, "T2", "Neglect: Using Graded Care Profile 2"),
    Candidate("course", 5, "T5", "Learning from Local Reviews (briefing)"),
]


def keys(words):
    matched, _unmatched = match_subjects(words, GROUPS)
    return sorted((c.kind, c.code) for c in matched)


def test_subjects_name_groups_and_courses():
    assert keys(["exec"]) == [("group", "EXEC")]
    assert keys(["ll"]) == [("group", "LL")]
    assert keys(["champions"]) == [("group", "NCN")]
    assert keys(["neglect"]) == [("course", "T2"), ("group", "NCN"), ("group", "NSIG")]
    # the best match wins: both words name Learning Lessons, one names the briefing
    assert keys(["learning", "lessons"]) == [("group", "LL")]
    assert keys(["zumba"]) == []


def test_an_abbreviation_with_a_number_names_the_course_it_abbreviates():
    # "cancel my gcp2 place" (issue 20, item 4): the course is "...Graded Care Profile 2".
    gcp2 = Candidate("course", 2, "T2", "Neglect: Using Graded Care Profile 2")
    other = Candidate("course", 1, "T1", "Multi-agency Safeguarding Essentials (Level 3)")
    assert match_subjects(["gcp2"], [gcp2, other]) == ([gcp2], [])
    assert match_subjects(["gcp"], [gcp2, other]) == ([], ["gcp"])


def test_aliases_name_a_course_or_group_only_when_every_word_is_there():
    da = Candidate(
        "course", 3, "T3", "Domestic Abuse and its Impact on Children",
        ("DA", "DA training", "domestic violence"),
    )  # fmt: skip
    exec_ = Candidate("group", 1, "EXEC", "Executive", ("exec board", "partnership board"))
    ll = Candidate("group", 2, "LL", "Learning Lessons", ("lessons learned",))
    every = [da, exec_, ll]
    assert match_subjects(["da"], every) == ([da], [])
    assert match_subjects(["violence"], every) == ([], ["violence"])
    assert match_subjects(["domestic", "violence"], every) == ([da], [])
    assert match_subjects(["partnership", "board"], every) == ([exec_], [])
    assert match_subjects(["lessons", "learned"], every) == ([ll], [])


def test_book_me_asks_for_a_place_not_about_my_bookings():
    question = parse_question("book me on the domestic abuse course in march", date(2026, 12, 22))
    assert not question.mine
    assert question.period is not None and question.period.start == date(2027, 3, 1)
    assert question.subject == ("domestic", "abuse")
    assert parse_question("what am i booked on in march", date(2026, 12, 22)).mine


# -- one day (a revised due date typed in a chat) -------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("31 Jan", date(2027, 1, 31)),
        ("31/01/2027", date(2027, 1, 31)),
        ("2027-02-03", date(2027, 2, 3)),
        ("03/02", date(2027, 2, 3)),  # day first
        ("tomorrow", date(2026, 11, 25)),
        ("friday", date(2026, 11, 27)),
        ("by the 1st of December", date(2026, 12, 1)),
    ],
)
def test_parse_day_reads_one_day_as_questions_do(typed, meant):
    assert parse_day(typed, TODAY) == meant


@pytest.mark.parametrize("typed", ["No change", "January", "next week", "31/02", "", "soon"])
def test_parse_day_is_none_for_anything_but_one_day(typed):
    assert parse_day(typed, TODAY) is None
