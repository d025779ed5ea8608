"""Alembic migrations build exactly the models' schema from an empty database, on SQLite and on
PostgreSQL, and go back down again; the revision chain stays linear."""

import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import Connection, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.models  # noqa: F401  (every table on Base.metadata)
from storage import migrate
from storage.db import Base, make_engine

REPO = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def _schema_differences(connection: Connection) -> list:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"},
    )
    return compare_metadata(context, Base.metadata)


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _admin_conninfo(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_engine(request, tmp_path) -> AsyncIterator[AsyncEngine]:
    """An engine on a database with no tables at all: a new SQLite file or a new PG database."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}")
        yield engine
        await engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests skipped")
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    server = _admin_conninfo(POSTGRES_URL, make_url(POSTGRES_URL).database or "postgres")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        await engine.dispose()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


async def test_upgrade_from_empty_builds_exactly_the_models_schema(empty_engine):
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_table_names) == set()

    await migrate.upgrade(empty_engine)

    assert await migrate.current_revision(empty_engine) == migrate.head_revision()
    assert await migrate.is_current(empty_engine)
    async with empty_engine.connect() as connection:
        differences = await connection.run_sync(_schema_differences)
        tables = await connection.run_sync(_table_names)
    assert differences == [], "migrations and models disagree; write a migration"
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


async def test_upgrading_twice_changes_nothing(empty_engine):
    await migrate.upgrade(empty_engine)
    await migrate.upgrade(empty_engine)
    assert await migrate.is_current(empty_engine)


async def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds(empty_engine):
    await migrate.upgrade(empty_engine)
    await migrate.downgrade(empty_engine, "base")

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_table_names) <= {"alembic_version"}
    assert await migrate.current_revision(empty_engine) is None

    await migrate.upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_schema_differences) == []


def test_the_revision_chain_is_linear_with_numbered_ids():
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(scripts.get_heads()) == 1, "two migrations claim the same parent; renumber one"
    revisions = list(scripts.walk_revisions("base", "heads"))
    for script in revisions:
        assert re.fullmatch(r"\d{4}", script.revision), script.path
        assert Path(script.path).name.startswith(script.revision + "_")
        # Ids are fixed per feature (docs/developing.md) and features land in any order, so
        # there may be gaps; but each revision comes after the one it revises.
        down = script.down_revision
        if down is not None:
            assert isinstance(down, str), script.path  # one line of migrations, no merges
            assert int(script.revision) > int(down), script.path


def test_manage_upgrade_migrates_a_new_sqlite_file(tmp_path):
    database = tmp_path / "nested" / "bot.db"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO),
        "PYTHON_DOTENV_DISABLED": "1",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "manage", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"database is at migration {migrate.head_revision()}" in result.stdout
    assert database.exists()


def _columns(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns(table)}


async def test_0012_keeps_every_agency_and_group_in_use_and_downgrades(empty_engine):
    await migrate.upgrade(empty_engine, "0011")
    async with empty_engine.begin() as connection:
        await connection.exec_driver_sql(
            "INSERT INTO agencies (code, name, kind, statutory_partner) "
            "VALUES ('POL', 'Police', '', false)"
        )
        await connection.exec_driver_sql(
            "INSERT INTO groups (code, name, cadence, joint, aliases) "
            "VALUES ('EXEC', 'Executive', '', false, '')"
        )

    await migrate.upgrade(empty_engine, "0012")
    async with empty_engine.connect() as connection:
        agencies = (await connection.exec_driver_sql("SELECT code, active FROM agencies")).all()
        groups = (await connection.exec_driver_sql("SELECT code, active FROM groups")).all()
    assert [(code, bool(active)) for code, active in agencies] == [("POL", True)]
    assert [(code, bool(active)) for code, active in groups] == [("EXEC", True)]

    await migrate.downgrade(empty_engine, "0011")
    async with empty_engine.connect() as connection:
        assert "active" not in await connection.run_sync(_columns, "agencies")
        assert "active" not in await connection.run_sync(_columns, "groups")
        names = await connection.exec_driver_sql("SELECT name FROM groups")
        assert names.scalars().all() == ["Executive"]
