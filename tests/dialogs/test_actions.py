"""Action tracking end to end: typed text and card buttons through the real app and fake connector.

Demo facts used (reference date 2026-11-24): P07 Aisha leads A03, A10, A18, A24 and chairs CFAG
(A11, A18) and RRP (A16); P12 Ruth leads A07 (Executive, due 2026-08-31, stale); P09 Bethany is a
champion, not in the Executive; P04 is the scrutineer; P01 an Executive member who chairs nothing;
P02 chairs the Executive; P05 and P06 are admins; A23 and A24 are suggested as overlapping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import make_engine, make_session_factory
from storage.models import Action, ActionLink, ActionUpdate, AuditEntry
from tests.support.cards import assert_valid_card, elements
from tests.support.harness import STRANGER, BotHarness, card_text, demo_user

RUTH, AISHA, BETHANY = demo_user("P12"), demo_user("P07"), demo_user("P09")
SCRUTINEER, EXEC_MEMBER, EXEC_CHAIR = demo_user("P04"), demo_user("P01"), demo_user("P02")
ADMIN, TOMASZ, CLAIRE = demo_user("P05"), demo_user("P06"), demo_user("P14")
LAURA = demo_user("P16")  # a champion and NSIG member who leads and chairs nothing


@pytest.fixture
async def db(harness: BotHarness) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(harness.settings.database_url)
    yield make_session_factory(engine)
    await engine.dispose()


# -- helpers --------------------------------------------------------------------------------------


def executes(node: Any) -> list[dict[str, Any]]:
    """Every Action.Execute in a card: buttons, action sets and select actions."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            found.append(node)
        for value in node.values():
            found.extend(executes(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(executes(item))
    return found


def button(card: dict[str, Any], verb: str, **data: Any) -> dict[str, Any]:
    """The data of the card's Execute button with this verb (and these values), verb left out."""
    for action in executes(card):
        if action["verb"] == verb and all(action["data"].get(k) == v for k, v in data.items()):
            return {k: v for k, v in action["data"].items() if k != "verb"}
    raise AssertionError(f"no {verb} button with {data} on the card")


def has_button(card: dict[str, Any], verb: str, **data: Any) -> bool:
    try:
        button(card, verb, **data)
    except AssertionError:
        return False
    return True


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in elements(card) if str(e.get("type", "")).startswith("Input.")}


def error_beside(card: dict[str, Any], input_id: str) -> str:
    """The error text placed right after an input, or '' when there is none."""

    def walk(node: Any) -> str | None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, dict) and item.get("id") == input_id:
                    after = node[index + 1] if index + 1 < len(node) else {}
                    return after.get("text", "") if after.get("color") == "Attention" else ""
                found = walk(item)
                if found is not None:
                    return found
        elif isinstance(node, dict):
            for value in node.values():
                found = walk(value)
                if found is not None:
                    return found
        return None

    return walk(card) or ""


def all_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button on a card, wherever it sits."""
    return [e for e in elements(card) if e.get("type") in ("Action.Execute", "Action.Submit")]


def references_listed(card: dict[str, Any]) -> list[str]:
    """The actions a list card shows, in order (each item opens its detail)."""
    return [
        action["data"]["reference"]
        for item in card["body"]
        if isinstance(item, dict) and "selectAction" in item
        for action in [item["selectAction"]]
        if action.get("verb") == "action.show"
    ]


async def said_card(harness: BotHarness, user: Any, text: str) -> dict[str, Any]:
    sent = await harness.say(user, text)
    assert sent, f"the bot sent nothing for {text!r}"
    card = sent[-1].cards[-1]
    assert_valid_card(card)
    return card


async def executed(harness: BotHarness, user: Any, verb: str, **data: Any) -> dict[str, Any]:
    card = await harness.execute(user, verb, data)
    assert_valid_card(card)
    return card


async def action_row(db: async_sessionmaker[AsyncSession], reference: str) -> Action:
    async with db() as session:
        action = await session.scalar(select(Action).where(Action.reference == reference))
        assert action is not None
        return action


async def audit_rows(db: async_sessionmaker[AsyncSession], reference: str) -> list[AuditEntry]:
    async with db() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "action", AuditEntry.entity_id == reference)
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def updates_of(db: async_sessionmaker[AsyncSession], reference: str) -> list[ActionUpdate]:
    async with db() as session:
        rows = await session.scalars(
            select(ActionUpdate)
            .join(Action, ActionUpdate.action_id == Action.id)
            .where(Action.reference == reference)
            .order_by(ActionUpdate.id)
        )
        return list(rows)


# -- lists ----------------------------------------------------------------------------------------


async def test_my_actions_are_led_and_chaired_ones_most_urgent_first(harness):
    card = await said_card(harness, AISHA, "my actions")
    # Overdue by most days (A10 and A24 by 55, A03 by 24), then stale (A11, A18: 127 days).
    # A16 (RRP, which she chairs) is complete, so the default "open" filter leaves it out.
    assert references_listed(card) == ["A10", "A24", "A03", "A11", "A18"]
    text = card_text(card)
    assert "overdue by 39 working days" in text
    assert "no update for 127 days" in text


async def test_filters_on_my_actions_refresh_the_list_in_place(harness):
    card = await executed(harness, AISHA, "actions.mine", group="RRP", priority="any", status="all")
    assert references_listed(card) == ["A16"]
    assert inputs(card)["group"]["value"] == "RRP"
    assert inputs(card)["status"]["value"] == "all"


async def test_my_actions_filter_by_priority(harness):
    card = await executed(harness, AISHA, "actions.mine", group="any", priority="P3", status="open")
    assert references_listed(card) == ["A10", "A11"]


async def test_filters_that_hide_everything_say_so_and_offer_to_clear_them(harness):
    card = await executed(
        harness, AISHA, "actions.mine", group="RRP", priority="P3", status="dropped"
    )
    assert references_listed(card) == []
    assert "Filtered by group" in card_text(card) and "status Dropped" in card_text(card)
    [clear] = [a for a in all_actions(card) if a["title"] == "Clear the filters"]
    assert clear["associatedInputs"] == "none"  # the form's filters must not override it
    data = {k: v for k, v in clear["data"].items() if k != "verb"}
    cleared = await executed(harness, AISHA, clear["verb"], **data)
    assert "A16" in references_listed(cleared) and len(references_listed(cleared)) > 1


async def test_my_actions_for_someone_who_leads_nothing_says_so(harness):
    card = await said_card(harness, LAURA, "my actions")
    assert references_listed(card) == []
    assert "You don't lead any actions" in card_text(card)


async def test_whats_overdue_in_neglect_for_a_member(harness):
    card = await said_card(harness, BETHANY, "What's overdue in neglect?")
    assert card["body"][0]["text"] == "Overdue in Neglect"
    assert references_listed(card) == ["A15"]


async def test_overdue_for_the_scrutineer_covers_every_group(harness):
    card = await said_card(harness, SCRUTINEER, "overdue")
    assert references_listed(card) == ["A15", "A07", "A10", "A24", "A03"]


async def test_overdue_for_a_member_shows_only_their_groups(harness):
    # Bethany is in LL, CFAG, NSIG, JTWD and NCN: not the Executive (A03, A07) or JPP (A24).
    card = await said_card(harness, BETHANY, "overdue")
    assert references_listed(card) == ["A15", "A10"]


async def test_overdue_in_a_group_named_in_words(harness):
    card = await said_card(harness, SCRUTINEER, "what's overdue in learning lessons")
    assert references_listed(card) == ["A15", "A10"]


async def test_an_unknown_scope_is_answered_with_the_priorities(harness):
    card = await said_card(harness, SCRUTINEER, "overdue in basket weaving")
    assert "I don't know a priority or group called" in card_text(card)
    assert "Neglect" in card_text(card)


async def test_a_long_list_is_cut_with_a_count_and_stays_small(harness):
    card = await executed(harness, SCRUTINEER, "actions.list", status="all")
    assert len(references_listed(card)) == 15
    assert "10 more not shown" in card_text(card)


# -- detail and permissions -----------------------------------------------------------------------


async def test_action_detail_shows_facts_drift_history_and_overlaps(harness):
    card = await said_card(harness, demo_user("P08"), "action A15")
    text = card_text(card)
    assert "A15 · 'Was not brought' guidance" in text
    assert "Overdue by 228 working days" in text
    assert "LCSPR 'Child F'" in text
    assert "Linked: **A16**" in text
    assert has_button(card, "action.edit", reference="A15")


async def test_the_lead_can_update(harness):
    card = await said_card(harness, RUTH, "A07")
    assert has_button(card, "action.edit", reference="A07")
    text = card_text(card)
    assert "Red by the partnership's rules; lead says Amber (differs)" in text


@pytest.mark.parametrize(
    ("user", "why"),
    [
        (SCRUTINEER, "the scrutineer reads everything and changes nothing"),
        (EXEC_MEMBER, "an Executive member reads everything"),
        (demo_user("P03"), "an Executive member who chairs another group"),
    ],
)
async def test_readers_see_the_action_without_an_update_button(harness, user, why):
    card = await said_card(harness, user, "action A07")
    assert not has_button(card, "action.edit"), why
    assert "You can read this action but not update it" in card_text(card)


async def test_a_member_of_the_owning_group_reads_but_cannot_update(harness):
    card = await said_card(harness, BETHANY, "action A15")  # LL member, not lead or chair
    assert not has_button(card, "action.edit")
    refused = await executed(harness, BETHANY, "action.edit", reference="A15")
    assert refused["body"][0]["text"] == "You can't update A15"


async def test_the_chair_of_the_owning_group_can_update(harness):
    card = await said_card(harness, EXEC_CHAIR, "action A07")
    assert has_button(card, "action.edit", reference="A07")


async def test_an_executive_member_may_update_what_they_lead(harness):
    # docs/design/domain.md: a person may update actions they lead. P03 (Executive) leads A04.
    card = await said_card(harness, demo_user("P03"), "update A04")
    assert card["body"][0]["text"] == "Update A04"


async def test_everyone_else_is_told_it_is_not_theirs(harness):
    card = await said_card(harness, BETHANY, "action A07")
    assert card["body"][0]["text"] == "A07 is not yours to see"
    assert "Executive" in card_text(card)
    assert "Information-sharing protocol" not in card_text(card)


async def test_an_unknown_reference_is_answered_clearly(harness):
    card = await said_card(harness, RUTH, "action A99")
    assert card["body"][0]["text"] == "No action A99"


async def test_a_stranger_sees_nothing(harness):
    sent = await harness.say(STRANGER, "action A07")
    assert "Information-sharing" not in card_text(sent[-1].cards[-1])


# -- the update card ------------------------------------------------------------------------------


async def test_update_card_comes_back_with_errors_beside_fields_and_typed_values_kept(harness, db):
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    save = button(form, "action.save")
    card = await executed(
        harness,
        RUTH,
        "action.save",
        **save,
        status="in_progress",
        note="Draft protocol with the YOI and the council",
        revised_due="2026-10-01",
        revised_reason="",
    )
    assert card["body"][0]["text"] == "Update A07"
    assert error_beside(card, "revised_due") == "A revised due date must be today or later."
    assert error_beside(card, "revised_reason").startswith("Say why the due date is changing")
    assert error_beside(card, "note") == ""
    assert inputs(card)["note"]["value"] == "Draft protocol with the YOI and the council"
    assert inputs(card)["revised_due"]["value"] == "2026-10-01"
    assert (await action_row(db, "A07")).version == 1
    assert len(await updates_of(db, "A07")) == 1


async def test_saving_refreshes_the_card_in_place_and_records_everything(harness, db):
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    card = await executed(
        harness,
        RUTH,
        "action.save",
        **button(form, "action.save"),
        status="in_progress",
        rag="red",
        slipping="true",
        note="Protocol drafted; YOI governance sign-off booked",
        revised_due="2027-01-29",
        revised_reason="YOI governance board meets in January",
    )
    assert card["body"][0]["items"][0]["text"] == "Saved your update of 24 Nov 2026."
    text = card_text(card)
    assert "Protocol drafted; YOI governance sign-off booked" in text
    assert "29 Jan 2027 (YOI governance board meets in January)" in text
    assert "Overdue" not in text  # the revised date moved it out of drift

    action = await action_row(db, "A07")
    assert (action.revised_due_date, action.lead_rag, action.slippage) == (
        date(2027, 1, 29),
        "red",
        True,
    )
    assert action.last_update_on == date(2026, 11, 24)
    assert action.version == 2
    latest = (await updates_of(db, "A07"))[-1]
    assert latest.note == "Protocol drafted; YOI governance sign-off booked"
    audit = {(a.event, a.field): (a.old_value, a.new_value) for a in await audit_rows(db, "A07")}
    assert audit[("updated", "lead_rag")] == ("amber", "red")
    assert audit[("updated", "revised_due_date")] == (None, "2027-01-29")
    assert audit[("updated", "revised_due_reason")] == ("", "YOI governance board meets in January")
    assert ("progress_update", "update_id") in audit


async def test_completing_needs_impact_and_evidence_then_saves(harness, db):
    form = await executed(harness, demo_user("P14"), "action.edit", reference="A19")
    save = button(form, "action.save")
    card = await executed(
        harness,
        demo_user("P14"),
        "action.save",
        **save,
        status="complete",
        note="E-form live across the partnership",
        impact="evidenced",
        evidence="",
    )
    assert error_beside(card, "evidence").startswith("Describe the evidence")
    card = await executed(
        harness,
        demo_user("P14"),
        "action.save",
        **save,
        status="complete",
        note="E-form live across the partnership",
        impact="evidenced",
        evidence="212 assessments submitted on the e-form in its first month",
    )
    assert "Saved your update" in card_text(card)
    action = await action_row(db, "A19")
    assert (action.status, action.impact, action.completed_on) == (
        "complete",
        "evidenced",
        date(2026, 11, 24),
    )


async def test_a_stale_card_is_not_saved_over_a_newer_update(harness, db):
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    save = button(form, "action.save")
    first = await executed(harness, RUTH, "action.save", **save, note="First update")
    assert "Saved your update" in card_text(first)
    second = await executed(harness, RUTH, "action.save", **save, note="From the old card")
    assert "Someone else updated A07" in card_text(second)
    assert inputs(second)["note"]["value"] == "From the old card"
    assert [u.note for u in await updates_of(db, "A07")][-1] == "First update"


async def test_someone_who_may_not_update_cannot_save_even_with_a_crafted_card(harness, db):
    card = await executed(
        harness, BETHANY, "action.save", reference="A07", version=1, note="Sneaky"
    )
    assert card["body"][0]["text"] == "A07 is not yours to see"
    card = await executed(harness, SCRUTINEER, "action.save", reference="A07", note="Sneaky")
    assert card["body"][0]["text"] == "You can't update A07"
    assert len(await updates_of(db, "A07")) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"reference": {"x": 1}, "note": ["a"]},
        {"reference": "A07", "version": "x", "note": "n"},
        {"reference": "A07", "version": 2**31, "note": "n"},
        {"note": "no reference"},
    ],
)
async def test_malformed_save_payloads_get_a_card_not_an_error(harness, db, data):
    # Was "No action (none)" and "Someone else updated A07": the card's data is now checked
    # against its model before the handler runs, and what does not fit is answered as such.
    card = await executed(harness, RUTH, "action.save", **data)
    assert card["body"][0]["text"] == "That card is out of date or wrong"
    assert len(await updates_of(db, "A07")) == 1


# -- identifier screening -------------------------------------------------------------------------


async def test_screening_shows_what_was_found_and_saves_nothing(harness, db):
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    card = await executed(
        harness,
        RUTH,
        "action.save",
        **button(form, "action.save"),
        note="Spoke to the YOI duty desk on 07700 900123",
    )
    text = card_text(card)
    assert "it may contain personal details" in text
    assert 'Progress note: a phone number: "07700 900123"' in text
    assert "confirm_not_personal" in inputs(card)
    assert inputs(card)["note"]["value"] == "Spoke to the YOI duty desk on 07700 900123"
    assert len(await updates_of(db, "A07")) == 1


async def test_the_playground_note_is_stopped_before_anyone_reads_it(harness, db):
    """Issue 16, item 8: this note was saved without a prompt, and the scrutineer read it."""
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    note = "Saw Jayden (age 4) at home with mum, GCP2 used, lives on Elm Road"
    card = await executed(harness, RUTH, "action.save", **button(form, "action.save"), note=note)
    text = card_text(card)
    assert "it may contain personal details" in text
    assert 'Progress note: a name with an age: "Jayden (age 4)"' in text
    assert 'Progress note: a person named by a title or a family role: "mum"' in text
    assert 'Progress note: a home address or street: "Elm Road"' in text
    assert len(await updates_of(db, "A07")) == 1


async def test_removing_the_identifier_saves_without_confirmation(harness, db):
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    warned = await executed(
        harness, RUTH, "action.save", **button(form, "action.save"), note="Ring 07700 900123"
    )
    card = await executed(
        harness, RUTH, "action.save", **button(warned, "action.save"), note="Rang the duty desk"
    )
    assert "Saved your update" in card_text(card)
    assert not (await updates_of(db, "A07"))[-1].screening_confirmed


async def test_confirming_not_personal_data_saves_and_is_recorded(harness, db):
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    note = "Ring the YOI switchboard on 07700 900123 for the protocol lead"
    warned = await executed(harness, RUTH, "action.save", **button(form, "action.save"), note=note)
    card = await executed(
        harness,
        RUTH,
        "action.save",
        **button(warned, "action.save"),
        note=note,
        confirm_not_personal="true",
    )
    assert "Your confirmation that it holds no personal data is recorded" in card_text(card)
    latest = (await updates_of(db, "A07"))[-1]
    assert (latest.note, latest.screening_confirmed) == (note, True)
    confirmations = [a for a in await audit_rows(db, "A07") if a.event == "screening_confirmed"]
    assert [c.new_value for c in confirmations] == ["note: phone"]
    assert "07700" not in str(confirmations[0].new_value)  # the audit keeps kinds, not the text


async def test_a_confirmation_does_not_cover_text_changed_afterwards(harness, db):
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    warned = await executed(
        harness, RUTH, "action.save", **button(form, "action.save"), note="Ring 07700 900123"
    )
    card = await executed(
        harness,
        RUTH,
        "action.save",
        **button(warned, "action.save"),
        note="Ring 07700 900123, postcode ME4 4TR",
        confirm_not_personal="true",
    )
    assert "a postcode" in card_text(card)
    assert len(await updates_of(db, "A07")) == 1


async def test_impact_evidence_and_reasons_are_screened_too(harness):
    form = await executed(harness, demo_user("P14"), "action.edit", reference="A19")
    card = await executed(
        harness,
        demo_user("P14"),
        "action.save",
        **button(form, "action.save"),
        status="dropped",
        note="Replaced by the regional e-form",
        drop_reason="Per j.bloggs@gmail.com the region provides it",
    )
    assert "Reason for dropping: an email address outside the partnership" in card_text(card)


# -- overlaps -------------------------------------------------------------------------------------


async def test_linking_a_suggested_overlap_shows_it_on_both_actions(harness, db):
    card = await said_card(harness, TOMASZ, "action A23")
    assert "Possibly the same work: **A24**" in card_text(card)
    data = button(card, "action.link", other="A24")
    linked = await executed(harness, TOMASZ, "action.link", **data)
    assert "Linked A23 and A24" in card_text(linked)
    assert "Linked: **A24**" in card_text(linked)
    other = await said_card(harness, AISHA, "action A24")
    assert "Linked: **A23**" in card_text(other)
    events = [(a.event, a.new_value) for a in await audit_rows(db, "A24")]
    assert ("overlap_linked", "A23 linked") in events


async def test_dismissing_a_suggestion_stops_it_being_offered(harness, db):
    card = await executed(harness, TOMASZ, "action.dismiss_overlap", reference="A23", other="A24")
    assert "won't suggest it again" in card_text(card)
    assert "Possibly the same work" not in card_text(card)
    async with db() as session:
        states = list(await session.scalars(select(ActionLink.state)))
    assert sorted(states) == ["dismissed", "linked", "linked"]


async def test_only_people_who_may_update_can_link(harness, db):
    card = await executed(harness, BETHANY, "action.link", reference="A23", other="A24")
    assert card["body"][0]["text"] == "You can't update A23"
    async with db() as session:
        states = list(await session.scalars(select(ActionLink.state)))
    assert "suggested" in states


@pytest.mark.parametrize("verb", ["action.link", "action.dismiss_overlap"])
async def test_an_overlap_needs_read_rights_on_the_other_action_too(harness, db, verb):
    # Bethany leads A14; A16 belongs to the Rapid Review Panel, which she is not in.
    audited = [len(await audit_rows(db, reference)) for reference in ("A14", "A16")]
    card = await executed(harness, BETHANY, verb, reference="A14", other="A16")
    assert card_text(card).startswith("A16 could not be linked.")
    assert "Follow up two consecutive missed" not in card_text(card)
    assert [len(await audit_rows(db, reference)) for reference in ("A14", "A16")] == audited
    async with db() as session:
        states = sorted(await session.scalars(select(ActionLink.state)))
    assert states == ["linked", "linked", "suggested"]


# -- overview and export --------------------------------------------------------------------------


async def test_overview_for_admins_draws_bars_and_lists_drift(harness):
    card = await said_card(harness, ADMIN, "actions overview")
    text = card_text(card)
    assert "All actions · 25 actions" in text
    assert "25 actions: 7 red, 3 amber, 8 green, 7 complete." in text
    assert "Overdue (5)" in text
    assert "Complete, impact not evidenced (2)" in text  # A08 and A16, impact awaited
    assert "**A23** and **A24**: possible overlap, to check" in text
    bars = [
        block
        for block in card["body"]
        if block.get("type") == "ColumnSet"
        and all(str(c.get("width", "")).isdigit() for c in block["columns"])
    ]
    assert len(bars) == 6  # one per priority
    widths = [sum(int(c["width"]) for c in bar["columns"]) for bar in bars]
    assert len(set(widths)) == 1  # every bar is drawn on the same scale


async def test_overview_for_a_chair_covers_the_groups_they_chair(harness):
    card = await said_card(harness, CLAIRE, "dashboard")
    text = card_text(card)
    assert "Groups you chair: Neglect Strategy Implementation Group · 2 actions" in text
    assert "P4 Neglect · 2" in text


async def test_overview_is_refused_to_members(harness):
    card = await said_card(harness, LAURA, "overview")
    assert card["body"][0]["text"] == "The overview is for chairs and the business team"


async def test_export_for_admins_explains_the_command(harness):
    card = await said_card(harness, ADMIN, "export actions")
    assert "python -m manage export-actions register.xlsx" in card_text(card)
    refused = await said_card(harness, LAURA, "export actions")
    assert "business team" in card_text(refused)


async def test_help_lists_the_action_commands(harness):
    text = card_text(await said_card(harness, LAURA, "help"))
    for example in ("my actions", "what's overdue in neglect", "action A07", "update A07"):
        assert f'"{example}"' in text
