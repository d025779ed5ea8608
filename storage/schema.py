"""The whole schema at once, from the models: created and stamped for tests and tools, or dropped.

Production databases are built by the migrations (storage/migrate.py); this is for throwaway ones.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

import storage.models  # noqa: F401  (registers every model on Base.metadata)
from storage.db import Base
from storage.migrate import head_revision, stamp_sync


async def create_schema(engine: AsyncEngine) -> None:
    """Create every table from the models and stamp the Alembic head (tests and tools)."""
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        await connection.run_sync(stamp_sync, head_revision())


async def drop_schema(engine: AsyncEngine) -> None:
    """Drop every table, including Alembic's own (tests on a shared PostgreSQL)."""
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
