"""The dispatcher through the real app and the fake Bot Connector: sending, retries, unreachable
recipients, preferences at send time, and recovery after a crash."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import ADAPTER, SERVICES
from delivery.dispatcher import build_dispatcher
from storage.models import ConversationRef
from storage.reminders import update_preferences
from tests.reminders.conftest import enqueue, note, person_id, rows
from tests.support.harness import card_text, demo_user

P07, P08 = demo_user("P07"), demo_user("P08")


async def test_a_due_reminder_is_sent_once_and_its_activity_id_kept(
    harness, dispatcher, sessions, clock
):
    await harness.install(P07)
    before = len(harness.connector.sent)
    await enqueue(sessions, note(await person_id(sessions, "P07"), when=clock.now))
    assert (await dispatcher.run_once())["sent"] == 1
    sent = harness.connector.sent[before:]
    assert [s.conversation_id for s in sent] == [P07.personal_conversation]
    assert "note n:1 o1" in card_text(sent[0].cards[0])
    [row] = await rows(sessions)
    assert (row.status, row.activity_id, row.sent_at) == ("sent", sent[0].activity_id, clock.now)
    assert row.sent_conversation_id == P07.personal_conversation
    assert sum((await dispatcher.run_once()).values()) == 0
    assert len(harness.connector.sent) == before + 1


async def test_rows_not_yet_due_wait(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    later = clock.now + timedelta(hours=2)
    await enqueue(sessions, note(await person_id(sessions, "P07"), when=later))
    assert sum((await dispatcher.run_once()).values()) == 0
    clock.now = later
    assert (await dispatcher.run_once())["sent"] == 1


async def test_429_is_retried_after_retry_after_without_holding_up_the_batch(
    harness, dispatcher, sessions, clock
):
    await harness.install(P07)
    await harness.install(P08)
    before = len(harness.connector.sent)
    p07, p08 = await person_id(sessions, "P07"), await person_id(sessions, "P08")
    await enqueue(sessions, note(p07, "n:1", when=clock.now), note(p08, "n:2", when=clock.now))
    harness.connector.fail_next(429, 1, retry_after="7")
    outcome = await dispatcher.run_once()
    assert outcome == {"retried": 1, "sent": 1}
    retried = next(r for r in await rows(sessions) if r.status == "pending")
    assert retried.not_before == clock.now + timedelta(seconds=7)
    assert (retried.attempts, retried.last_error) == (1, "http_429")
    clock.now += timedelta(seconds=6)
    assert sum((await dispatcher.run_once()).values()) == 0
    clock.now += timedelta(seconds=1)
    assert (await dispatcher.run_once())["sent"] == 1
    assert len(harness.connector.sent) == before + 2
    assert {r.status for r in await rows(sessions)} == {"sent"}


async def test_503_backs_off_exponentially_with_jitter(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    await enqueue(sessions, note(await person_id(sessions, "P07"), when=clock.now))
    harness.connector.fail_next(503, 3)
    base = dispatcher_settings(harness).backoff_base_seconds
    delays = []
    for attempt in range(1, 4):
        started = clock.now
        assert (await dispatcher.run_once())["retried"] == 1
        [row] = await rows(sessions)
        delay = (row.not_before - started).total_seconds()
        ceiling = base * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling, (attempt, delay)
        assert row.last_error == "http_503"
        delays.append(delay)
        clock.now = row.not_before
    assert (await dispatcher.run_once())["sent"] == 1
    [row] = await rows(sessions)
    assert row.attempts == 4


async def test_gateway_errors_and_412_are_retried_too(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    pid = await person_id(sessions, "P07")
    for status in (412, 502, 504):
        await enqueue(sessions, note(pid, f"n:{status}", when=clock.now))
        harness.connector.fail_next(status)
        assert (await dispatcher.run_once())["retried"] == 1
        clock.now += timedelta(hours=1)
        assert (await dispatcher.run_once())["sent"] == 1


def dispatcher_settings(harness):
    return harness.app[SERVICES].settings.reminders


async def test_it_gives_up_after_the_most_attempts(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    await enqueue(sessions, note(await person_id(sessions, "P07"), when=clock.now))
    harness.connector.fail_next(503, 100)
    most = dispatcher_settings(harness).max_attempts
    for _ in range(most - 1):
        assert (await dispatcher.run_once())["retried"] == 1
        [row] = await rows(sessions)
        clock.now = row.not_before
    assert (await dispatcher.run_once())["failed"] == 1
    [row] = await rows(sessions)
    assert (row.status, row.attempts, row.last_error) == ("failed", most, "http_503")
    harness.connector.failures.clear()


async def test_a_client_error_fails_at_once(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    await enqueue(sessions, note(await person_id(sessions, "P07"), when=clock.now))
    harness.connector.fail_next(400)
    assert (await dispatcher.run_once())["failed"] == 1


async def test_a_blocked_bot_makes_the_person_unreachable_until_they_reinstall(
    harness, dispatcher, sessions, clock
):
    await harness.install(P07)
    pid = await person_id(sessions, "P07")
    harness.connector.blocked_conversations.add(P07.personal_conversation)
    await enqueue(sessions, note(pid, "n:1", when=clock.now))
    assert (await dispatcher.run_once())["unreachable"] == 1
    async with sessions() as session:
        ref = await session.scalar(
            select(ConversationRef).where(
                ConversationRef.conversation_id == P07.personal_conversation
            )
        )
        assert not ref.active
    # Unblocked on Teams' side but not reinstalled: we still do not try.
    harness.connector.blocked_conversations.clear()
    before = len(harness.connector.sent)
    await enqueue(sessions, note(pid, "n:2", when=clock.now))
    assert (await dispatcher.run_once())["unreachable"] == 1
    assert len(harness.connector.sent) == before
    assert [r.last_error for r in await rows(sessions)] == ["http_403", "uninstalled"]
    # They come back: reminders flow again.
    await harness.install(P07)
    await enqueue(sessions, note(pid, "n:3", when=clock.now))
    assert (await dispatcher.run_once())["sent"] == 1


async def test_404_is_unreachable_too(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    await enqueue(sessions, note(await person_id(sessions, "P07"), when=clock.now))
    harness.connector.fail_next(404)
    assert (await dispatcher.run_once())["unreachable"] == 1


async def test_someone_who_never_installed_the_bot_is_unreachable(dispatcher, sessions, clock):
    await enqueue(sessions, note(await person_id(sessions, "P11"), when=clock.now))
    assert (await dispatcher.run_once())["unreachable"] == 1
    [row] = await rows(sessions)
    assert row.last_error == "not_installed"


async def test_quiet_hours_hold_a_late_row_until_morning(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    clock.now = clock.now.replace(hour=19)  # Tuesday 19:00 GMT, after a day of retries say
    await enqueue(sessions, note(await person_id(sessions, "P07"), when=clock.now))
    assert (await dispatcher.run_once())["deferred"] == 1
    [row] = await rows(sessions)
    assert row.not_before == clock.now.replace(day=25, hour=8)  # Wednesday 08:00
    assert (row.status, row.attempts) == ("pending", 0)


async def test_preferences_changed_after_planning_are_honoured_at_send_time(
    harness, dispatcher, sessions, clock
):
    await harness.install(P07)
    await harness.install(P08)
    p07, p08 = await person_id(sessions, "P07"), await person_id(sessions, "P08")
    tomorrow = clock.now + timedelta(days=1)
    async with sessions() as session, session.begin():
        await update_preferences(session, p07, paused_until=tomorrow.date())
        await update_preferences(session, p08, snoozed_until=tomorrow)
    await enqueue(sessions, note(p07, "n:1", when=clock.now), note(p08, "n:2", when=clock.now))
    assert await dispatcher.run_once() == {"cancelled": 1, "deferred": 1}
    by_subject = {r.subject: r for r in await rows(sessions)}
    assert (by_subject["n:1"].status, by_subject["n:1"].last_error) == ("cancelled", "paused")
    assert by_subject["n:2"].not_before == tomorrow


async def test_a_digest_reader_gets_no_single_action_nudges(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    pid = await person_id(sessions, "P07")
    async with sessions() as session, session.begin():
        await update_preferences(session, pid, digest_only=True)
    from storage.outbox import NewMessage

    await enqueue(
        sessions, NewMessage.to_person("action_overdue", "action:A03", pid, "w", clock.now)
    )
    assert (await dispatcher.run_once())["cancelled"] == 1


async def test_nothing_to_say_cancels_and_a_broken_renderer_fails(
    harness, dispatcher, sessions, clock
):
    await harness.install(P07)
    pid = await person_id(sessions, "P07")
    await enqueue(
        sessions,
        note(pid, "n:1", when=clock.now, gone=True),
        note(pid, "n:2", when=clock.now, broken=True),
    )
    assert await dispatcher.run_once() == {"cancelled": 1, "failed": 1}
    errors = {r.subject: r.last_error for r in await rows(sessions)}
    assert errors == {"n:1": "nothing_to_send", "n:2": "RuntimeError"}


async def test_an_unknown_kind_fails_visibly(harness, dispatcher, sessions, clock):
    from storage.outbox import NewMessage

    await harness.install(P07)
    pid = await person_id(sessions, "P07")
    await enqueue(sessions, NewMessage.to_person("no_such_kind", "x:1", pid, "o", clock.now))
    assert (await dispatcher.run_once())["failed"] == 1


async def test_a_crashed_senders_rows_are_sent_after_the_lease_expires(
    harness, dispatcher, sessions, clock
):
    """One dispatcher claims a batch and dies; another sends it all once the lease runs out."""
    await harness.install(P07)
    await harness.install(P08)
    p07, p08 = await person_id(sessions, "P07"), await person_id(sessions, "P08")
    await enqueue(
        sessions, *(note(p07 if n % 2 else p08, f"n:{n}", when=clock.now) for n in range(10))
    )
    crashed = build_dispatcher(
        settings=harness.app[SERVICES].settings,
        sessions=sessions,
        adapter=harness.app[ADAPTER],
        clock=clock,
        renderers=dispatcher.renderers,
    )
    abandoned = await crashed.claim()
    assert len(abandoned) == 10
    before = len(harness.connector.sent)
    assert sum((await dispatcher.run_once()).values()) == 0  # leased to the dead one
    clock.now += timedelta(seconds=dispatcher_settings(harness).lease_seconds + 1)
    assert (await dispatcher.run_once())["sent"] == 10
    subjects = sorted(card_text(s.cards[0]).split()[1] for s in harness.connector.sent[before:])
    assert subjects == sorted(f"n:{n}" for n in range(10))
    # If the dead one comes back to life it cannot record over the survivor's work.
    assert await crashed.deliver(abandoned[0]) == "lease_lost"
    assert {r.status for r in await rows(sessions)} == {"sent"}
    assert len(harness.connector.sent) == before + 10


async def test_sends_to_one_person_are_paced_by_the_limiter(harness, dispatcher, sessions, clock):
    from delivery.limiter import SendLimiter

    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    moment = [0.0]
    dispatcher._limiter = SendLimiter(7.0, 50.0, monotonic=lambda: moment[0], sleep=sleep)
    await harness.install(P07)
    pid = await person_id(sessions, "P07")
    await enqueue(sessions, *(note(pid, f"n:{n}", when=clock.now) for n in range(14)))
    assert (await dispatcher.run_once())["sent"] == 14
    assert max(slept) == pytest.approx(13 / 7)  # the last of 14 waits 13 sevenths of a second
