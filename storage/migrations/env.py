"""Alembic environment: runs migrations on the connection handed in by `storage.migrate`."""

from alembic import context

import storage.models  # noqa: F401  (registers every table)
from storage.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through storage.migrate or `python -m manage`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
