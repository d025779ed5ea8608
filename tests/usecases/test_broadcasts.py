"""Announcements' use cases on SQLite and PostgreSQL, called as the doors call them: who may ask
(checked in the use case), the one place an announcement moves from state to state (and what each
state refuses), a scheduled send that starts once when instances race, the jobs named in the
audit, and "Got it" for recipients only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from cards.data.broadcasts import (
    AnnouncementRef,
    BroadcastDeleteData,
    BroadcastSaveData,
    BroadcastScheduleData,
)
from delivery.doorbell import Doorbell
from domain.audience import AudienceOptions, describe
from domain.broadcasts import MOVES, SendingHours, Status
from domain.permissions import Viewer
from storage.db import make_session_factory
from storage.models import (
    Agency,
    Announcement,
    AnnouncementAck,
    AnnouncementRecipient,
    AuditEntry,
    Group,
)
from storage.models.outbox import OutboxMessage
from storage.people import find_by_code, viewer_for
from usecases import broadcasts as usecases
from usecases.context import JOBS, UnitOfWork

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, in sending hours
HOURS = SendingHours()
DOMAINS = ("riverside.example",)


@pytest.fixture
def work(seeded_engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(seeded_engine))


async def viewer(work: UnitOfWork, code: str) -> Viewer:
    async with work.read() as session:
        person = await find_by_code(session, code)
        assert person is not None
        return await viewer_for(session, person)


async def group_id(work: UnitOfWork, code: str) -> int:
    async with work.read() as session:
        found = await session.scalar(select(Group.id).where(Group.code == code))
        assert found is not None
        return found


async def count(work: UnitOfWork, model: Any) -> int:
    async with work.read() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def status_of(work: UnitOfWork, announcement_id: int) -> str:
    async with work.read() as session:
        announcement = await session.get(Announcement, announcement_id)
        assert announcement is not None
        return announcement.status


async def draft(work: UnitOfWork, admin: Viewer, group: str = "NCN") -> int:
    form = BroadcastSaveData(
        title="Places open", body="Book early.", groups=str(await group_id(work, group))
    )
    shown = await usecases.save_draft(
        admin, form, work, now=NOW, author_user_id="29:P05", allowed_email_domains=DOMAINS
    )
    assert isinstance(shown, usecases.Shown), shown
    return shown.overview.copy.id


async def send(work: UnitOfWork, admin: Viewer, announcement_id: int) -> usecases.Shown:
    shown = await usecases.send_now(
        admin,
        AnnouncementRef(announcement_id=announcement_id),
        work,
        now=NOW,
        hours=HOURS,
        doorbell=Doorbell(),
        report_card=usecases.ReportCardPlace(),
    )
    assert isinstance(shown, usecases.Shown), shown
    return shown


async def test_every_business_team_verb_refuses_a_member_in_the_use_case(work):
    admin, member = await viewer(work, "P05"), await viewer(work, "P09")
    announcement_id = await draft(work, admin)
    ref = AnnouncementRef(announcement_id=announcement_id)
    doorbell, place = Doorbell(), usecases.ReportCardPlace()
    asked = [
        usecases.compose_options(member, work),
        usecases.list_recent(member, work),
        usecases.open_announcement(member, ref, work, now=NOW),
        usecases.edit_form(member, ref, work, now=NOW),
        usecases.save_draft(
            member,
            BroadcastSaveData(announcement_id=announcement_id, title="Hijacked", body="x"),
            work,
            now=NOW,
            author_user_id="",
            allowed_email_domains=DOMAINS,
        ),
        usecases.preview(member, ref, work, now=NOW),
        usecases.duplicate(member, ref, work, now=NOW, author_user_id=""),
        usecases.delete_draft(
            member,
            BroadcastDeleteData(announcement_id=announcement_id, confirmed=True),
            work,
            now=NOW,
        ),
        usecases.send_now(
            member, ref, work, now=NOW, hours=HOURS, doorbell=doorbell, report_card=place
        ),
        usecases.schedule(
            member,
            BroadcastScheduleData(
                announcement_id=announcement_id, send_date="2026-11-25", send_time="10:00"
            ),
            work,
            now=NOW,
            hours=HOURS,
            report_card=place,
        ),
        usecases.cancel(member, ref, work, now=NOW),
        usecases.resend_failed(member, ref, work, now=NOW, doorbell=doorbell),
    ]
    for outcome in [await call for call in asked]:
        assert outcome is usecases.REFUSED
    assert await status_of(work, announcement_id) == Status.DRAFT
    assert await count(work, Announcement) == 1
    assert await count(work, OutboxMessage) == 0
    with pytest.raises(PermissionError):
        await usecases.finish_sends(member, work, now=NOW)


async def test_a_system_actor_cannot_author_a_draft(work):
    form = BroadcastSaveData(title="Places open", body="Book early.", everyone=True)
    outcome = await usecases.save_draft(
        JOBS, form, work, now=NOW, author_user_id="", allowed_email_domains=DOMAINS
    )
    assert outcome is usecases.REFUSED


async def test_each_state_refuses_what_it_does_not_allow(work):
    admin = await viewer(work, "P05")
    announcement_id = await draft(work, admin)
    ref = AnnouncementRef(announcement_id=announcement_id)
    await send(work, admin, announcement_id)

    edited = await usecases.edit_form(admin, ref, work, now=NOW)
    again = await usecases.send_now(
        admin,
        ref,
        work,
        now=NOW,
        hours=HOURS,
        doorbell=Doorbell(),
        report_card=usecases.ReportCardPlace(),
    )
    deleted = await usecases.delete_draft(
        admin, BroadcastDeleteData(announcement_id=announcement_id, confirmed=True), work, now=NOW
    )
    resent = await usecases.resend_failed(admin, ref, work, now=NOW, doorbell=Doorbell())

    assert isinstance(edited, usecases.Shown) and edited.event == usecases.Event.NOT_EDITABLE_SENT
    assert isinstance(again, usecases.Shown) and again.event == usecases.Event.ALREADY_SENT
    assert isinstance(deleted, usecases.Shown)
    assert deleted.event == usecases.Event.NOT_DELETABLE
    assert isinstance(resent, usecases.Shown) and resent.event == usecases.Event.NOT_FINISHED
    assert await status_of(work, announcement_id) == Status.SENDING
    assert await count(work, OutboxMessage) == 6


async def test_a_move_the_life_does_not_allow_is_never_written(work):
    """The guard behind every use case: a cancelled send cannot be started again."""
    admin = await viewer(work, "P05")
    announcement_id = await draft(work, admin)
    async with work.write() as session:
        await session.execute(
            update(Announcement)
            .where(Announcement.id == announcement_id)
            .values(status=Status.CANCELLED)
        )
    assert Status.SENDING not in MOVES[Status.CANCELLED]
    async with work.write() as session:
        announcement = await session.get(Announcement, announcement_id)
        assert announcement is not None
        with pytest.raises(usecases.IllegalMove):
            usecases._move(
                session, admin, announcement, Status.SENDING, now=NOW, event="x", changes={}
            )


async def scheduled(work: UnitOfWork, admin: Viewer, group: str = "EXEC") -> int:
    announcement_id = await draft(work, admin, group)
    async with work.write() as session:
        await session.execute(
            update(Announcement)
            .where(Announcement.id == announcement_id)
            .values(status=Status.SCHEDULED, scheduled_for=NOW - timedelta(minutes=1))
        )
    return announcement_id


async def test_a_scheduled_send_starts_once_when_instances_race(work):
    announcement_id = await scheduled(work, await viewer(work, "P05"))

    async def start() -> int | None:
        return await usecases.start_scheduled_send(
            JOBS, announcement_id, work, now=NOW, doorbell=Doorbell()
        )

    results = await asyncio.gather(*(start() for _ in range(4)))
    assert sorted(results, key=str) == [5, None, None, None]
    assert await count(work, OutboxMessage) == 5
    assert await count(work, AnnouncementRecipient) == 5


async def test_the_jobs_start_finish_and_are_named_in_the_audit(work):
    announcement_id = await scheduled(work, await viewer(work, "P05"))
    assert await usecases.start_due_sends(JOBS, work, now=NOW, doorbell=Doorbell()) == 1
    async with work.write() as session:
        await session.execute(update(OutboxMessage).values(status="sent", sent_at=NOW))
    assert await usecases.finish_sends(JOBS, work, now=NOW) == 1
    assert await status_of(work, announcement_id) == Status.SENT
    async with work.read() as session:
        rows = await session.execute(
            select(AuditEntry.event, AuditEntry.actor, AuditEntry.person_id)
            .where(AuditEntry.entity_id == str(announcement_id))
            .where(AuditEntry.event.in_(["send_started", "send_finished"]))
        )
        actors = set(rows.tuples().all())
    assert actors == {("send_started", "system:jobs", None), ("send_finished", "system:jobs", None)}


async def test_got_it_is_only_for_a_recipient_of_one_that_went_out(work):
    admin, bethany = await viewer(work, "P05"), await viewer(work, "P09")
    owen = await viewer(work, "P02")
    announcement_id = await draft(work, admin)
    ref = AnnouncementRef(announcement_id=announcement_id)

    # A draft: nobody's, not even its author's or a member of its audience.
    for person in (admin, bethany):
        assert await usecases.acknowledge(person, ref, work, now=NOW) is usecases.NOT_FOUND
    await send(work, admin, announcement_id)
    # Sent, to the champions: Owen (P02) is not one of them.
    assert await usecases.acknowledge(owen, ref, work, now=NOW) is usecases.NOT_FOUND
    acknowledged = await usecases.acknowledge(bethany, ref, work, now=NOW)
    assert isinstance(acknowledged, usecases.Acknowledged)
    assert acknowledged.copy.content.title == "Places open"
    assert acknowledged.first_at == NOW
    assert await count(work, AnnouncementAck) == 1


async def test_a_retired_group_or_agency_is_no_audience_for_a_new_one_but_keeps_its_name(work):
    admin = await viewer(work, "P05")
    announcement_id = await draft(work, admin, group="NCN")
    await send(work, admin, announcement_id)
    async with work.write() as session:
        network = await session.scalar(select(Group).where(Group.code == "NCN"))
        police = await session.scalar(select(Agency).where(Agency.code == "DP"))
        assert network is not None and police is not None
        network.active = police.active = False
        network_id, network_name, police_id = network.id, network.name, police.id

    options = await usecases.compose_options(admin, work)
    assert isinstance(options, AudienceOptions)
    assert network_id not in {c.id for c in options.groups} and len(options.groups) > 1
    assert police_id not in {c.id for c in options.agencies} and len(options.agencies) > 1
    picked = BroadcastSaveData(title="Again", body="Book early.", groups=str(network_id))
    refused = await usecases.save_draft(
        admin, picked, work, now=NOW, author_user_id="29:P05", allowed_email_domains=DOMAINS
    )
    assert isinstance(refused, usecases.Invalid) and "audience" in refused.errors
    sent = await usecases.open_announcement(
        admin, AnnouncementRef(announcement_id=announcement_id), work, now=NOW
    )
    assert isinstance(sent, usecases.Shown)
    assert describe(sent.overview.audience, sent.overview.names) == network_name
