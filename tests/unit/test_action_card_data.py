"""The action verbs' card data (`cards.data.actions`): what is refused before a handler runs, and
the update form as the domain's check reads it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cards.data.actions import (
    SCOPE_MAX,
    ActionListData,
    ActionSaveData,
    OverlapData,
    ReminderSaveActionData,
)


def test_the_form_holds_only_the_inputs_that_were_sent():
    # A field left out keeps the action's stored value; an empty one (rag "") clears it.
    data = ActionSaveData.model_validate(
        {"verb": "action.save", "reference": " a07 ", "version": "3", "note": "n", "rag": ""}
    )
    assert (data.reference, data.version) == ("A07", 3)
    assert data.form() == {"note": "n", "rag": ""}


def test_the_reminder_form_carries_its_message_and_kind_outside_the_form():
    data = ReminderSaveActionData.model_validate(
        {"reference": "A03", "message": None, "kind": "action_overdue", "note": "n"}
    )
    assert (data.message, data.kind) == (None, "action_overdue")
    assert data.form() == {"note": "n"}


@pytest.mark.parametrize(
    "data",
    [
        {"reference": "A07", "version": 2**31},  # past PostgreSQL's integer
        {"reference": "A07", "version": "²"},  # passes str.isdigit
        {"reference": "A07", "version": 0},
        {"reference": "A07", "version": True},
        {"reference": "A07", "note": ["a"]},
        {"reference": "A07", "slipping": "x" * 41},
        {"reference": "A-07; DROP"},
        {"note": "no reference"},
    ],
)
def test_save_data_out_of_bounds_is_refused(data):
    with pytest.raises(ValidationError):
        ActionSaveData.model_validate(data)


def test_reminder_message_ids_are_bounded_too():
    with pytest.raises(ValidationError):
        ReminderSaveActionData.model_validate({"reference": "A03", "message": 10**30})


def test_an_overlap_names_both_actions():
    assert OverlapData.model_validate({"reference": "a23", "other": "a24"}) == OverlapData(
        reference="A23", other="A24"
    )
    with pytest.raises(ValidationError):
        OverlapData.model_validate({"reference": "A23"})


def test_list_filters_are_words_and_the_scope_a_bounded_phrase():
    said = ActionListData.model_validate({"status": "overdue ", "scope": "the neglect group"})
    assert (said.status, said.scope) == ("overdue", "the neglect group")
    assert ActionListData.model_validate({}) == ActionListData()
    with pytest.raises(ValidationError):
        ActionListData.model_validate({"scope": "n" * (SCOPE_MAX + 1)})
