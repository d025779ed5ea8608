"""The doorbell: wakes the dispatchers the moment rows are queued to go now, instead of at their
next tick.

"Send now" fans an announcement out into the outbox; without the doorbell the first copy would
wait for the dispatch tick (up to `REMINDER_DISPATCH_INTERVAL_SECONDS`), and with several
instances each would join the send at its own tick, sending at its share of the tenant's rate
alone until then. Ring it inside the transaction that queued the rows:

- in this process, every subscribed dispatch loop wakes once the transaction commits (not
  before: it would find nothing to claim);
- on PostgreSQL the ring is also a `NOTIFY` on CHANNEL, which the server delivers at commit to
  every instance that `listen`s, this one included.

A lost ring costs no message, only time: the dispatch loops still tick on their interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "outbox_queued"
# After the listening connection fails: long enough not to hammer a database that is restarting.
RECONNECT_SECONDS = 5.0

Wake = Callable[[], None]


class Doorbell:
    """Rung by whatever queues rows for now; heard by the dispatch loops subscribed to it."""

    def __init__(self) -> None:
        self._wakes: list[Wake] = []

    def subscribe(self, wake: Wake) -> None:
        self._wakes.append(wake)

    def unsubscribe(self, wake: Wake) -> None:
        """Stop waking `wake` (a stopped dispatch loop); nothing when it was not subscribed."""
        if wake in self._wakes:
            self._wakes.remove(wake)

    @property
    def subscribers(self) -> int:
        return len(self._wakes)

    def wake_all(self) -> None:
        for wake in self._wakes:
            wake()

    async def ring(self, session: AsyncSession) -> None:
        """Wake the dispatchers when this session's transaction commits."""
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
        event.listen(session.sync_session, "after_commit", self._committed, once=True)

    def _committed(self, _session: Session) -> None:
        self.wake_all()


def listens(database_url: str) -> bool:
    """Only PostgreSQL carries rings between instances (SQLite serves one instance)."""
    return make_url(database_url).get_backend_name() == "postgresql"


def conninfo(database_url: str) -> str:
    """The SQLAlchemy URL as psycopg's connection string."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def listen(database_url: str, wake: Wake, *, listening: asyncio.Event | None = None) -> None:
    """Until cancelled: LISTEN on CHANNEL over a connection of its own and call `wake` on every
    notification; `listening` is set once the LISTEN is in place (again after a reconnection,
    when a ring may have been missed, so `wake` is called then too)."""
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                conninfo(database_url), autocommit=True
            ) as connection:
                await connection.execute(f"LISTEN {CHANNEL}")
                if listening is not None:
                    listening.set()
                wake()
                async for _notification in connection.notifies():
                    wake()
        except psycopg.Error as error:
            log.warning(
                "outbox doorbell: listening failed (%s); again in %ss",
                type(error).__name__,
                RECONNECT_SECONDS,
            )
            await asyncio.sleep(RECONNECT_SECONDS)
