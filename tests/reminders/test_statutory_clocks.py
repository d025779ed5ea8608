"""The business team records a serious incident notification; the Rapid Review Panel counts down
to the rapid review's due date with reminders on set working days before it."""

from datetime import UTC, datetime

from sqlalchemy import select

from bot import SERVICES
from cards.verbs import Verb
from storage.models import StatutoryClock
from tests.reminders.conftest import rows
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user
from usecases.reminder_planning import plan_reminders, statutory_clock_reminders

ADMIN, CHAIR, MEMBER, OUTSIDER = (demo_user(c) for c in ("P05", "P07", "P08", "P14"))
PANEL = ("P03", "P07", "P08", "P10")


async def record(harness, reference="RR-2026-04", notified_on="2026-11-20", user=ADMIN):
    card = await harness.execute(
        user, Verb.CLOCK_RECORD, {"reference": reference, "notified_on": notified_on}
    )
    assert_valid_card(card)
    return card_text(card)


async def plan(harness, now):
    services = harness.app[SERVICES]
    return await plan_reminders(
        services.settings, services.sessions, now, sources=[statutory_clock_reminders]
    )


async def test_the_business_team_records_a_notification_and_sees_the_due_date(harness):
    [form] = await harness.say(ADMIN, "record serious incident notification")
    assert "Date the notification was made" in card_text(form.cards[0])
    shown = await record(harness)
    assert "Rapid review due Fri 11 December 2026" in shown
    assert "Fri 27 Nov, Fri 4 Dec, Wed 9 Dec, Thu 10 Dec" in shown


async def test_bad_input_is_explained_beside_the_fields_and_kept(harness):
    shown = await record(harness, reference="Child A", notified_on="2026-12-01")
    assert "a short prefix and numbers" in shown
    assert "can't be in the future" in shown
    assert "Child A" in shown
    for not_a_reference in ("RR-1234567890", "SMITHSON-1", "4857773456", "RR 2026 04"):
        assert "no names, no NHS" in await record(harness, reference=not_a_reference)
    shown = await record(harness, reference="SI/26/7", notified_on="")
    assert "no names, no NHS" not in shown and "Please give the date" in shown
    async with harness.app[SERVICES].sessions() as session:
        assert (await session.scalars(select(StatutoryClock))).all() == []


async def test_a_reference_is_recorded_once(harness):
    await record(harness)
    assert "already recorded" in await record(harness, reference="rr-2026-04")


async def test_only_the_business_team_or_the_panel_chair_records(harness):
    assert "Admins only" in await record(harness, user=MEMBER)
    assert "Recorded RR-2026-05" in await record(harness, reference="RR-2026-05", user=CHAIR)


async def test_the_panel_is_reminded_with_the_countdown(harness, dispatcher, clock):
    for code in (*PANEL, "P14"):
        await harness.install(demo_user(code))
    await record(harness)
    sessions = harness.app[SERVICES].sessions
    assert (await plan(harness, datetime(2026, 11, 26, 12, tzinfo=UTC))).inserted == 0
    early = datetime(2026, 11, 27, 0, 15, tzinfo=UTC)
    assert (await plan(harness, early)).inserted == len(PANEL)
    assert (await plan(harness, early)).inserted == 0  # planning twice inserts nothing
    planned = await rows(sessions)
    assert {r.not_before for r in planned} == {datetime(2026, 11, 27, 9, tzinfo=UTC)}
    clock.now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    assert (await dispatcher.run_once())["sent"] == len(PANEL)
    sent = harness.connector.sent[before:]
    assert {s.conversation_id for s in sent} == {demo_user(c).personal_conversation for c in PANEL}
    for message in sent:
        assert_valid_card(message.cards[0])
        shown = card_text(message.cards[0])
        assert "RR-2026-04: 10 working days left" in shown
        assert "Fri 11 December 2026" in shown
        assert "Snooze until tomorrow" in shown


async def test_the_countdown_is_worked_out_when_the_card_is_sent(harness, dispatcher, clock):
    await harness.install(CHAIR)
    await record(harness)
    await plan(harness, datetime(2026, 12, 4, 6, tzinfo=UTC))
    # The bot was down until Monday: the card still tells the truth on the day it arrives.
    clock.now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    [message] = [s for s in harness.connector.sent[before:] if s.cards]
    assert "4 working days left" in card_text(message.cards[0])


async def test_completing_the_review_stops_the_reminders(harness, dispatcher, clock):
    await harness.install(CHAIR)
    await record(harness)
    await plan(harness, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))
    [listing] = await harness.say(CHAIR, "rapid reviews")
    assert "13 working days left" in card_text(listing.cards[0])
    async with harness.app[SERVICES].sessions() as session:
        clock_id = (await session.scalars(select(StatutoryClock.id))).one()
    card = await harness.execute(CHAIR, Verb.CLOCK_CLOSE, {"clock": clock_id})
    assert_valid_card(card)
    assert "Completed Tue 24 November 2026" in card_text(card)
    assert {r.status for r in await rows(harness.app[SERVICES].sessions)} == {"cancelled"}
    assert (await plan(harness, datetime(2026, 12, 4, 0, 15, tzinfo=UTC))).inserted == 0


async def test_rapid_reviews_are_not_shown_outside_the_panel(harness):
    [reply] = await harness.say(OUTSIDER, "rapid reviews")
    assert "Not available to you" in card_text(reply.cards[0])
    card = await harness.execute(OUTSIDER, Verb.CLOCK_CLOSE, {"clock": 1})
    assert "Not allowed" in card_text(card)
