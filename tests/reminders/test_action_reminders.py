"""Action reminders from the demo register: the nudges and escalations planned, the update form on
the card saved through Action.Execute (screened, validated, refreshed in place), and the digests."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import SERVICES
from cards.verbs import Verb
from storage.models import Action, ActionUpdate
from tests.reminders.conftest import rows
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user
from usecases.reminder_planning import action_reminders, exception_reports, plan_reminders

LEAD = demo_user("P07")  # leads A03 (Executive), A10 (Learning Lessons), A18 and A24
TUESDAY = datetime(2026, 11, 24, 0, 15, tzinfo=UTC)


async def plan(harness, now, *sources):
    services = harness.app[SERVICES]
    return await plan_reminders(
        services.settings, services.sessions, now, sources=list(sources or [action_reminders])
    )


def save_button(card):
    found = []

    def walk(node):
        if isinstance(node, dict):
            if (
                node.get("type") == "Action.Execute"
                and node.get("verb") == Verb.REMINDER_SAVE_ACTION
            ):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    [button] = found
    return button["data"]


async def overdue_card_for(harness, dispatcher, clock, reference):
    await harness.install(LEAD)
    await plan(harness, TUESDAY)
    clock.now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    for sent in harness.connector.sent[before:]:
        if sent.conversation_id == LEAD.personal_conversation and sent.cards:
            card = sent.cards[0]
            if f"{reference} is overdue" in card_text(card):
                return card
    raise AssertionError(f"no overdue reminder for {reference}")


async def action_row(harness, reference):
    async with harness.app[SERVICES].sessions() as session:
        return await session.scalar(select(Action).where(Action.reference == reference))


async def test_the_demo_register_plans_nudges_escalations_and_follow_ups(harness):
    await plan(harness, TUESDAY)
    planned = {(r.kind, r.subject) for r in await rows(harness.app[SERVICES].sessions)}
    assert ("action_overdue", "action:A03") in planned
    assert ("escalation", "action:A03") in planned  # to the Executive's chair
    assert ("action_due_soon", "action:A19") in planned  # due Monday 30 November
    assert ("action_stale", "action:A18") in planned  # no update since 20 July
    assert ("impact_awaited", "action:A08") in planned  # complete, impact awaited
    assert ("escalation", "action:A15") not in planned  # the lead chairs the group
    assert ("action_overdue", "action:A01") not in planned  # complete
    assert (await plan(harness, TUESDAY)).inserted == 0


async def test_an_overdue_reminder_carries_the_update_form(harness, dispatcher, clock):
    card = await overdue_card_for(harness, dispatcher, clock, "A03")
    assert_valid_card(card)
    shown = card_text(card)
    assert "A03 is overdue by 17 working days" in shown
    assert "Progress note" in shown and "Revised due date" in shown
    assert "Snooze until tomorrow" in shown
    data = save_button(card)
    assert data["reference"] == "A03" and data["kind"] == "action_overdue"


async def test_saving_from_the_card_refreshes_it_and_stops_the_nudges(harness, dispatcher, clock):
    card = await overdue_card_for(harness, dispatcher, clock, "A03")
    form = save_button(card) | {
        "status": "in_progress",
        "rag": "amber",
        "slipping": "true",
        "note": "Terms of reference drafted; Executive to agree on 8 December.",
        "revised_due": "2026-12-11",
        "revised_reason": "Executive meets on 8 December",
    }
    saved = await harness.execute(LEAD, Verb.REMINDER_SAVE_ACTION, form)
    assert_valid_card(saved)
    shown = card_text(saved)
    assert "Saved your update of 24 Nov 2026" in shown
    assert "revised to 11 Dec 2026" in shown
    assert "Progress note" not in shown  # the form is gone: the card shows what was saved
    action = await action_row(harness, "A03")
    assert (action.revised_due_date, action.last_update_on) == (
        date(2026, 12, 11),
        date(2026, 11, 24),
    )
    # Next Monday: A03 is no longer overdue; the lead's other overdue actions still are.
    await plan(harness, datetime(2026, 11, 30, 0, 15, tzinfo=UTC))
    week_49 = {
        r.subject
        for r in await rows(harness.app[SERVICES].sessions)
        if r.kind == "action_overdue" and r.occurrence == "overdue-2026-W49"
    }
    assert "action:A03" not in week_49 and "action:A10" in week_49


async def test_bad_input_comes_back_beside_the_fields_with_what_was_typed(
    harness, dispatcher, clock
):
    card = await overdue_card_for(harness, dispatcher, clock, "A03")
    form = save_button(card) | {
        "status": "in_progress",
        "note": "Chairs consulted",
        "revised_due": "2027-01-29",
        "revised_reason": "",
    }
    again = await harness.execute(LEAD, Verb.REMINDER_SAVE_ACTION, form)
    assert_valid_card(again)
    shown = card_text(again)
    assert "Please check the fields marked below" in shown
    assert "Chairs consulted" in shown and "A03 is overdue" in shown
    assert (await action_row(harness, "A03")).last_update_on == date(2026, 10, 2)


async def test_identifiers_in_the_note_are_shown_and_saved_only_once_confirmed(
    harness, dispatcher, clock
):
    card = await overdue_card_for(harness, dispatcher, clock, "A03")
    form = save_button(card) | {
        "status": "in_progress",
        "note": "Discussed with the duty desk on 07700 900123",
    }
    warned = await harness.execute(LEAD, Verb.REMINDER_SAVE_ACTION, form)
    assert_valid_card(warned)
    assert "may contain personal details" in card_text(warned)
    assert (await action_row(harness, "A03")).last_update_on == date(2026, 10, 2)
    confirmed = form | {"screened": save_button(warned)["screened"], "confirm_not_personal": "true"}
    saved = await harness.execute(LEAD, Verb.REMINDER_SAVE_ACTION, confirmed)
    assert "confirmation that it holds no personal data is recorded" in card_text(saved)
    async with harness.app[SERVICES].sessions() as session:
        update = await session.scalar(select(ActionUpdate).order_by(ActionUpdate.id.desc()))
    assert update.screening_confirmed


async def test_only_the_lead_chair_or_business_team_can_save(harness):
    card = await harness.execute(
        demo_user("P09"),
        Verb.REMINDER_SAVE_ACTION,
        {"reference": "A03", "status": "in_progress", "note": "Not mine to say"},
    )
    assert "You can't update A03" in card_text(card)


async def test_a_form_naming_another_action_is_checked_on_that_action(harness, dispatcher, clock):
    # The lead's own reminder for A03, its form edited to name A07 (the Executive's, not hers).
    card = await overdue_card_for(harness, dispatcher, clock, "A03")
    form = save_button(card) | {"reference": "A07", "status": "in_progress", "note": "Not mine"}
    refused = await harness.execute(LEAD, Verb.REMINDER_SAVE_ACTION, form)
    assert_valid_card(refused)
    assert "You can't update A07" in card_text(refused)
    a07 = await action_row(harness, "A07")
    assert (a07.version, a07.last_update_on) == (1, date(2026, 6, 10))


async def test_an_action_updated_after_planning_is_not_nudged(harness, dispatcher, clock):
    await harness.install(LEAD)
    await plan(harness, TUESDAY)
    async with harness.app[SERVICES].sessions() as session, session.begin():
        action = await session.scalar(select(Action).where(Action.reference == "A24"))
        action.last_update_on = date(2026, 11, 24)
    clock.now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    await dispatcher.run_once()
    a24 = next(
        r
        for r in await rows(harness.app[SERVICES].sessions)
        if r.subject == "action:A24" and r.kind == "action_overdue"
    )
    assert (a24.status, a24.last_error) == ("cancelled", "nothing_to_send")


async def test_the_chair_hears_of_an_escalation(harness, dispatcher, clock):
    chair = demo_user("P02")  # chairs the Executive, which owns A03
    await harness.install(chair)
    await plan(harness, TUESDAY)
    clock.now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    cards = [
        s.cards[0]
        for s in harness.connector.sent[before:]
        if s.conversation_id == chair.personal_conversation
    ]
    escalation = next(c for c in cards if "Escalation: A03" in card_text(c))
    assert_valid_card(escalation)
    assert "You chair Executive" in card_text(escalation)
    assert "Aisha Rahman-Clarke" in card_text(escalation)


async def test_a_chairs_weekly_digest_lists_their_groups_drift(harness, dispatcher, clock):
    await harness.install(LEAD)  # P07 also chairs the Case File Audit Group
    await plan(harness, TUESDAY)
    clock.now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    cards = [
        s.cards[0]
        for s in harness.connector.sent[before:]
        if s.conversation_id == LEAD.personal_conversation
    ]
    digest = next(c for c in cards if "your groups' drift" in card_text(c))
    assert_valid_card(digest)
    shown = card_text(digest)
    assert "Case File Audit Group" in shown and "A11" in shown and "A18" in shown
    assert "Aisha, your groups' drift this week" in shown


async def test_digest_readers_get_one_weekly_card(harness, dispatcher, clock):
    await harness.install(LEAD)
    await harness.say(LEAD, "digest only")
    await plan(harness, TUESDAY)
    kinds = {(r.kind, r.person_id) for r in await rows(harness.app[SERVICES].sessions)}
    lead_id = next(pid for kind, pid in kinds if kind == "personal_digest")
    assert ("action_overdue", lead_id) not in kinds
    clock.now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    cards = [
        card_text(s.cards[0])
        for s in harness.connector.sent[before:]
        if s.conversation_id == LEAD.personal_conversation
    ]
    digest = next(text for text in cards if "need you" in text)
    assert all(ref in digest for ref in ("A03", "A10", "A24"))
    assert not any("is overdue by" in text for text in cards)


async def test_the_business_team_gets_the_monthly_exception_report(harness, dispatcher, clock):
    admin = demo_user("P05")
    await harness.install(admin)
    first = datetime(2026, 12, 1, 0, 15, tzinfo=UTC)
    assert (await plan(harness, first, exception_reports)).inserted == 2  # P05 and P06
    clock.now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    [report] = [
        s.cards[0]
        for s in harness.connector.sent[before:]
        if s.conversation_id == admin.personal_conversation
    ]
    assert_valid_card(report)
    shown = card_text(report)
    assert "Monthly exception report" in shown and "December 2026" in shown
    assert "A03" in shown and "A08" in shown  # overdue; impact not yet evidenced


async def test_the_reminder_and_the_list_count_the_same_working_days(harness, dispatcher, clock):
    reminder = card_text(await overdue_card_for(harness, dispatcher, clock, "A10"))
    [listed] = await harness.say(LEAD, "my actions")
    listing = card_text(listed.cards[0])
    assert "A10 is overdue by 39 working days" in reminder
    assert "overdue by 39 working days" in listing
    assert "overdue by 55 days" not in listing  # the calendar count the list used to give
