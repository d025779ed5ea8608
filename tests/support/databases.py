"""Test databases from templates: the schema (and the demo seed) are built once per session and
copied for each test, rather than created and seeded again for every one.

SQLite: the template is a file, copied over the test's database file (about a millisecond).
PostgreSQL: `CREATE DATABASE ... TEMPLATE` measured 1.8 s a copy (and a drop up to 50 s) on the
shared machine, slower than rebuilding, so the test database is reset in place instead: a snapshot
of the seeded tables is kept in a schema of its own, and each test empties the tables and copies
the snapshot back, in one transaction. Should a test have changed the tables themselves (the
migration tests drop and rebuild them), the schema no longer matches the one the session built and
it is rebuilt from the models first.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from manage.seed import seed_demo
from storage.db import Base, make_engine, make_session_factory
from storage.migrate import head_revision
from storage.schema import create_schema, drop_schema

SNAPSHOT_SCHEMA = "test_seed_snapshot"
# What the reset compares to know the tables are the ones `create_schema` built.
_SHAPE = text(
    "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' "
    "ORDER BY table_name, column_name) FROM information_schema.columns "
    "WHERE table_schema = 'public'"
)


def sqlite_path(url: str) -> Path:
    return Path(url.split(":///", 1)[1].split("?", 1)[0])


@dataclass
class Templates:
    """The session's templates; `blank` makes a database hold the schema, `seeded` the demo seed."""

    directory: Path
    _built: set[str] = field(default_factory=set)
    _postgres_shape: str | None = None
    _sequences: list[tuple[str, str, str]] = field(default_factory=list)

    async def blank(self, url: str) -> AsyncEngine:
        """An engine on `url`, whose database now holds the empty schema and nothing else."""
        return await self._copy(url, seeded=False)

    async def seeded(self, url: str) -> AsyncEngine:
        """An engine on `url`, whose database now holds the schema and the demo partnership."""
        return await self._copy(url, seeded=True)

    async def prepare_seeded(self, url: str) -> None:
        """As `seeded`, for a database the test opens itself (the app, the command line)."""
        await (await self.seeded(url)).dispose()

    async def _copy(self, url: str, *, seeded: bool) -> AsyncEngine:
        if url.startswith("postgresql"):
            engine = make_engine(url)
            await self._reset_postgres(engine, seeded=seeded)
            return engine
        template = await self._sqlite_template(seeded=seeded)
        target = sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (target.with_name(target.name + s) for s in ("-wal", "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return make_engine(url)

    # -- SQLite -----------------------------------------------------------------------------------

    async def _sqlite_template(self, *, seeded: bool) -> Path:
        path = self.directory / ("seeded.db" if seeded else "blank.db")
        if path.name not in self._built:
            engine = make_engine(f"sqlite+aiosqlite:///{path}")
            await create_schema(engine)
            if seeded:
                await seed_demo(make_session_factory(engine))
            await engine.dispose()
            # Everything into the main file, so that the file alone is the whole database.
            with contextlib.closing(sqlite3.connect(path)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._built.add(path.name)
        return path

    # -- PostgreSQL -------------------------------------------------------------------------------

    async def _reset_postgres(self, engine: AsyncEngine, *, seeded: bool) -> None:
        if self._postgres_shape is None:
            await self._build_postgres_snapshot(engine)
        async with engine.begin() as connection:
            shape_now = await connection.scalar(_SHAPE)
        if shape_now != self._postgres_shape:
            await drop_schema(engine)
            await create_schema(engine)
            self._sequences = await _sequences(engine)
        async with engine.begin() as connection:
            # One round trip: empty, copy the snapshot back, restart the numbering.
            await connection.exec_driver_sql(_reset_script(self._sequences, seeded=seeded))

    async def _build_postgres_snapshot(self, engine: AsyncEngine) -> None:
        await drop_schema(engine)
        await create_schema(engine)
        await seed_demo(make_session_factory(engine))
        async with engine.begin() as connection:
            await connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE")
            await connection.exec_driver_sql(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}")
            for table in Base.metadata.sorted_tables:
                await connection.exec_driver_sql(
                    f'CREATE TABLE {SNAPSHOT_SCHEMA}."{table.name}" AS SELECT * FROM "{table.name}"'
                )
            self._postgres_shape = await connection.scalar(_SHAPE)
        self._sequences = await _sequences(engine)


async def _sequences(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    """(table, column, sequence) for every column numbered by a sequence."""
    found: list[tuple[str, str, str]] = []
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.primary_key.columns:
                sequence = await connection.scalar(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": f'"{table.name}"', "column": column.name},
                )
                if sequence is not None:
                    found.append((table.name, column.name, sequence))
    return found


def _reset_script(sequences: list[tuple[str, str, str]], *, seeded: bool) -> str:
    # DELETE rather than TRUNCATE: for tables of a few rows it is much the cheaper (TRUNCATE makes
    # new files for each table). Children first, so that no foreign key is in the way.
    tables = Base.metadata.sorted_tables
    statements = [f'DELETE FROM "{table.name}"' for table in reversed(tables)]
    if seeded:
        for table in tables:
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            statements.append(
                f'INSERT INTO "{table.name}" ({columns}) '
                f'SELECT {columns} FROM {SNAPSHOT_SCHEMA}."{table.name}"'
            )
    # Numbering carries on after the highest id, or starts at 1, as in a freshly built table.
    restarts = [
        f'setval(\'{sequence}\', COALESCE((SELECT MAX("{column}") FROM "{table}"), 1), '
        f'(SELECT MAX("{column}") FROM "{table}") IS NOT NULL)'
        for table, column, sequence in sequences
    ]
    if restarts:
        statements.append("SELECT " + ", ".join(restarts))
    # Stamped at the head again, as `create_schema` leaves it (a migration test may have moved it).
    statements.append("DELETE FROM alembic_version")
    statements.append(f"INSERT INTO alembic_version (version_num) VALUES ('{head_revision()}')")
    return ";\n".join(statements)
