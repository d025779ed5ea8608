"""A retired item stays where it is and is given to nothing new, in the same words everywhere."""

from domain.retiring import ACTION, PERSON, retired_refusal


def test_an_item_in_use_or_already_held_is_never_refused():
    assert retired_refusal("P4", active=True, kept=False, holder=ACTION, new=True) == ""
    assert retired_refusal("P4", active=False, kept=True, holder=ACTION, new=False) == ""


def test_a_retired_item_is_refused_for_something_new_or_moved():
    assert retired_refusal("P4", active=False, kept=False, holder=ACTION, new=True) == (
        "'P4' is retired; it stays on the actions that have it but cannot be given to a new action"
    )
    assert retired_refusal("NSIG", active=False, kept=False, holder=PERSON, new=False) == (
        "'NSIG' is retired; it stays on the people that have it but cannot be given to another "
        "person"
    )
