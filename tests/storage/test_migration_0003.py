"""Migration 0003 builds the meetings and training tables exactly as the models describe them,
on SQLite and PostgreSQL, and can be undone."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, Table, inspect

import storage.models  # noqa: F401  (every model on Base.metadata)
from storage import migrate
from storage.db import Base, make_engine
from storage.schema import drop_schema

TABLES = {"meeting_series", "meetings", "courses", "course_sessions", "bookings", "enrolments"}


def _table_of(difference) -> str:
    """The table a difference reported by Alembic's comparison is about."""
    if isinstance(difference, list):  # modify_* differences come wrapped in a list
        difference = difference[0]
    for part in difference[1:]:
        if isinstance(part, Table):
            return part.name
        if isinstance(part, Column) or hasattr(part, "table"):
            return part.table.name
    # ("remove_column", schema, table_name, column) and friends name the table as a string
    strings = [p for p in difference[1:] if isinstance(p, str)]
    return strings[0] if strings else ""


def _differences(connection: Connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [d for d in compare_metadata(context, Base.metadata) if _table_of(d) in TABLES]


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _downgrade_to_foundation(connection: Connection) -> None:
    command.downgrade(migrate.alembic_config(connection), "0001")


async def test_migrated_schema_matches_the_models_and_downgrades(database_url):
    engine = make_engine(database_url)
    if database_url.startswith("postgresql"):
        await drop_schema(engine)
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) >= TABLES
        assert await connection.run_sync(_differences) == []
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_to_foundation)
    async with engine.connect() as connection:
        assert not await connection.run_sync(_tables) & TABLES
    await engine.dispose()
