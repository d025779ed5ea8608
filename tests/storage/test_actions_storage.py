"""The action register in the database, on SQLite and PostgreSQL: seed, queries and the migration.
Saving updates, links and who may do what are the use cases' (tests/usecases/test_actions.py)."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, select

from storage import actions
from storage.db import Base, make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import ActionUpdate, Group, Person
from storage.schema import drop_schema

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


async def test_the_action_an_update_starts_from_is_read_in_one_query(seeded_engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    async with make_session_factory(seeded_engine)() as session:
        detail = await actions.action_detail(session, "A01")
        event.listen(seeded_engine.sync_engine, "before_cursor_execute", count)
        try:
            basis = await actions.action_to_update(session, "a01")
            missing = await actions.action_to_update(session, "A99")
        finally:
            event.remove(seeded_engine.sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
    assert missing is None
    assert basis is not None and detail is not None
    assert (basis.summary, basis.stored(), basis.source_title) == (
        detail.summary,
        detail.stored(),
        detail.source_title,
    )
    assert detail.updates and not basis.updates and basis.update_count == 0


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


async def test_actions_led_by_or_owned_by_narrow_the_register(seeded_engine):
    async with make_session_factory(seeded_engine)() as session:
        p17 = await session.scalar(select(Person.id).where(Person.code == "P17"))
        ncn = await session.scalar(select(Group.id).where(Group.code == "NCN"))
        assert p17 is not None and ncn is not None
        nothing = await actions.actions_led_by_or_owned_by(session, p17, [])
        network = await actions.actions_led_by_or_owned_by(session, p17, [ncn])
    assert nothing == []
    assert [a.reference for a in network] == ["A17"]


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
