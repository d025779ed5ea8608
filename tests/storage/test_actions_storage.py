"""The action register in the database, on SQLite and PostgreSQL: seed, queries, updates, links,
the audit log and the migration."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.permissions import Viewer
from storage import actions
from storage.db import Base, make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Action, ActionLink, ActionUpdate, AuditEntry, Person
from storage.people import viewer_for
from storage.schema import drop_schema

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def viewer_of(engine: AsyncEngine, code: str) -> Viewer:
    async with make_session_factory(engine)() as session:
        person = await session.scalar(select(Person).where(Person.code == code))
        assert person is not None
        return await viewer_for(session, person)


# -- the seeded register --------------------------------------------------------------------------


async def test_demo_register_is_seeded_with_updates_and_links(seeded_engine):
    async with make_session_factory(seeded_engine)() as session:
        register = await actions.list_actions(session)
        assert [a.reference for a in register] == [f"A{n:02d}" for n in range(1, 26)]
        updates = await session.scalar(select(func.count()).select_from(ActionUpdate))
        assert updates == 25
        a05 = await actions.action_detail(session, "A05")
        assert a05 is not None
        assert [(u.dated, u.note) for u in a05.updates] == [
            (date(2026, 11, 12), "212 of 300 trained")
        ]
        a10 = await actions.action_detail(session, "A10")
        assert a10 is not None
        assert a10.summary.facts.revised_due_date == date(2026, 9, 30)
        assert [link.reference for link in a10.linked] == ["A11"]
        a01 = await actions.action_detail(session, "A01")
        assert a01 is not None
        assert a01.impact_evidence == "Education reps attended 6 of 7 subgroups in Q3"
        pairs = await actions.overlap_pairs(session)
    assert [(p.first, p.second, p.state) for p in pairs] == [
        ("A10", "A11", "linked"),
        ("A15", "A16", "linked"),
        ("A23", "A24", "suggested"),
    ]


async def test_open_actions_for_reminders_come_in_one_query(seeded_engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(seeded_engine.sync_engine, "before_cursor_execute", count)
    try:
        async with make_session_factory(seeded_engine)() as session:
            open_actions = await actions.list_open_actions(session)
    finally:
        event.remove(seeded_engine.sync_engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert len(open_actions) == 18
    a07 = next(a for a in open_actions if a.reference == "A07")
    assert (a07.lead_name, a07.lead_email, a07.group_code, a07.chair_name) == (
        "Ruth Okonkwo-Hale",
        "ruth.okonkwo-hale@riverside.example",
        "EXEC",
        "Det Supt Owen Maddox",
    )
    assert a07.facts.last_update == date(2026, 6, 10)
    assert all(a.facts.status in ("not_started", "in_progress") for a in open_actions)


async def test_streamed_open_actions_match_the_list(seeded_engine):
    async with make_session_factory(seeded_engine)() as session:
        batches = [batch async for batch in actions.stream_open_actions(session, batch_size=5)]
        listed = await actions.list_open_actions(session)
    assert [len(b) for b in batches] == [5, 5, 5, 3]
    assert [a for batch in batches for a in batch] == listed


async def test_visible_actions_follow_the_permission_rules(seeded_engine):
    # Viewers first: on SQLite every transaction takes the write lock, so sessions never nest.
    scrutineer_viewer = await viewer_of(seeded_engine, "P04")
    champion_viewer = await viewer_of(seeded_engine, "P17")
    async with make_session_factory(seeded_engine)() as session:
        scrutineer = await actions.actions_visible_to(session, scrutineer_viewer)
        champion = await actions.actions_visible_to(session, champion_viewer)
    assert len(scrutineer) == 25
    # P17 is only in the Neglect Champions Network, which owns A17.
    assert [a.reference for a in champion] == ["A17"]


# -- saving updates -------------------------------------------------------------------------------


async def test_save_action_update_writes_action_update_and_audit_in_one_go(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session, session.begin():
        result = await actions.save_action_update(
            session,
            ruth,
            "a07",
            {"status": "in_progress", "rag": "red", "note": "Protocol drafted", "version": "1"},
            NOW,
        )
    assert result.saved and result.reference == "A07"
    async with sessions() as session:
        action = await session.scalar(select(Action).where(Action.reference == "A07"))
        assert action is not None
        assert (action.lead_rag, action.last_update_on, action.version) == ("red", NOW.date(), 2)
        trail = await actions.audit_trail(session, "A07")
    assert [(a.event, a.field, a.old_value, a.new_value) for a in trail[-2:]] == [
        ("updated", "lead_rag", "amber", "red"),
        ("progress_update", "update_id", None, str(result.update_id)),
    ]
    assert all(a.person_id == ruth.person_id for a in trail[-2:])


@pytest.mark.parametrize(
    ("code", "reference", "form", "outcome"),
    [
        ("P09", "A07", {"note": "x"}, "forbidden"),  # not lead, chair or admin
        ("P04", "A07", {"note": "x"}, "forbidden"),  # the scrutineer
        ("P12", "A99", {"note": "x"}, "not_found"),
        ("P12", "A07", {"note": ""}, "invalid"),
        ("P12", "A07", {"note": "call 07700 900123"}, "needs_confirmation"),
        ("P12", "A07", {"note": "x", "version": "0"}, "conflict"),
    ],
)
async def test_refused_updates_write_nothing(seeded_engine, code, reference, form, outcome):
    viewer = await viewer_of(seeded_engine, code)
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session, session.begin():
        result = await actions.save_action_update(session, viewer, reference, form, NOW)
    assert result.outcome == outcome
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ActionUpdate)) == 25
        assert await session.scalar(select(Action.version).where(Action.reference == "A07")) == 1


async def test_the_date_of_an_update_is_the_london_date(seeded_engine):
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (British Summer Time).
    late = datetime(2027, 5, 31, 23, 30, tzinfo=UTC)
    admin = await viewer_of(seeded_engine, "P05")
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session, session.begin():
        result = await actions.save_action_update(session, admin, "A02", {"note": "ok"}, late)
    assert result.saved
    async with sessions() as session:
        dated = await session.scalar(
            select(ActionUpdate.dated).where(ActionUpdate.id == result.update_id)
        )
    assert dated == date(2027, 6, 1)


# -- overlap links --------------------------------------------------------------------------------


async def test_linking_and_dismissing_are_audited_on_both_actions(seeded_engine):
    admin = await viewer_of(seeded_engine, "P05")
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session, session.begin():
        assert await actions.decide_link(session, admin, "A24", "A23", "linked", NOW) == "linked"
    async with sessions() as session, session.begin():
        assert await actions.decide_link(session, admin, "A02", "A03", "dismissed", NOW) == (
            "dismissed"
        )
    async with sessions() as session:
        a23 = await actions.action_detail(session, "A23")
        assert a23 is not None
        assert [(link.reference, link.state) for link in a23.links] == [("A24", "linked")]
        a02 = await actions.action_detail(session, "A02")
        assert a02 is not None and a02.links == []
        rows = await session.scalars(
            select(AuditEntry).where(
                AuditEntry.event.in_(["overlap_linked", "overlap_dismissed"]),
                AuditEntry.person_id == admin.person_id,
            )
        )
        events = sorted((a.entity_id, a.event, a.old_value, a.new_value) for a in rows)
    assert events == [
        ("A02", "overlap_dismissed", None, "A03 dismissed"),
        ("A03", "overlap_dismissed", None, "A02 dismissed"),
        ("A23", "overlap_linked", "A24 suggested", "A24 linked"),
        ("A24", "overlap_linked", "A23 suggested", "A23 linked"),
    ]


async def test_linking_needs_update_rights_on_the_action(seeded_engine):
    champion = await viewer_of(seeded_engine, "P17")
    async with make_session_factory(seeded_engine)() as session, session.begin():
        outcome = await actions.decide_link(session, champion, "A23", "A24", "linked", NOW)
        assert outcome == "forbidden"
        assert (
            await session.scalar(
                select(func.count()).select_from(ActionLink).where(ActionLink.state == "linked")
            )
            == 2
        )


# -- the migration --------------------------------------------------------------------------------


async def test_migration_0002_builds_the_same_schema_as_the_models(database_url):
    engine = make_engine(database_url)
    try:
        if database_url.startswith("postgresql"):
            await drop_schema(engine)
        await upgrade(engine)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
            version = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()
    action_differences = [d for d in differences if "action" in repr(d)]
    assert action_differences == []
    assert version is not None and version >= "0002"
