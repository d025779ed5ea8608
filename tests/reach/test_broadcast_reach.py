"""A broadcast to people none of whom have the bot, with installs on: the draft counts who is
installed first and who cannot be reached and why; the send reaches everyone who can be reached;
the report counts each reason; "resend to failed" asks for the refused installs again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cards.data.broadcasts import AnnouncementRef, BroadcastSaveData
from config import GraphSettings, ReminderSettings, Settings
from delivery.adapter import build_adapter
from delivery.connector_transport import ConnectorTransport
from delivery.dispatcher import build_dispatcher
from delivery.doorbell import Doorbell
from domain.broadcasts import ReportCounts, SendingHours
from domain.permissions import Viewer
from domain.reach import Reach
from manage.seed import demo_data
from storage.db import make_session_factory
from storage.models import Group, Membership, Person
from storage.people import find_by_code, viewer_for
from tests.reach.support import installer_for, later
from tests.support.fake_graph import FakeGraph, FakeUser
from usecases import broadcasts as usecases
from usecases.context import COMMAND_LINE, JOBS, UnitOfWork
from usecases.reach import link_entra

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
DOMAINS = ("riverside.example",)


@pytest.fixture
async def transport() -> AsyncIterator[ConnectorTransport]:
    transport = ConnectorTransport()
    yield transport
    await transport.close()


@pytest.fixture
def work(seeded_engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(seeded_engine))


async def ncn_members(work: UnitOfWork) -> list[Person]:
    async with work.read() as session:
        group = await session.scalar(select(Group).where(Group.code == "NCN"))
        assert group is not None
        people = await session.scalars(select(Person).order_by(Person.code))
        members = set(
            await session.scalars(
                select(Membership.person_id).where(Membership.group_id == group.id)
            )
        )
        return [p for p in people if p.id in members and p.active and not p.is_guest]


async def report_of(admin: Viewer, ref: AnnouncementRef, work: UnitOfWork) -> ReportCounts:
    shown = await usecases.open_announcement(admin, ref, work, now=NOW)
    assert isinstance(shown, usecases.Shown) and shown.overview.counts is not None
    return shown.overview.counts


async def admin_of(work: UnitOfWork) -> Viewer:
    async with work.read() as session:
        person = await find_by_code(session, "P05")
        assert person is not None
        return await viewer_for(session, person)


async def test_everyone_who_can_be_reached_is_and_each_reason_is_counted(
    work, graph: FakeGraph, graph_client, connector, transport, clock
):
    clock.now = NOW
    members = await ncn_members(work)
    assert len(members) >= 4
    blocked, missing = members[0], members[1]
    for n, person in enumerate(p for p in members if p is not missing):
        graph.add_user(FakeUser(f"e-{n}", person.email, blocked=person is blocked))
    for person in demo_data()["people"]:
        if person["email"] not in {m.email for m in members}:
            graph.add_user(FakeUser(f"x-{person['id']}", person["email"]))
    await link_entra(COMMAND_LINE, work, graph_client, now=NOW)

    admin = await admin_of(work)
    async with work.read() as session:
        group = await session.scalar(select(Group.id).where(Group.code == "NCN"))
    form = BroadcastSaveData(title="Places open", body="Book early.", groups=str(group))
    shown = await usecases.save_draft(
        admin, form, work, now=NOW, author_user_id="29:P05", allowed_email_domains=DOMAINS
    )
    assert isinstance(shown, usecases.Shown)
    reach = shown.overview.reach
    assert reach is not None
    # Before anything is tried: everyone linked is installed first; the one missing from Entra
    # cannot be reached.
    assert (reach.now, reach.install_first, reach.cannot) == (
        0,
        len(members) - 1,
        ((Reach.NOT_LINKED, 1),),
    )
    ref = AnnouncementRef(announcement_id=shown.overview.copy.id)
    await usecases.send_now(
        admin,
        ref,
        work,
        now=NOW,
        hours=SendingHours(),
        doorbell=Doorbell(),
        report_card=usecases.ReportCardPlace(),
    )

    settings = Settings(
        reminders=replace(ReminderSettings(), per_tenant_per_second=1000.0),
        graph=GraphSettings(proactive_install=True),
    )
    dispatcher = build_dispatcher(
        settings=settings,
        sessions=work.sessions,
        adapter=build_adapter(Settings(), transport),
        clock=clock,
    )
    installer = installer_for(work.sessions, graph_client, connector, transport, clock)
    assert (await dispatcher.drain())["installing"] == len(members)
    report = await report_of(admin, ref, work)
    assert (report.pending, report.installing) == (len(members), len(members))

    await installer.drain()
    await dispatcher.drain()

    report = await report_of(admin, ref, work)
    assert report.sent == len(members) - 2
    assert report.failed == 2
    assert report.reasons == (("install_blocked", 1), ("not_linked", 1))
    assert len(connector.sent) == len(members) - 2

    # The policy is fixed; the resend installs for the blocked person again.
    graph.users["e-0"].blocked = False
    await usecases.finish_sends(JOBS, work, now=NOW)
    resent = await usecases.resend_failed(admin, ref, work, now=NOW, doorbell=Doorbell())
    assert isinstance(resent, usecases.Shown) and resent.count == 2
    await dispatcher.drain()
    await installer.drain()
    later(clock, 1)
    await dispatcher.drain()
    report = await report_of(admin, ref, work)
    assert (report.sent, report.reasons) == (len(members) - 1, (("not_linked", 1),))
