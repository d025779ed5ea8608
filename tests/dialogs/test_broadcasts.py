"""Broadcasts end to end through the app: compose, screen, preview, edit, duplicate, delete, send,
schedule, cancel, acknowledge, resend to failed and recover from a crash, with the fake connector
recording what reached Teams."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import DISPATCHER, SERVICES
from jobs.broadcasts import finish_sends, plan_ack_reminders, start_due_sends
from jobs.context import JobContext
from jobs.dispatch_loop import DispatchLoop
from storage.models import (
    Announcement,
    AnnouncementAck,
    AnnouncementRecipient,
    AuditEntry,
    Booking,
    Course,
    CourseSession,
    Group,
    Person,
)
from storage.models.outbox import OutboxMessage
from tests.support.cards import assert_valid_card
from tests.support.harness import as_read, card_text, demo_user

ADMIN = demo_user("P05")
MEMBER = demo_user("P09")
NCN_MEMBERS = ["P09", "P13", "P15", "P16", "P17", "P18"]


def sessions(harness):
    return harness.app[SERVICES].sessions


async def group_id(harness, code: str) -> int:
    async with sessions(harness)() as session:
        return await session.scalar(select(Group.id).where(Group.code == code))


async def scalar(harness, statement) -> Any:
    async with sessions(harness)() as session:
        return await session.scalar(statement)


async def rows(harness, statement) -> list[Any]:
    async with sessions(harness)() as session:
        return list((await session.execute(statement)).all())


def compose(**fields: Any) -> dict[str, Any]:
    data = {
        "title": "Places open: Graded Care Profile 2",
        "body": "A **full-day** course on 16 February. Book by 10 February.",
        "image_url": "",
        "link_title": "",
        "link_url": "",
        "everyone": "false",
        "groups": "",
        "agencies": "",
        "champions": "false",
        "ack_days": "",
    }
    data.update(fields)
    return data


async def save_draft(harness, **fields: Any) -> tuple[int, dict[str, Any]]:
    card = await harness.execute(ADMIN, "broadcast_save", compose(**fields))
    assert_valid_card(card)
    announcement_id = await scalar(harness, select(func.max(Announcement.id)))
    assert announcement_id is not None, card_text(card)
    return announcement_id, card


async def install(harness, codes: list[str]) -> None:
    for code in codes:
        await harness.install(demo_user(code))


async def ncn_draft(harness, **fields: Any) -> int:
    ncn = await group_id(harness, "NCN")
    announcement_id, _ = await save_draft(harness, groups=str(ncn), **fields)
    return announcement_id


def job_context(harness) -> JobContext:
    services = harness.app[SERVICES]
    return JobContext(services.settings, services.sessions, services.clock, harness.app[DISPATCHER])


def announcement_cards(harness, code: str) -> list[dict[str, Any]]:
    return [
        c
        for c in harness.connector.cards_to(demo_user(code).personal_conversation)
        if any(a.get("verb") == "broadcast_ack" for a in c.get("actions", []))
    ]


# -- authorisation ------------------------------------------------------------------------------


async def test_people_outside_the_business_team_are_refused_everything(harness):
    sent = await harness.say(MEMBER, "new announcement")
    assert "Only the business team" in card_text(sent[0].cards[0])
    announcement_id = await ncn_draft(harness)
    for verb in (
        "broadcast_send",
        "broadcast_edit",
        "broadcast_delete",
        "broadcast_report",
        "broadcast_save",
        "broadcast_schedule",
        "broadcast_resend",
        "broadcast_cancel",
    ):
        card = await harness.execute(
            MEMBER, verb, {"announcement_id": announcement_id, **compose(title="Hijacked")}
        )
        assert "Only the business team" in card_text(card), verb
    announcement = await scalar(harness, select(Announcement))
    assert (announcement.status, announcement.title) == ("draft", compose()["title"])
    assert await scalar(harness, select(func.count()).select_from(OutboxMessage)) == 0


# -- compose ------------------------------------------------------------------------------------


async def test_new_announcement_offers_the_compose_card_with_limits(harness):
    sent = await harness.say(ADMIN, "new announcement")
    card = sent[0].cards[0]
    assert_valid_card(card)
    text = card_text(card)
    assert "Title (up to 120 characters)" in text
    assert "Message (up to 2,000 characters)" in text
    assert "https:// only" in text
    assert "Neglect Champions Network" in text  # groups to choose from


async def test_invalid_input_comes_back_beside_the_fields_with_what_was_typed(harness):
    card = await harness.execute(
        ADMIN,
        "broadcast_save",
        compose(
            title="",
            body="# Big heading",
            image_url="http://riverside.example/a.png",
            groups="99999",
        ),
    )
    assert_valid_card(card)
    text = card_text(card)
    assert "A title is required." in text
    assert "headings (#)" in text
    assert "Only https:// addresses" in text
    assert "no longer exist" in text
    assert "# Big heading" in text  # kept as typed
    assert await scalar(harness, select(func.count()).select_from(Announcement)) == 0


async def test_a_draft_for_a_group_retired_since_asks_for_its_audience_again(harness):
    ncn = await group_id(harness, "NCN")
    announcement_id, _ = await save_draft(harness, groups=str(ncn))
    async with sessions(harness)() as session, session.begin():
        group = await session.get(Group, ncn)
        assert group is not None
        group.active = False

    card = await harness.execute(
        ADMIN, "broadcast_save", compose(announcement_id=str(announcement_id), groups=str(ncn))
    )

    assert "Some of the choices are retired or no longer exist" in card_text(card)
    saved = select(Announcement.audience).where(Announcement.id == announcement_id)
    assert (await scalar(harness, saved))["groups"] == [ncn]  # the draft as it was


async def test_save_shows_the_draft_with_people_and_reachable_counts(harness):
    await install(harness, ["P09", "P13", "P15"])
    _, card = await save_draft(
        harness, groups=str(await group_id(harness, "NCN")), champions="true"
    )
    text = card_text(card)
    assert "Draft: Places open" in text
    assert "Neglect Champions Network; Neglect champions network" in text
    facts = {
        f["title"]: as_read(f["value"])
        for b in card["body"]
        if b["type"] == "FactSet"
        for f in b["facts"]
    }
    assert facts["People"] == "6"
    assert facts["Reachable now"].startswith("3 ")
    assert "3 of them have not installed the bot" in text
    # The button says whom a send reaches now, not the audience's size.
    titles = [a["title"] for a in card["actions"]]
    assert "Send now: reaches 3 of 6" in titles and "Send now to 6" not in titles


async def test_identifiers_are_shown_and_nothing_saved_until_confirmed(harness):
    body = "Questions to Sam on 07700 900123 before the course."
    card = await harness.execute(ADMIN, "broadcast_save", compose(body=body, everyone="true"))
    assert_valid_card(card)
    text = card_text(card)
    assert "This may contain personal data" in text
    assert "a phone number" in text
    assert body in text  # the input keeps what was typed
    assert await scalar(harness, select(func.count()).select_from(Announcement)) == 0

    card = await harness.execute(
        ADMIN, "broadcast_save", compose(body=body, everyone="true", confirm_not_personal="true")
    )
    assert "Draft:" in card_text(card)
    announcement = await scalar(harness, select(Announcement))
    assert announcement.screening_confirmed_by is not None
    events = await rows(
        harness, select(AuditEntry.event).where(AuditEntry.entity_id == str(announcement.id))
    )
    assert ("screening_confirmed",) in events


async def test_removing_the_identifier_saves_without_confirmation(harness):
    card = await harness.execute(
        ADMIN, "broadcast_save", compose(body="Email bob@gmail.example for details")
    )
    assert "personal data" in card_text(card)
    card = await harness.execute(
        ADMIN, "broadcast_save", compose(body="Email partnership@riverside.example for details")
    )
    assert "Draft:" in card_text(card)
    announcement = await scalar(harness, select(Announcement))
    assert announcement.screening_confirmed_by is None


async def test_preview_sends_the_exact_card_to_the_author_only(harness):
    await install(harness, ["P09"])
    announcement_id = await ncn_draft(
        harness, link_title="Calendar", link_url="https://riverside.example/training"
    )
    sent = await harness.submit(
        ADMIN, {"verb": "broadcast_preview", "announcement_id": announcement_id}
    )
    assert len(sent) == 1
    assert sent[0].conversation_id == ADMIN.personal_conversation
    card = sent[0].cards[0]
    assert_valid_card(card)
    text = card_text(card)
    assert "Places open: Graded Care Profile 2" in text
    assert "A **full-day** course" in text
    assert "Preview: only you can see this" in text
    assert [a["title"] for a in card["actions"]] == ["Got it", "Calendar"]
    assert announcement_cards(harness, "P09") == []
    # "Got it" on a preview records nothing.
    clicked = await harness.execute(ADMIN, "broadcast_ack", {"announcement_id": announcement_id})
    assert "nothing was recorded" in card_text(clicked)
    assert await scalar(harness, select(func.count()).select_from(AnnouncementAck)) == 0


async def preview_card(harness, announcement_id: int) -> dict[str, Any]:
    sent = await harness.submit(
        ADMIN, {"verb": "broadcast_preview", "announcement_id": announcement_id}
    )
    return sent[0].cards[0]


def without_banner(preview: dict[str, Any]) -> dict[str, Any]:
    banner, *body = preview["body"]
    assert "Preview: only you can see this" in card_text(banner)
    return {**preview, "body": body}


def without_sender_line(card: dict[str, Any]) -> dict[str, Any]:
    """The card without "From the <PARTNERSHIP_NAME> business team · <the day it was sent>"."""
    sender = "From the Riverside Safeguarding Children Partnership business team"
    body = [e for e in card["body"] if sender not in card_text(e)]
    assert len(body) == len(card["body"]) - 1
    return {**card, "body": body}


async def test_the_preview_is_the_card_recipients_get(harness):
    """One function builds both (cards.broadcasts.recipient_card): the preview is the sent card
    with the preview banner above it; before sending, all but the day it was sent."""
    await install(harness, ["P09"])
    announcement_id = await ncn_draft(
        harness,
        course=str(await course_id(harness, "T2")),
        image_url="https://riverside.example/images/training.png",
        link_title="Calendar",
        link_url="https://riverside.example/training",
    )
    before_sending = await preview_card(harness, announcement_id)
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    await harness.app[DISPATCHER].drain()
    [received] = announcement_cards(harness, "P09")
    assert book_buttons(received)  # the course and its sessions are on it

    assert without_banner(await preview_card(harness, announcement_id)) == received
    assert without_sender_line(without_banner(before_sending)) == without_sender_line(received)


async def test_edit_duplicate_and_delete_a_draft(harness):
    announcement_id = await ncn_draft(harness)
    card = await harness.execute(ADMIN, "broadcast_edit", {"announcement_id": announcement_id})
    assert_valid_card(card)
    assert "Edit announcement" in card_text(card)
    assert compose()["title"] in card_text(card)

    data = compose(title="Updated title", everyone="true", announcement_id=announcement_id)
    card = await harness.execute(ADMIN, "broadcast_save", data)
    assert "Draft: Updated title" in card_text(card)
    edited = await rows(
        harness, select(AuditEntry.field, AuditEntry.new_value).where(AuditEntry.event == "edited")
    )
    assert ("title", "(text changed)") in edited
    assert any(field == "audience" for field, _ in edited)

    card = await harness.execute(ADMIN, "broadcast_duplicate", {"announcement_id": announcement_id})
    assert "Draft: Copy of Updated title" in card_text(card)
    assert await scalar(harness, select(func.count()).select_from(Announcement)) == 2

    card = await harness.execute(ADMIN, "broadcast_delete", {"announcement_id": announcement_id})
    assert "Delete this draft?" in card_text(card)
    assert await scalar(harness, select(func.count()).select_from(Announcement)) == 2
    card = await harness.execute(
        ADMIN, "broadcast_delete", {"announcement_id": announcement_id, "confirmed": True}
    )
    assert "Draft deleted" in card_text(card)
    titles = await rows(harness, select(Announcement.title))
    assert titles == [("Copy of Updated title",)]

    card = await harness.execute(ADMIN, "broadcast_open", {"announcement_id": announcement_id})
    assert "no longer here" in card_text(card)
    listed = await harness.say(ADMIN, "announcements")
    assert "Copy of Updated title" in card_text(listed[0].cards[0])


# -- sending --------------------------------------------------------------------------------------


async def test_send_now_queues_one_outbox_row_per_recipient_and_audits_it(harness):
    await install(harness, NCN_MEMBERS[:4])
    announcement_id = await ncn_draft(harness)
    card = await harness.execute(
        ADMIN, "broadcast_send", {"announcement_id": announcement_id}, replyToId="draft-card-1"
    )
    assert_valid_card(card)
    assert "Sending: 0 of 6 done" in card_text(card)
    assert card["refresh"]["userIds"] == [ADMIN.id]
    assert card["refresh"]["action"]["verb"] == "broadcast_report"

    messages = await rows(
        harness, select(OutboxMessage.kind, OutboxMessage.recipient, OutboxMessage.occurrence)
    )
    assert len(messages) == 6
    assert {m.kind for m in messages} == {"announcement"}
    assert {m.occurrence for m in messages} == {"send:1"}
    announcement = await scalar(harness, select(Announcement))
    assert announcement.status == "sending"
    assert announcement.report_activity_id == "draft-card-1"
    audit = dict(
        await rows(
            harness,
            select(AuditEntry.field, AuditEntry.new_value).where(
                AuditEntry.event == "send_started"
            ),
        )
    )
    assert audit["people"] == "6"
    assert audit["reachable"] == "4"
    assert '"groups": [' in audit["audience"]
    assert audit["started_at"].startswith("2026-11-24T09:00")
    assert audit["author_id"] == str(announcement.author_id)

    outcomes = await harness.app[DISPATCHER].drain()
    assert outcomes["sent"] == 4 and outcomes["unreachable"] == 2
    for code in NCN_MEMBERS[:4]:
        cards = announcement_cards(harness, code)
        assert len(cards) == 1
        assert_valid_card(cards[0])
    report = await harness.execute(ADMIN, "broadcast_report", {"announcement_id": announcement_id})
    text = card_text(report)
    assert "Finished: sent to 4 of 6" in text
    assert "Not reachable" in text
    assert (await scalar(harness, select(Announcement))).status == "sent"

    # Sending again is refused kindly: it has been sent.
    again = await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    assert "already been sent" in card_text(again)
    assert await scalar(harness, select(func.count()).select_from(OutboxMessage)) == 6


async def test_send_now_outside_working_hours_suggests_the_next_time(harness, clock):
    announcement_id = await ncn_draft(harness)
    clock.now = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)  # Friday evening
    card = await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    assert_valid_card(card)
    assert "outside those hours" in card_text(card)
    assert "Monday 30 November at 08:00" in card_text(card)
    inputs = {
        b["id"]: b.get("value")
        for c in card["body"]
        if c["type"] == "ColumnSet"
        for col in c["columns"]
        for b in col["items"]
        if "id" in b
    }
    assert inputs == {"send_date": "2026-11-30", "send_time": "08:00"}
    assert (await scalar(harness, select(Announcement))).status == "draft"


async def test_a_draft_with_nobody_in_its_audience_cannot_be_sent(harness):
    announcement_id, card = await save_draft(harness)
    assert "Choose who should receive it" in card_text(card)
    card = await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    assert "Nobody is in this audience" in card_text(card)
    assert await scalar(harness, select(func.count()).select_from(OutboxMessage)) == 0


# -- scheduling -----------------------------------------------------------------------------------


async def test_schedule_for_a_london_time_starts_then_and_not_before(harness, clock):
    await install(harness, NCN_MEMBERS)
    announcement_id = await ncn_draft(harness)
    refused = await harness.execute(
        ADMIN,
        "broadcast_schedule",
        {"announcement_id": announcement_id, "send_date": "2026-11-28", "send_time": "10:00"},
    )
    assert "not a working day" in card_text(refused)
    assert "2026-11-28" in str(refused)  # what was chosen is kept

    # Summer time: 09:30 in London on 1 June 2027 is 08:30 UTC.
    card = await harness.execute(
        ADMIN,
        "broadcast_schedule",
        {"announcement_id": announcement_id, "send_date": "2027-06-01", "send_time": "09:30"},
    )
    assert_valid_card(card)
    assert "Scheduled for Tue 1 Jun 2027, 09:30" in card_text(card)
    announcement = await scalar(harness, select(Announcement))
    assert announcement.scheduled_for == datetime(2027, 6, 1, 8, 30, tzinfo=UTC)
    assert await scalar(harness, select(func.count()).select_from(OutboxMessage)) == 0

    context = job_context(harness)
    clock.now = datetime(2027, 6, 1, 8, 29, tzinfo=UTC)
    assert await start_due_sends(context) == 0
    clock.now = datetime(2027, 6, 1, 8, 30, tzinfo=UTC)
    assert await start_due_sends(context) == 1
    assert await start_due_sends(context) == 0  # once, however often the job ticks
    assert await scalar(harness, select(func.count()).select_from(OutboxMessage)) == 6
    await harness.app[DISPATCHER].drain()
    assert all(len(announcement_cards(harness, code)) == 1 for code in NCN_MEMBERS)
    assert await finish_sends(context) == 1
    assert (await scalar(harness, select(Announcement))).status == "sent"


async def test_cancelling_a_scheduled_send_makes_it_a_draft_again(harness, clock):
    announcement_id = await ncn_draft(harness)
    await harness.execute(
        ADMIN,
        "broadcast_schedule",
        {"announcement_id": announcement_id, "send_date": "2026-11-25", "send_time": "10:00"},
    )
    card = await harness.execute(ADMIN, "broadcast_cancel", {"announcement_id": announcement_id})
    assert "it is a draft again" in card_text(card)
    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert await start_due_sends(job_context(harness)) == 0
    assert await scalar(harness, select(func.count()).select_from(OutboxMessage)) == 0
    assert (await scalar(harness, select(Announcement))).status == "draft"


# -- cancel mid-send, acknowledgement, resend, crash -----------------------------------------------


async def test_cancel_mid_send_stops_what_is_not_yet_sent(harness):
    await install(harness, NCN_MEMBERS)
    announcement_id = await ncn_draft(harness)
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    dispatcher = harness.app[DISPATCHER]
    claimed = await dispatcher.claim()
    assert len(claimed) == 6
    # Two copies are sent; the other four are claimed (in flight) when the author cancels.
    await dispatcher.deliver_all(claimed[:2])
    card = await harness.execute(ADMIN, "broadcast_cancel", {"announcement_id": announcement_id})
    assert_valid_card(card)
    assert "Cancelled: 2 sent" in card_text(card)
    assert "Stopped: 4 copies will not be sent" in card_text(card)
    # The claimed rows render as nothing at send time and are cancelled, not sent.
    await dispatcher.deliver_all(claimed[2:])
    await dispatcher.drain()
    received = sum(len(announcement_cards(harness, code)) for code in NCN_MEMBERS)
    assert received == 2
    statuses = await rows(
        harness, select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    assert dict(statuses) == {"sent": 2, "cancelled": 4}
    report = await harness.execute(ADMIN, "broadcast_report", {"announcement_id": announcement_id})
    assert "Cancelled: 2 sent before it was stopped; 4 not sent" in card_text(report)
    audit = dict(
        await rows(
            harness,
            select(AuditEntry.field, AuditEntry.new_value).where(
                AuditEntry.event == "send_cancelled"
            ),
        )
    )
    assert audit["not_sent"] == "4"
    assert audit["status"] == "cancelled"


async def test_a_cancel_while_a_batch_is_sending_stops_the_rest_of_that_batch(harness, monkeypatch):
    """The batch's cards were built before the cancel; the copies not yet sent are not sent."""
    from dataclasses import replace

    from delivery import dispatcher as dispatching

    await install(harness, NCN_MEMBERS)
    announcement_id = await ncn_draft(harness)
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    dispatcher = harness.app[DISPATCHER]
    # One send at a time, and the rest of the batch checked before each.
    monkeypatch.setattr(dispatching, "RECHECK_EVERY_SECONDS", 0.0)
    monkeypatch.setattr(
        dispatcher, "_settings", replace(dispatcher._settings, dispatch_concurrency=1)
    )
    real_sender = dispatcher._sender

    class CancelAfterTheFirstCopy:
        sent = 0

        async def send_card(self, reference, card):
            outcome = await real_sender.send_card(reference, card)
            self.sent += 1
            if self.sent == 1:
                await harness.execute(
                    ADMIN, "broadcast_cancel", {"announcement_id": announcement_id}
                )
            return outcome

    monkeypatch.setattr(dispatcher, "_sender", CancelAfterTheFirstCopy())
    assert await dispatcher.drain() == {"sent": 1, "cancelled": 5}
    assert sum(len(announcement_cards(harness, code)) for code in NCN_MEMBERS) == 1


async def test_got_it_is_recorded_once_and_the_card_shows_it(harness, clock):
    await install(harness, ["P09"])
    announcement_id = await ncn_draft(harness)
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    await harness.app[DISPATCHER].drain()
    card = await harness.execute(MEMBER, "broadcast_ack", {"announcement_id": announcement_id})
    assert_valid_card(card)
    assert "You acknowledged this on Tue 24 Nov 2026, 09:00" in card_text(card)
    assert not any(a.get("verb") == "broadcast_ack" for a in card.get("actions", []))

    clock.now += timedelta(minutes=5)
    again = await harness.execute(MEMBER, "broadcast_ack", {"announcement_id": announcement_id})
    assert "on Tue 24 Nov 2026, 09:00" in card_text(again)  # the first click's time is kept
    assert await scalar(harness, select(func.count()).select_from(AnnouncementAck)) == 1

    # Someone it was not sent to is answered as for an id that names nothing (it was the card).
    outsider = await harness.execute(
        demo_user("P02"), "broadcast_ack", {"announcement_id": announcement_id}
    )
    nothing = await harness.execute(demo_user("P02"), "broadcast_ack", {"announcement_id": 10**6})
    assert outsider == nothing
    assert "no longer here" in card_text(outsider)
    assert compose()["title"] not in card_text(outsider)
    assert await scalar(harness, select(func.count()).select_from(AnnouncementAck)) == 1

    report = await harness.execute(ADMIN, "broadcast_report", {"announcement_id": announcement_id})
    facts = {
        f["title"]: as_read(f["value"])
        for b in report["body"]
        if b["type"] == "FactSet"
        for f in b["facts"]
    }
    assert facts["Acknowledged"] == "1 (17%)"


async def test_ack_reminder_goes_once_to_those_who_have_not_acknowledged(harness, clock):
    await install(harness, ["P09", "P13"])
    announcement_id = await ncn_draft(harness, ack_days="2")
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    await harness.app[DISPATCHER].drain()
    await harness.execute(MEMBER, "broadcast_ack", {"announcement_id": announcement_id})
    context = job_context(harness)
    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # one working day later
    assert await plan_ack_reminders(context) == 0
    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # two working days later
    assert await plan_ack_reminders(context) == 1
    assert await plan_ack_reminders(context) == 0
    await harness.app[DISPATCHER].drain()
    reminders = [
        c
        for c in harness.connector.cards_to(demo_user("P13").personal_conversation)
        if "Reminder: please read this" in card_text(c)
    ]
    assert len(reminders) == 1
    assert_valid_card(reminders[0])
    assert not [
        c
        for c in harness.connector.cards_to(MEMBER.personal_conversation)
        if "Reminder: please read this" in card_text(c)
    ]


async def test_resend_goes_to_failed_recipients_only(harness):
    await install(harness, NCN_MEMBERS)
    announcement_id = await ncn_draft(harness)
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    # The first two sends fail for good (400 is not retried).
    harness.connector.fail_next(400, count=2)
    dispatcher = harness.app[DISPATCHER]
    outcomes = await dispatcher.drain()
    assert outcomes["failed"] == 2 and outcomes["sent"] == 4
    report = await harness.execute(ADMIN, "broadcast_report", {"announcement_id": announcement_id})
    assert any(a["title"] == "Resend to 2 failed" for a in report["actions"])

    before = {code: len(announcement_cards(harness, code)) for code in NCN_MEMBERS}
    card = await harness.execute(ADMIN, "broadcast_resend", {"announcement_id": announcement_id})
    assert "Resending to 2 people" in card_text(card)
    await dispatcher.drain()
    after = {code: len(announcement_cards(harness, code)) for code in NCN_MEMBERS}
    assert sorted(after[c] - before[c] for c in NCN_MEMBERS) == [0, 0, 0, 0, 1, 1]
    assert all(count == 1 for count in after.values())
    occurrences = await rows(
        harness, select(OutboxMessage.occurrence, func.count()).group_by(OutboxMessage.occurrence)
    )
    assert dict(occurrences) == {"send:1": 6, "send:2": 2}
    report = await harness.execute(ADMIN, "broadcast_report", {"announcement_id": announcement_id})
    assert "Finished: sent to 6 of 6" in card_text(report)
    assert "Resends" in card_text(report)
    # Nothing failed now, so there is nothing to resend.
    card = await harness.execute(ADMIN, "broadcast_resend", {"announcement_id": announcement_id})
    assert "Nobody is marked failed" in card_text(card)
    assert await scalar(harness, select(func.count()).select_from(OutboxMessage)) == 8


async def test_a_crashed_sender_loses_nothing_and_sends_nothing_twice(harness, clock):
    await install(harness, NCN_MEMBERS)
    announcement_id = await ncn_draft(harness)
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    dispatcher = harness.app[DISPATCHER]
    claimed = await dispatcher.claim()
    await dispatcher.deliver_all(claimed[:3])
    # The process dies here: the other claimed rows stay leased to it, unsent.
    assert await dispatcher.drain() == {}  # nothing is due while the lease holds
    clock.now += timedelta(seconds=harness.settings.reminders.lease_seconds + 1)
    await dispatcher.drain()
    assert all(len(announcement_cards(harness, code)) == 1 for code in NCN_MEMBERS)
    assert await scalar(harness, select(func.count()).select_from(AnnouncementRecipient)) == 6


async def test_audience_leaves_out_guests_and_inactive_people(harness):
    async with sessions(harness)() as session, session.begin():
        people = {p.code: p for p in await session.scalars(select(Person))}
        people["P13"].is_guest = True
        people["P15"].active = False
    await install(harness, NCN_MEMBERS)
    announcement_id, card = await save_draft(
        harness, champions="true", groups=str(await group_id(harness, "NCN"))
    )
    facts = {
        f["title"]: as_read(f["value"])
        for b in card["body"]
        if b["type"] == "FactSet"
        for f in b["facts"]
    }
    assert facts["People"] == "4"
    assert facts["Left out"] == "1 guest, 1 inactive"
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    recipients = await rows(
        harness,
        select(Person.code)
        .join(AnnouncementRecipient, AnnouncementRecipient.person_id == Person.id)
        .order_by(Person.code),
    )
    assert [r.code for r in recipients] == ["P09", "P16", "P17", "P18"]


@pytest.mark.parametrize(
    ("announcement_id", "answer"),
    [
        (10**6, "no longer here"),
        # Not an id at all: the card-data model refuses it before any handler runs.
        ("", "out of date or wrong"),
        ("abc", "out of date or wrong"),
        (None, "out of date or wrong"),
        (True, "out of date or wrong"),
    ],
)
async def test_stale_or_broken_ids_get_a_clear_answer(harness, announcement_id, answer):
    card = await harness.execute(ADMIN, "broadcast_open", {"announcement_id": announcement_id})
    assert answer in card_text(card)
    card = await harness.execute(MEMBER, "broadcast_ack", {"announcement_id": announcement_id})
    assert answer in card_text(card)


async def test_the_admin_who_sends_gets_the_self_refreshing_report(harness):
    announcement_id = await ncn_draft(harness)
    colleague = demo_user("P06")
    card = await harness.execute(colleague, "broadcast_send", {"announcement_id": announcement_id})
    assert card["refresh"]["userIds"] == [colleague.id]
    people = dict(
        await rows(
            harness,
            select(AuditEntry.field, AuditEntry.person_id).where(
                AuditEntry.event == "send_started"
            ),
        )
    )
    tomasz = await scalar(harness, select(Person.id).where(Person.code == "P06"))
    assert people["people"] == tomasz


# -- a linked training course ----------------------------------------------------------------------


async def course_id(harness, code: str) -> int:
    return await scalar(harness, select(Course.id).where(Course.code == code))


def book_buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and node["data"].get("verb") == "session.book":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_an_announcement_carries_its_course_and_books_like_the_course_card(harness):
    await install(harness, ["P09"])
    t2 = await course_id(harness, "T2")
    compose_card = (await harness.say(ADMIN, "new announcement"))[0].cards[0]
    assert "Neglect: Using Graded Care Profile 2" in card_text(compose_card)
    announcement_id = await ncn_draft(harness, course=str(t2))
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    await harness.app[DISPATCHER].drain()
    received = announcement_cards(harness, "P09")[0]
    assert_valid_card(received)
    assert "Tue 16 Feb 2027" in card_text(received)
    buttons = book_buttons(received)
    assert [b["title"] for b in buttons] == ["Book"]

    sent = await harness.submit(MEMBER, buttons[0]["data"])
    assert "You're booked" in "\n".join(card_text(c) for s in sent for c in s.cards)
    bookings = await rows(harness, select(Booking.status, Booking.person_id))
    member_id = await scalar(harness, select(Person.id).where(Person.code == "P09"))
    assert bookings == [("booked", member_id)]


async def test_people_booked_on_a_course_are_an_audience(harness):
    t1 = await course_id(harness, "T1")
    await install(harness, ["P09", "P11"])
    first_session = await scalar(
        harness, select(func.min(CourseSession.id)).where(CourseSession.course_id == t1)
    )
    await harness.submit(
        MEMBER, {"verb": "session.book", "course_id": t1, "session_id": first_session}
    )
    await harness.submit(
        demo_user("P11"), {"verb": "session.book", "course_id": t1, "session_id": first_session}
    )
    announcement_id, card = await save_draft(harness, booked_on=str(t1))
    facts = {
        f["title"]: as_read(f["value"])
        for b in card["body"]
        if b["type"] == "FactSet"
        for f in b["facts"]
    }
    assert facts["People"] == "2"
    assert "Booked on Multi-agency Safeguarding Essentials" in facts["Audience"]
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    recipients = await rows(
        harness,
        select(Person.code)
        .join(AnnouncementRecipient, AnnouncementRecipient.person_id == Person.id)
        .order_by(Person.code),
    )
    assert [r.code for r in recipients] == ["P09", "P11"]


async def test_send_now_wakes_the_dispatch_loop_without_waiting_for_its_tick(harness):
    """With an hour between ticks, only the doorbell can explain copies arriving at once."""
    services = harness.app[SERVICES]
    hourly = replace(services.settings.reminders, dispatch_interval_seconds=3600)
    context = JobContext(
        replace(services.settings, reminders=hourly),
        services.sessions,
        services.clock,
        harness.app[DISPATCHER],
        doorbell=services.doorbell,
    )
    loop = DispatchLoop(context)
    services.doorbell.subscribe(loop.ring)
    await install(harness, NCN_MEMBERS[:4])
    announcement_id = await ncn_draft(harness)
    posted = len(harness.connector.sent)
    running = asyncio.create_task(loop.run())
    try:
        await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
        await harness.connector.wait_for_posts(posted + 4)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert all(len(announcement_cards(harness, code)) == 1 for code in NCN_MEMBERS[:4])


async def test_a_pause_or_a_snooze_holds_reminders_not_announcements(harness, clock):
    await install(harness, ["P09", "P13"])
    await harness.say(MEMBER, "pause reminders until 4 January")
    await harness.say(demo_user("P13"), "snooze a week")
    announcement_id = await ncn_draft(harness)
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})

    outcomes = await harness.app[DISPATCHER].drain()
    assert outcomes["sent"] == 2 and "cancelled" not in outcomes
    assert len(announcement_cards(harness, "P09")) == 1
    assert len(announcement_cards(harness, "P13")) == 1
    report = await harness.execute(ADMIN, "broadcast_report", {"announcement_id": announcement_id})
    assert "Finished: sent to 2 of 6" in card_text(report)
    assert "cancelled" not in card_text(report).lower()


async def test_the_author_can_see_who_was_missed_and_why(harness):
    await install(harness, ["P09", "P13", "P15", "P16"])
    announcement_id = await ncn_draft(harness)
    await harness.execute(ADMIN, "broadcast_send", {"announcement_id": announcement_id})
    await harness.app[DISPATCHER].drain()
    await harness.execute(MEMBER, "broadcast_ack", {"announcement_id": announcement_id})
    report = await harness.execute(ADMIN, "broadcast_report", {"announcement_id": announcement_id})
    [missed_button] = [a for a in report["actions"] if a["title"] == "Who was missed"]

    card = await harness.execute(ADMIN, missed_button["verb"], missed_button["data"])
    assert_valid_card(card)
    text = card_text(card)
    assert "Not reached (2)" in text and "Not acknowledged yet (3)" in text
    assert text.count("has not installed the bot") == 2
    assert "Bethany Olufemi" not in text  # she acknowledged it
    # Only the business team may ask; anyone else is refused as for the rest of broadcasts.
    refused = await harness.execute(MEMBER, "broadcast_missed", missed_button["data"])
    assert "has not installed" not in card_text(refused)
