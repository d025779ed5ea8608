"""The update validator: every path that saves an action update goes through `check_update`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.action_updates import StoredAction, check_update, findings_fingerprint

TODAY = date(2026, 11, 24)
OPEN = StoredAction(
    reference="A07",
    status="in_progress",
    lead_rag="amber",
    slippage=False,
    due_date=date(2026, 8, 31),
    revised_due_date=None,
    revised_due_reason="",
    status_reason="",
    completed_on=None,
    impact=None,
    impact_evidence="",
)
COMPLETE = replace(
    OPEN, status="complete", lead_rag=None, completed_on=date(2026, 6, 20), impact="awaited"
)


def check(form: dict, stored: StoredAction = OPEN):
    return check_update(form, stored, TODAY, ("riverside.example",))


def test_a_note_alone_is_a_valid_update_that_keeps_everything_else():
    result = check({"note": "Met the YOI"})
    assert result.outcome == "ok"
    change = result.change
    assert change is not None
    assert (change.status, change.lead_rag, change.revised_due_date) == (
        "in_progress",
        "amber",
        None,
    )
    assert change.changes_from(OPEN) == {}


@pytest.mark.parametrize("note", ["", "   "])
def test_a_note_is_required(note):
    assert check({"note": note}).errors == {
        "note": "Say briefly what has happened since the last update."
    }


def test_a_note_has_a_length_limit():
    assert "under 2000" in check({"note": "x" * 2001}).errors["note"]
    assert check({"note": "x" * 2000}).outcome == "ok"


def test_unknown_choices_are_errors_not_crashes():
    errors = check({"note": "n", "status": "finished", "rag": "purple"}).errors
    assert set(errors) == {"status", "rag"}


def test_a_crafted_payload_is_treated_as_empty():
    result = check({"note": ["a list"], "status": {"x": 1}, 7: "ignored"})
    assert result.errors["note"]
    assert "status" not in result.errors  # empty means "keep the stored status"


@pytest.mark.parametrize(
    ("revised", "error"),
    [
        ("2026-11-23", "A revised due date must be today or later."),
        ("2026-11-24", None),
        ("24/11/2026", None),
        ("next week", "Use a date like 2027-01-31."),
    ],
)
def test_a_revised_due_date_is_today_or_later(revised, error):
    result = check({"note": "n", "revised_due": revised, "revised_reason": "Board moved"})
    assert result.errors.get("revised_due") == error


def test_changing_the_revised_date_needs_a_reason():
    result = check({"note": "n", "revised_due": "2027-01-31"})
    assert result.errors == {"revised_reason": "Say why the due date is changing (required)."}
    cleared = check({"note": "n", "revised_due": ""}, replace(OPEN, revised_due_date=TODAY))
    assert "revised_reason" in cleared.errors


def test_an_unchanged_revised_date_needs_no_reason():
    stored = replace(OPEN, revised_due_date=date(2027, 1, 31), revised_due_reason="Board moved")
    result = check({"note": "n", "revised_due": "2027-01-31"}, stored)
    assert result.outcome == "ok"
    assert result.change is not None and result.change.revised_due_reason == "Board moved"


def test_only_open_actions_can_be_revised():
    result = check(
        {"note": "n", "status": "complete", "impact": "awaited", "revised_due": "2027-01-31"}
    )
    assert result.errors["revised_due"] == "Only an open action can have its due date revised."


def test_dropping_needs_a_reason():
    assert "drop_reason" in check({"note": "n", "status": "dropped"}).errors
    result = check({"note": "n", "status": "dropped", "drop_reason": "Superseded by A11"})
    assert result.change is not None
    assert (result.change.status_reason, result.change.lead_rag) == ("Superseded by A11", None)


def test_completing_defaults_to_today_and_needs_an_impact():
    result = check({"note": "n", "status": "complete"})
    assert result.errors == {"impact": "Choose the impact: evidenced, awaited or not applicable."}
    done = check({"note": "n", "status": "complete", "impact": "not_applicable"})
    assert done.change is not None
    assert (done.change.completed_on, done.change.impact) == (TODAY, "not_applicable")


def test_completion_cannot_be_in_the_future():
    result = check(
        {"note": "n", "status": "complete", "impact": "awaited", "completed_on": "2026-11-25"}
    )
    assert result.errors == {"completed_on": "The completion date cannot be in the future."}


def test_evidenced_impact_needs_the_evidence():
    assert "evidence" in check({"note": "n", "status": "complete", "impact": "evidenced"}).errors


def test_adding_evidence_to_a_completed_action_keeps_its_completion_date():
    result = check({"note": "n", "impact": "evidenced", "evidence": "Audit: 9 of 10"}, COMPLETE)
    assert result.change is not None
    assert result.change.changes_from(COMPLETE) == {
        "impact": ("awaited", "evidenced"),
        "impact_evidence": ("", "Audit: 9 of 10"),
    }


def test_reopening_clears_completion_and_impact():
    result = check({"note": "Not finished after all", "status": "in_progress"}, COMPLETE)
    assert result.change is not None
    changes = result.change.changes_from(COMPLETE)
    assert changes["completed_on"] == (date(2026, 6, 20), None)
    assert changes["impact"] == ("awaited", None)


# -- screening ------------------------------------------------------------------------------------


def test_screening_finds_identifiers_in_every_text_that_would_be_saved():
    result = check(
        {
            "note": "Call 07700 900123",
            "revised_due": "2027-01-31",
            "revised_reason": "Waiting on someone@gmail.com",
        }
    )
    assert result.outcome == "needs_confirmation"
    assert [(f.field, f.kind) for f in result.findings] == [
        ("note", "phone"),
        ("revised_reason", "email"),
    ]


def test_partnership_email_addresses_are_not_findings():
    assert check({"note": "Ask joanna.fairclough@riverside.example"}).findings == ()


def test_unchanged_stored_text_is_not_screened_again():
    stored = replace(COMPLETE, impact="evidenced", impact_evidence="Survey by 01632 960001")
    result = check({"note": "n", "evidence": "Survey by 01632 960001"}, stored)
    assert result.findings == ()


def test_a_confirmation_counts_only_for_what_was_shown():
    first = check({"note": "Call 07700 900123"})
    shown = first.fingerprint
    confirmed = check(
        {"note": "Call 07700 900123", "confirm_not_personal": "true", "screened": shown}
    )
    assert (confirmed.outcome, confirmed.confirmed) == ("ok", True)
    changed = check(
        {"note": "Call 07700 900124", "confirm_not_personal": "true", "screened": shown}
    )
    assert changed.outcome == "needs_confirmation"
    unshown = check({"note": "Call 07700 900123", "confirm_not_personal": "true"})
    assert unshown.outcome == "needs_confirmation"


def test_errors_win_over_screening_and_both_are_reported():
    result = check({"note": "Call 07700 900123", "status": "dropped"})
    assert result.outcome == "invalid"
    assert result.findings and "drop_reason" in result.errors


def test_no_findings_no_fingerprint():
    assert findings_fingerprint([]) == ""
