"""Action cards at their limits: every gallery state is there, and worst-case content stays valid
and well under Teams' size limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from cards import actions as cards
from cards.gallery import actions as samples
from cards.gallery import all_states
from cards.verbs import Verb
from domain.action_updates import FieldFinding
from domain.action_views import ActionDetail, LinkEntry, UpdateEntry, build_overview
from domain.actions import RagThresholds
from tests.support.cards import assert_valid_card, elements

TODAY = date(2026, 11, 24)
T = RagThresholds()
LONG = "Long action text that goes on " * 34  # about 1000 characters, the importer's limit


def test_the_gallery_has_every_state():
    names = {name for name, _card in samples.gallery_states()}
    assert {
        "actions.mine",
        "actions.mine.empty",
        "actions.mine.long",
        "action.detail",
        "action.detail.read_only",
        "action.detail.saved",
        "action.update",
        "action.update.errors",
        "action.update.screening",
        "action.update.conflict",
        "actions.overview",
        "actions.overview.empty",
        "action.not_yours",
    } <= names


def test_a_full_list_of_long_actions_with_many_groups_stays_small():
    items = [
        samples.sample_action(f"A{n:03d}", LONG, due=TODAY - timedelta(days=n))
        for n in range(1, 60)
    ]
    groups = [(f"G{n}", f"Group number {n} with a long name") for n in range(40)]
    context = cards.ListContext(title="Overdue", verb=Verb.ACTIONS_LIST, groups=groups)
    assert_valid_card(cards.action_list_card(items, context, TODAY, T))


def test_a_detail_with_long_notes_and_many_links_stays_small():
    summary = samples.sample_action("A001", LONG)
    links = [
        LinkEntry(f"B{n:03d}", LONG, "SP", "in_progress", "linked" if n % 2 else "suggested", 70.0)
        for n in range(30)
    ]
    updates = [
        UpdateEntry(TODAY, "Someone", "n" * 2000, "in_progress", "amber", False) for _ in range(5)
    ]
    detail = ActionDetail(summary, "Source", "r" * 500, "", "e" * 2000, updates, 40, links)
    card = cards.action_detail_card(detail, TODAY, T, can_update=True)
    assert_valid_card(card)
    assert "and 20 more in the exported register" in str(card)


def test_an_update_form_with_everything_typed_and_every_error_stays_small():
    detail = samples._sample_detail(summary=samples.sample_action("A001", LONG))
    typed = {"note": "n" * 2000, "evidence": "e" * 2000, "revised_reason": "r" * 500}
    errors = {name: "This field needs attention, please." for name in cards.FIELD_LABELS}
    findings = [FieldFinding("note", "phone", "07700 900123")] * 20
    state = cards.FormState(typed, errors, findings, "0123456789abcdef")
    card = cards.update_card(detail, TODAY, state, message="Something went wrong.")
    assert_valid_card(card)


def test_the_compact_form_for_reminder_cards_has_only_the_quick_fields():
    detail = samples._sample_detail()
    elements = cards.update_form_elements(detail.stored(), TODAY, cards.FormState(), compact=True)
    ids = [e["id"] for e in elements if e.get("type", "").startswith("Input.")]
    assert ids == ["status", "rag", "slipping", "note", "revised_due", "revised_reason"]
    button = cards.save_action_button("A15", 3)
    assert (button["verb"], button["data"]["reference"], button["data"]["version"]) == (
        "action.save",
        "A15",
        3,
    )


def test_overview_bars_are_proportional_and_labelled():
    items = [
        samples.sample_action(f"A{n:02d}", "x", due=TODAY - timedelta(days=1)) for n in range(1, 5)
    ]
    items.append(replace(samples.sample_action("A09", "x"), priority_code="P1"))
    overview = build_overview(items, TODAY, T, [("P1", "One"), ("P4", "Four")])
    card = cards.overview_card(overview, [], TODAY, scope="All actions")
    assert_valid_card(card)
    bars = [b for b in card["body"] if b.get("type") == "ColumnSet" and b.get("spacing") == "None"]
    p1, p4 = (
        [(c.get("style"), c["width"], c["items"][0]["text"]) for c in bar["columns"]]
        for bar in bars
    )
    assert p4 == [("attention", "4", "4")]
    assert p1 == [("good", "1", "1"), (None, "3", " ")]  # padded to the widest bar


def test_the_overview_colour_key_gives_each_meaning_the_width_of_the_card():
    # Five meanings side by side in narrow columns broke words on a phone ("overdu e").
    items = [samples.sample_action("A01", "x", due=TODAY - timedelta(days=1))]
    card = cards.overview_card(build_overview(items, TODAY, T, []), [], TODAY, scope="All")
    [key] = [b for b in card["body"] if b.get("id") == "colour-key"]
    for row in key["items"]:
        label, meaning = row["columns"]
        assert label["width"] == "auto" and " " not in label["items"][0]["text"]
        assert meaning["width"] == "stretch"
    assert [r["columns"][0]["style"] for r in key["items"]] == [
        "attention",
        "warning",
        "good",
        "accent",
        "emphasis",
    ]


@pytest.mark.parametrize("name", ["action.update.screening", "action_reminders.overdue.problems"])
def test_what_screening_found_sits_by_its_field_and_by_the_save_button(name):
    found = elements(dict(all_states())[name]["body"])
    ids = [element.get("id") for element in found]
    after_note = found[ids.index("note") + 1]
    assert after_note["text"].startswith("This may be personal data")
    fields = [
        i
        for i, element in enumerate(found)
        if str(element.get("type", "")).startswith("Input.")
        and element["id"] != "confirm_not_personal"
    ]
    # The confirmation comes after every field, so it sits by Save, not at the top of the card.
    assert ids.index("confirm_not_personal") > max(fields)
