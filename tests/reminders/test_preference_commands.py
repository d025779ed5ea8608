"""People set their reminder preferences by typing or with the buttons on a reminder."""

from datetime import UTC, date, datetime

from bot import SERVICES
from cards.verbs import Verb
from storage.reminders import preferences_of
from tests.reminders.conftest import enqueue, note, person_id, rows
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user

P09 = demo_user("P09")


async def prefs(harness, code="P09"):
    sessions = harness.app[SERVICES].sessions
    pid = await person_id(sessions, code)
    async with sessions() as session:
        return await preferences_of(session, pid)


async def reply_text(harness, user, words):
    [sent] = await harness.say(user, words)
    assert_valid_card(sent.cards[0])
    return card_text(sent.cards[0])


async def test_settings_start_at_the_partnerships_defaults(harness):
    shown = await reply_text(harness, P09, "reminder settings")
    assert "not snoozed" in shown and "not paused" in shown
    assert "one at a time" in shown and "18:00-08:00 (the partnership's)" in shown


async def test_snooze_until_a_named_day(harness):
    shown = await reply_text(harness, P09, "snooze until monday")
    assert "Snoozed until Mon 30 Nov 2026, 09:00" in shown
    assert (await prefs(harness)).snoozed_until == datetime(2026, 11, 30, 9, tzinfo=UTC)


async def test_snooze_with_no_day_means_tomorrow_morning(harness):
    await harness.say(P09, "snooze")
    assert (await prefs(harness)).snoozed_until == datetime(2026, 11, 25, 9, tzinfo=UTC)


async def test_snooze_until_a_day_that_has_passed_is_refused(harness):
    shown = await reply_text(harness, P09, "snooze until 1/11/2026")
    assert "couldn't use that day" in shown
    assert (await prefs(harness)).snoozed_until is None


async def test_pause_for_leave_and_resume(harness):
    shown = await reply_text(harness, P09, "pause reminders until 5 January")
    assert "They start again on Tue 5 January 2027" in shown
    assert (await prefs(harness)).paused_until == date(2027, 1, 5)
    assert "Resume reminders now" in shown
    shown = await reply_text(harness, P09, "resume reminders")
    assert "back on" in shown and (await prefs(harness)).paused_until is None


async def test_on_leave_until_is_a_pause_too(harness):
    await harness.say(P09, "I'm on leave until 4/1/2027")
    assert (await prefs(harness)).paused_until == date(2027, 1, 4)


async def test_pause_without_a_day_asks_for_one_and_a_bad_day_is_explained(harness):
    assert "Start my reminders again on" in await reply_text(harness, P09, "pause reminders")
    card = await harness.execute(P09, Verb.REMINDER_PAUSE, {"paused_until": "2026-11-01"})
    assert_valid_card(card)
    assert "already come" in card_text(card)
    assert (await prefs(harness)).paused_until is None


async def test_digest_on_and_off(harness):
    assert "one weekly digest" in await reply_text(harness, P09, "digest only")
    assert (await prefs(harness)).digest_only
    assert "one at a time again" in await reply_text(harness, P09, "single reminders")
    assert not (await prefs(harness)).digest_only


async def quiet_hours_label(harness) -> str | None:
    quiet_hours = (await prefs(harness)).quiet_hours
    return quiet_hours.label() if quiet_hours is not None else None


async def test_quiet_hours_typed(harness):
    shown = await reply_text(harness, P09, "quiet hours 17:30-09:30")
    assert "No reminders between 17:30 and 09:30" in shown
    assert await quiet_hours_label(harness) == "17:30-09:30"
    assert "couldn't read those times" in await reply_text(harness, P09, "quiet hours evenings")
    assert await quiet_hours_label(harness) == "17:30-09:30"
    await harness.say(P09, "quiet hours off")
    assert (await prefs(harness)).quiet_hours is None


async def test_snooze_button_on_a_reminder_sends_it_again_later(harness, dispatcher, clock):
    sessions = harness.app[SERVICES].sessions
    await harness.install(P09)
    pid = await person_id(sessions, "P09")
    await enqueue(sessions, note(pid, "n:1", when=clock.now))
    assert (await dispatcher.run_once())["sent"] == 1
    [sent_row] = await rows(sessions)
    card = await harness.execute(
        P09, Verb.REMINDER_SNOOZE, {"until": "tomorrow", "message": sent_row.id}
    )
    assert_valid_card(card)
    assert "Snoozed until Wed 25 Nov 2026, 09:00" in card_text(card)
    assert "send you this reminder again then" in card_text(card)
    tomorrow = datetime(2026, 11, 25, 9, tzinfo=UTC)
    [_, copy] = await rows(sessions)
    assert (copy.status, copy.not_before, copy.subject) == ("pending", tomorrow, "n:1")
    clock.now = tomorrow
    before = len(harness.connector.sent)
    assert (await dispatcher.run_once())["sent"] == 1
    assert "note n:1" in card_text(harness.connector.sent[before].cards[0])


async def test_someone_elses_reminder_cannot_be_repeated(harness, dispatcher, clock):
    sessions = harness.app[SERVICES].sessions
    await harness.install(P09)
    await enqueue(sessions, note(await person_id(sessions, "P09"), "n:1", when=clock.now))
    await dispatcher.run_once()
    [row] = await rows(sessions)
    card = await harness.execute(
        demo_user("P10"), Verb.REMINDER_SNOOZE, {"until": "next_week", "message": row.id}
    )
    assert "again then" not in card_text(card)
    assert len(await rows(sessions)) == 1


async def test_pause_and_digest_buttons(harness):
    card = await harness.execute(P09, Verb.REMINDER_PAUSE, {"paused_until": "2027-01-05"})
    assert "Tue 5 January 2027" in card_text(card)
    card = await harness.execute(P09, Verb.REMINDER_DIGEST, {"on": True})
    assert "weekly digest" in card_text(card)
    current = await prefs(harness)
    assert current.paused_until == date(2027, 1, 5) and current.digest_only


async def test_reminders_status_is_for_admins(harness, dispatcher, clock):
    sessions = harness.app[SERVICES].sessions
    await harness.install(P09)
    pid = await person_id(sessions, "P09")
    await enqueue(sessions, note(pid, "n:1", when=clock.now), note(pid, "n:2", when=clock.now))
    harness.connector.fail_next(503)
    await dispatcher.run_once()
    shown = await reply_text(harness, demo_user("P05"), "reminders status")
    assert "Waiting to send" in shown and "http_503" in shown
    assert "Admins only" in await reply_text(harness, P09, "reminders status")


async def test_pause_until_beside_an_update_form_opens_the_pause_form(harness):
    card = await harness.execute(P09, Verb.REMINDER_PAUSE_FORM, {})
    assert_valid_card(card)
    assert "Start my reminders again on" in card_text(card)
    assert (await prefs(harness)).paused_until is None


async def test_a_snooze_moved_off_a_bank_holiday_says_why(harness, clock):
    clock.now = datetime(2026, 12, 22, 9, 30, tzinfo=UTC)
    shown = await reply_text(harness, P09, "snooze till monday")
    assert "Snoozed until Tue 29 Dec 2026, 09:00" in shown
    assert "because Mon 28 December 2026 is a bank holiday, Boxing Day (observed)" in shown


async def test_a_snooze_to_a_working_day_says_nothing_more(harness):
    shown = await reply_text(harness, P09, "snooze until monday")
    assert "Snoozed until Mon 30 Nov 2026, 09:00." in shown and "because" not in shown
