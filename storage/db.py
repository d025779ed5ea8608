"""The database: declarative base with a naming convention, engine and session factories.

Everything that talks to the database gets an `AsyncEngine` or an `async_sessionmaker` handed to it;
nothing here is a module-level engine. `create_schema(engine)` builds the tables directly (tests and
tools) and stamps the Alembic head so that readiness checks agree with a migrated database.
`insert_ignoring_duplicates` is the one insert both databases need spelled in their own dialect.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, Table, TypeDecorator, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection
from sqlalchemy.engine import Connection, CursorResult, Dialect, Result
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; its metadata is what Alembic compares against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model maps one Table (none maps a join or a select), which the statements built from
    # `Model.__table__` rely on; DeclarativeBase types it as any FromClause.
    __table__: ClassVar[Table]


class UtcDateTime(TypeDecorator[datetime]):
    """An instant stored as UTC and always returned timezone-aware.

    SQLite keeps no offset, so naive values are normalised on the way in and tagged on the way out;
    a naive datetime handed in is a bug and is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UtcDateTime needs a timezone-aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE, DELETE or INSERT changed (the driver's rowcount).

    `AsyncSession.execute` is typed to return a `Result` for every statement; a DML statement's is
    a `CursorResult`, the kind that counts rows.
    """
    assert isinstance(result, CursorResult), type(result)
    return result.rowcount


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(database_url: str, **options: Any) -> AsyncEngine:
    """An engine for the URL; SQLite gets foreign keys and a busy timeout for concurrent writers."""
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[-1].split("?", 1)[0]
        if ":memory:" in database_url or not path:
            options.setdefault("poolclass", StaticPool)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # One connection per engine. SQLite has one writer at a time and every transaction
            # here takes the write lock up front (BEGIN IMMEDIATE below), so concurrent turns
            # queue anyway: in SQLAlchemy's asyncio pool they queue in order and wake at once,
            # where in SQLite's busy handler they sleep and retry (bench/turn_latency.py: p99 at
            # 16 concurrent turns fell from about 3 s to below the echo bot's).
            options.setdefault("pool_size", 1)
            options.setdefault("max_overflow", 0)
        options.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(database_url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", 10)
    return create_async_engine(database_url, **options)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN; take it over so that BEGIN IMMEDIATE
    # below makes every write transaction take the write lock up front (no upgrade deadlocks).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    driver = connection.connection.dbapi_connection
    if not isinstance(driver, AsyncAdapt_aiosqlite_connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    # Straight to aiosqlite: one trip to its thread, where a statement through SQLAlchemy's cursor
    # takes three (open a cursor, execute, close it), and every transaction begins here.
    try:
        driver.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        raise OperationalError("BEGIN IMMEDIATE", None, error) from error


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def insert_ignoring_duplicates(
    session: AsyncSession,
    model: type,
    rows: list[dict[str, Any]],
    keys: list[str],
    batch: int = 1000,
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, in batches, on PostgreSQL and SQLite alike."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # On the table, not the ORM class: compiled once and sent in batches ("insertmanyvalues");
    # an ORM insert with `.values(rows)` compiled a bind parameter per value.
    statement = insert(model.__table__).on_conflict_do_nothing(index_elements=keys)
    for start in range(0, len(rows), batch):
        await session.execute(statement, rows[start : start + batch])
