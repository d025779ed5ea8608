"""Alembic, driven from code: upgrade to head, read the current revision, stamp a fresh schema.

The migration scripts live in `storage/migrations`. Every entry point (the `manage` command,
`/readyz`, tests) goes through these functions with a connection it already has.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no Alembic revisions found")
    return head


def current_revision_sync(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def stamp_sync(connection: Connection, revision: str) -> None:
    context = MigrationContext.configure(connection)
    context.stamp(ScriptDirectory.from_config(alembic_config()), revision)


# Any fixed number: instances starting together queue on it instead of migrating at once.
MIGRATION_LOCK_ID = 7_316_001


def _upgrade_sync(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
    command.upgrade(alembic_config(connection), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_sync, revision)


def _downgrade_sync(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
    command.downgrade(alembic_config(connection), revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Undo migrations down to `revision` ("base" for an empty database); tests and rollbacks."""
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_sync, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(current_revision_sync)


async def is_current(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision()
