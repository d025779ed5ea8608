"""Broadcast queries on SQLite and PostgreSQL: audience resolution through the database, fan-out
that can be repeated, acknowledgements once, and the export (a use case, as an actor). Sends that
start once across instances are in tests/usecases/test_broadcasts.py."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audience import AudienceDefinition
from domain.broadcasts import Content, Draft, Status
from manage.cli import main as manage_main
from storage import broadcasts, migrate
from storage.db import Base, make_engine, make_session_factory
from storage.models import (
    Agency,
    Announcement,
    AnnouncementAck,
    AnnouncementRecipient,
    ConversationRef,
    Group,
    Person,
)
from storage.models.outbox import OutboxMessage
from storage.people import find_by_code, viewer_for
from usecases.announcement_export import ExportProblem, ExportRequest, export_announcement
from usecases.context import COMMAND_LINE, UnitOfWork

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LONDON = __import__("zoneinfo").ZoneInfo("Europe/London")


@pytest.fixture
def sessions(seeded_engine):
    return make_session_factory(seeded_engine)


async def ids_by_code(sessions, model) -> dict[str, int]:
    async with sessions() as session:
        return dict((await session.execute(select(model.code, model.id))).tuples().all())


async def connect(sessions, code: str, *, kind: str = "personal", active: bool = True) -> None:
    people = await ids_by_code(sessions, Person)
    async with sessions() as session, session.begin():
        session.add(
            ConversationRef(
                conversation_id=f"a:{kind}-{code}",
                conversation_type=kind,
                person_id=people[code],
                service_url="https://smba.example",
                reference={},
                active=active,
            )
        )


async def resolve(sessions, definition: AudienceDefinition):
    async with sessions() as session:
        return await broadcasts.resolve_audience(session, definition)


async def codes_of(sessions, person_ids) -> list[str]:
    async with sessions() as session:
        rows = await session.scalars(select(Person.code).where(Person.id.in_(list(person_ids))))
        return sorted(rows)


async def test_audience_through_the_database(sessions):
    groups = await ids_by_code(sessions, Group)
    agencies = await ids_by_code(sessions, Agency)
    definition = AudienceDefinition(
        group_ids=frozenset({groups["EXEC"], groups["QAP"]}),
        agency_ids=frozenset({agencies["DFRS"]}),
    )
    audience = await resolve(sessions, definition)
    # EXEC: P01-P05; QAP: P03, P05, P07, P11, P14 (P03 and P05 in both); DFRS: P13.
    assert await codes_of(sessions, audience.person_ids) == [
        "P01",
        "P02",
        "P03",
        "P04",
        "P05",
        "P07",
        "P11",
        "P13",
        "P14",
    ]
    assert audience.count == 9


async def test_everyone_leaves_out_guests_and_inactive_people(sessions):
    async with sessions() as session, session.begin():
        await session.execute(update(Person).where(Person.code == "P10").values(is_guest=True))
        await session.execute(update(Person).where(Person.code == "P11").values(active=False))
    audience = await resolve(sessions, AudienceDefinition(everyone=True))
    assert audience.count == 16
    assert (audience.left_out_guests, audience.left_out_inactive) == (1, 1)
    champions = await resolve(sessions, AudienceDefinition(champions=True))
    assert await codes_of(sessions, champions.person_ids) == [
        "P09",
        "P13",
        "P15",
        "P16",
        "P17",
        "P18",
    ]


async def test_reachable_means_an_active_personal_conversation(sessions):
    await connect(sessions, "P09")
    await connect(sessions, "P13", active=False)
    await connect(sessions, "P15", kind="groupChat")
    await connect(sessions, "P16")
    await connect(sessions, "P16", kind="channel")
    audience = await resolve(sessions, AudienceDefinition(champions=True))
    assert await codes_of(sessions, audience.reachable_ids) == ["P09", "P16"]
    assert audience.count == 6


async def make_announcement(sessions, definition: AudienceDefinition, **values) -> int:
    people = await ids_by_code(sessions, Person)
    async with sessions() as session, session.begin():
        announcement = await broadcasts.insert_announcement(
            session,
            Draft(Content("Title", "Body"), definition),
            status=Status.DRAFT,
            author_id=people["P05"],
            author_user_id="29:P05",
            now=NOW,
        )
        for name, value in values.items():
            setattr(announcement, name, value)
        return announcement.id


async def stored(session: AsyncSession, announcement_id: int) -> Announcement:
    announcement = await broadcasts.get(session, announcement_id)
    assert announcement is not None
    return announcement


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_fan_out_repeated_after_a_crash_adds_only_what_is_missing(sessions):
    announcement_id = await make_announcement(sessions, AudienceDefinition(everyone=True))
    async with sessions() as session, session.begin():
        audience = await broadcasts.resolve_audience(session, AudienceDefinition(everyone=True))
        assert await broadcasts.queue_first_send(session, announcement_id, audience, NOW) == 18
    async with sessions() as session, session.begin():
        assert await broadcasts.queue_first_send(session, announcement_id, audience, NOW) == 0
    assert await count(sessions, OutboxMessage) == 18
    assert await count(sessions, AnnouncementRecipient) == 18


async def test_acknowledged_once_even_when_clicked_together(sessions):
    announcement_id = await make_announcement(sessions, AudienceDefinition(everyone=True))
    person_id = (await ids_by_code(sessions, Person))["P09"]

    async def click(at: datetime) -> datetime:
        async with sessions() as session, session.begin():
            return await broadcasts.acknowledge(session, announcement_id, person_id, at)

    times = await asyncio.gather(*(click(NOW + timedelta(seconds=i)) for i in range(3)))
    assert len(set(times)) == 1
    assert await count(sessions, AnnouncementAck) == 1
    later = await click(NOW + timedelta(hours=1))
    assert later == times[0]


async def sent_announcement(sessions) -> int:
    """Six champions: two sent (one acknowledged), one failed, one unreachable, two waiting."""
    definition = AudienceDefinition(champions=True)
    announcement_id = await make_announcement(sessions, definition)
    people = await ids_by_code(sessions, Person)
    outcomes = {
        "P09": ("sent", None),
        "P13": ("sent", None),
        "P15": ("failed", "http_400"),
        "P16": ("unreachable", "not_installed"),
    }
    async with sessions() as session, session.begin():
        audience = await broadcasts.resolve_audience(session, definition)
        await broadcasts.queue_first_send(session, announcement_id, audience, NOW)
        for code, (status, error) in outcomes.items():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.person_id == people[code])
                .values(
                    status=status,
                    last_error=error,
                    sent_at=NOW + timedelta(minutes=1) if status == "sent" else None,
                )
            )
        await broadcasts.acknowledge(
            session, announcement_id, people["P09"], NOW + timedelta(minutes=5)
        )
    async with sessions() as session, session.begin():
        await session.execute(
            update(Person)
            .where(Person.code == "P18")
            .values(name='=HYPERLINK("http://evil.example")')
        )
    return announcement_id


async def export(sessions, announcement_id: int, out: Path) -> int:
    request = ExportRequest(announcement_id, out)
    return await export_announcement(COMMAND_LINE, request, UnitOfWork(sessions), zone=LONDON)


async def test_report_counts_and_export_as_csv(sessions, tmp_path: Path):
    announcement_id = await sent_announcement(sessions)
    async with sessions() as session:
        announcement = await stored(session, announcement_id)
        counts = await broadcasts.report_counts(session, announcement)
    assert (counts.recipients, counts.sent, counts.failed, counts.unreachable) == (6, 2, 1, 1)
    assert (counts.pending, counts.acknowledged) == (2, 1)

    out = tmp_path / "report.csv"
    assert await export(sessions, announcement_id, out) == 6
    with out.open(encoding="utf-8-sig") as handle:
        lines = {row["email"]: row for row in csv.DictReader(handle)}
    bethany = lines["bethany.olufemi@riverside.example"]
    assert (bethany["status"], bethany["sent"], bethany["acknowledged"]) == (
        "sent",
        "24/11/2026 09:01",
        "24/11/2026 09:05",
    )
    assert lines["kofi.asante@riverside.example"]["status"] == "failed"
    assert lines["kofi.asante@riverside.example"]["error"] == "http_400"
    assert lines["laura.penhallow@riverside.example"]["status"] == "not reachable"
    assert lines["megan.torres@riverside.example"]["status"] == "waiting to send"
    assert lines["megan.torres@riverside.example"]["name"].startswith("'=")


async def test_export_as_xlsx_with_a_summary(sessions, tmp_path: Path):
    announcement_id = await sent_announcement(sessions)
    out = tmp_path / "report.xlsx"
    await export(sessions, announcement_id, out)
    workbook = load_workbook(out, read_only=True)
    recipients = list(workbook["Recipients"].iter_rows(values_only=True))
    summary = {name: value for name, value in workbook["Summary"].iter_rows(values_only=True)}
    workbook.close()
    assert recipients[0] == (
        "name",
        "email",
        "agency",
        "status",
        "sent",
        "acknowledged",
        "send",
        "error",
    )
    assert len(recipients) == 7
    assert summary["recipients"] == 6 and summary["acknowledged"] == 1
    assert summary["failed"] == 1 and summary["not reachable"] == 1


async def test_export_refuses_unknown_announcements_and_file_types(sessions, tmp_path: Path):
    with pytest.raises(ExportProblem, match="no announcement"):
        await export(sessions, 999, tmp_path / "x.csv")
    announcement_id = await sent_announcement(sessions)
    with pytest.raises(ExportProblem, match=r"\.csv or \.xlsx"):
        await export(sessions, announcement_id, tmp_path / "x.pdf")


async def test_export_is_the_business_teams(sessions, tmp_path: Path):
    announcement_id = await sent_announcement(sessions)
    async with sessions() as session:
        bethany, joanna = await find_by_code(session, "P09"), await find_by_code(session, "P05")
        assert bethany is not None and joanna is not None
        member, admin = await viewer_for(session, bethany), await viewer_for(session, joanna)
    out = tmp_path / "report.csv"
    with pytest.raises(ExportProblem, match="only the business team"):
        await export_announcement(
            member, ExportRequest(announcement_id, out), UnitOfWork(sessions), zone=LONDON
        )
    assert not out.exists()
    written = await export_announcement(
        admin, ExportRequest(announcement_id, out), UnitOfWork(sessions), zone=LONDON
    )
    assert written == 6


def test_export_command(tmp_path: Path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> int:
        engine = make_engine(url)
        await migrate.upgrade(engine)
        from manage.seed import seed_demo

        factory = make_session_factory(engine)
        await seed_demo(factory)
        announcement_id = await sent_announcement(factory)
        await engine.dispose()
        return announcement_id

    announcement_id = asyncio.run(prepare())
    monkeypatch.setenv("DATABASE_URL", url)
    out = tmp_path / "out.xlsx"
    assert manage_main(["export-announcement", str(announcement_id), str(out)]) == 0
    assert "wrote 6 recipient(s)" in capsys.readouterr().out
    assert out.exists()
    assert manage_main(["export-announcement", "12345", str(tmp_path / "none.csv")]) == 1
    assert "no announcement 12345" in capsys.readouterr().err
    by_member = ["--by", "bethany.olufemi@riverside.example"]
    refused = tmp_path / "refused.csv"
    assert manage_main(["export-announcement", str(announcement_id), str(refused), *by_member]) == 1
    assert "only the business team" in capsys.readouterr().err
    assert not refused.exists()
    by_admin = ["--by", "joanna.fairclough@riverside.example"]
    assert manage_main(["export-announcement", str(announcement_id), str(out), *by_admin]) == 0
    assert "wrote 6 recipient(s)" in capsys.readouterr().out
    by_stranger = ["--by", "nobody@riverside.example"]
    assert manage_main(["export-announcement", str(announcement_id), str(out), *by_stranger]) == 1
    assert "not on the roster" in capsys.readouterr().err


async def test_migration_creates_the_broadcast_tables_as_modelled(tmp_path: Path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}")
    await migrate.upgrade(engine)

    def differences(connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, Base.metadata) if "announcement" in repr(d)]

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    await engine.dispose()
    assert Announcement.__tablename__ in Base.metadata.tables
