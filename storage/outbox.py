"""Queries on the outbox: enqueue idempotently, claim due rows under a lease, record outcomes.

Enqueueing is `INSERT ... ON CONFLICT DO NOTHING` on the de-duplication key, so a planner can
offer the same reminder on every tick and on every instance and one row results. Claiming takes due
rows (pending and due, or `sending` under a lease that has run out because their sender died) and
leases them to one dispatcher: on PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED` so two
instances never claim the same row; on SQLite every write transaction begins IMMEDIATE, which
serialises claims. Each outcome is recorded only while the lease is still the caller's, so a
dispatcher that lost its lease cannot overwrite the work of the one that took the row over.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import (
    Dialect,
    Select,
    String,
    bindparam,
    cast,
    func,
    literal,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.reminders import Reminder
from storage.db import changed_rows
from storage.models.outbox import (
    CANCELLED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    STATUSES,
    UNREACHABLE,
    OutboxMessage,
)

# Rows per statement (PostgreSQL) or per executemany (SQLite).
INSERT_CHUNK = 2000
# Ids per `IN (...)` list: well inside SQLite's limit on bound parameters.
ID_CHUNK = 900
PERSON_PREFIX = "person:"
# A pending row's last_error while the bot is installed for its recipient (delivery/installer.py).
INSTALLING = "installing"
CONVERSATION_PREFIX = "conversation:"


def person_recipient(person_id: int) -> str:
    return f"{PERSON_PREFIX}{person_id}"


def conversation_recipient(conversation_id: str) -> str:
    return f"{CONVERSATION_PREFIX}{conversation_id}"


@dataclass(frozen=True)
class NewMessage:
    """A message a planner (or a broadcast) wants sent; the first four fields are its identity."""

    kind: str
    subject: str
    recipient: str
    occurrence: str
    not_before: datetime
    person_id: int | None = None
    conversation_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def to_person(
        cls,
        kind: str,
        subject: str,
        person_id: int,
        occurrence: str,
        not_before: datetime,
        payload: dict[str, Any] | None = None,
    ) -> NewMessage:
        return cls(
            kind,
            subject,
            person_recipient(person_id),
            occurrence,
            not_before,
            person_id=person_id,
            payload=dict(payload or {}),
        )

    @classmethod
    def of_reminder(cls, reminder: Reminder) -> NewMessage:
        """A planned reminder (domain.reminders), to its person's personal chat."""
        return cls.to_person(
            str(reminder.kind),
            reminder.subject,
            reminder.recipient_id,
            reminder.occurrence,
            reminder.not_before,
            dict(reminder.payload),
        )

    def row(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "recipient": self.recipient,
            "occurrence": self.occurrence,
            "not_before": self.not_before,
            "person_id": self.person_id,
            "conversation_id": self.conversation_id,
            "payload": self.payload,
            "status": PENDING,
            "attempts": 0,
        }


@dataclass(frozen=True)
class ClaimedMessage:
    """A row leased to one dispatcher: a plain snapshot, safe to use outside its session."""

    id: int
    kind: str
    subject: str
    recipient: str
    occurrence: str
    person_id: int | None
    conversation_id: str | None
    payload: dict[str, Any]
    not_before: datetime
    attempts: int
    lease_owner: str
    leased_until: datetime

    @classmethod
    def of(cls, row: OutboxMessage) -> ClaimedMessage:
        assert row.lease_owner is not None and row.leased_until is not None
        return cls(
            row.id,
            row.kind,
            row.subject,
            row.recipient,
            row.occurrence,
            row.person_id,
            row.conversation_id,
            dict(row.payload or {}),
            row.not_before,
            row.attempts,
            row.lease_owner,
            row.leased_until,
        )


async def enqueue(session: AsyncSession, messages: Iterable[NewMessage]) -> int:
    """Insert the messages not already in the outbox; returns how many were new.

    A planning pass offers a whole register's reminders on every tick, most of them already
    queued, so this is the planner's hot path: rows go to the database in chunks through one
    statement whose text never changes (no SQL built or parsed per row or per chunk)."""
    connection = await session.connection()
    insert_chunk = _insert_as_json if connection.dialect.name == "postgresql" else _insert_many
    inserted = 0
    chunk: list[NewMessage] = []
    for message in messages:
        chunk.append(message)
        if len(chunk) >= INSERT_CHUNK:
            inserted += await insert_chunk(connection, chunk)
            chunk = []
    if chunk:
        inserted += await insert_chunk(connection, chunk)
    return inserted


async def enqueue_for_people(
    session: AsyncSession,
    people: Select[tuple[int]],
    *,
    kind: str,
    subject: str,
    occurrence: str,
    not_before: datetime,
    payload: Mapping[str, Any],
) -> int:
    """One row for each person `people` selects, all alike but for the recipient, in a single
    INSERT ... SELECT run by the database (a broadcast's fan-out: no row travels from Python, so
    10,000 rows take one statement rather than five of JSON). Rows already queued are kept;
    returns how many were new."""
    table = OutboxMessage.__table__
    person = people.subquery().c[0]
    now = datetime.now(UTC)

    def value(column: str, given: Any) -> Any:
        return literal(given, type_=table.c[column].type)

    rows = select(
        value("kind", kind),
        value("subject", subject),
        literal(PERSON_PREFIX) + cast(person, String),
        value("occurrence", occurrence),
        value("not_before", not_before),
        person,
        value("payload", dict(payload)),
        value("status", PENDING),
        value("attempts", 0),
        value("created_at", now),
        value("updated_at", now),
    ).where(true())  # SQLite reads "SELECT ... FROM t ON CONFLICT" as a join without the WHERE
    columns = [name for name, _type in _NEW_ROW_COLUMNS if name != "conversation_id"]
    dialect = (await session.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .from_select([*columns, "created_at", "updated_at"], rows)
        .on_conflict_do_nothing(index_elements=["kind", "subject", "recipient", "occurrence"])
    )
    # RETURNING counts the rows inserted on both databases (the drivers' row counts do not).
    return len((await session.execute(statement.returning(table.c.id))).all())


_KEY = ", ".join(("kind", "subject", "recipient", "occurrence"))
# The columns a new row sets, with their PostgreSQL types.
_NEW_ROW_COLUMNS = (
    ("kind", "text"),
    ("subject", "text"),
    ("recipient", "text"),
    ("occurrence", "text"),
    ("not_before", "timestamptz"),
    ("person_id", "integer"),
    ("conversation_id", "text"),
    ("payload", "json"),
    ("status", "text"),
    ("attempts", "integer"),
)
_NAMES = ", ".join(name for name, _type in _NEW_ROW_COLUMNS)


# -- PostgreSQL: the rows as one JSON document, turned into rows by the server ---------------------
# The statement text is the same for any number of rows, so neither SQLAlchemy nor psycopg parses
# a multi-row VALUES list per chunk (psycopg caches only short statements; parsing long ones cost
# more than the insert), and the rows travel as one string serialised in C (arrays of strings
# are escaped element by element). RETURNING counts the rows really inserted.

_PG_INSERT = text(
    f"INSERT INTO outbox ({_NAMES}, created_at, updated_at) "
    f"SELECT {_NAMES}, now(), now() FROM json_to_recordset(CAST(:rows AS json)) AS new_rows "
    f"({', '.join(f'{n} {t}' for n, t in _NEW_ROW_COLUMNS)}) "
    f"ON CONFLICT ({_KEY}) DO NOTHING RETURNING id"
)


async def _insert_as_json(connection: AsyncConnection, messages: list[NewMessage]) -> int:
    instant = _memoised(datetime.isoformat)
    rows = [
        {
            "kind": m.kind,
            "subject": m.subject,
            "recipient": m.recipient,
            "occurrence": m.occurrence,
            "not_before": instant(m.not_before),
            "person_id": m.person_id,
            "conversation_id": m.conversation_id,
            "payload": m.payload,
            "status": PENDING,
            "attempts": 0,
        }
        for m in messages
    ]
    return len((await connection.execute(_PG_INSERT, {"rows": json.dumps(rows)})).all())


# -- SQLite: one prepared INSERT, executed for every row by the driver ----------------------------
# Values are converted by the columns' own bind processors (instants stored as SQLAlchemy stores
# them); sqlite3 sums the rows each execution changed, and a conflict changes none, so the row
# count is the number of rows inserted.

_SQLITE_INSERT = (
    f"INSERT INTO outbox ({_NAMES}, created_at, updated_at) "
    f"VALUES ({', '.join('?' * (len(_NEW_ROW_COLUMNS) + 2))}) "
    f"ON CONFLICT ({_KEY}) DO NOTHING"
)


def _bind(column: str, dialect: Dialect) -> Callable[[Any], Any]:
    process = OutboxMessage.__table__.c[column].type.bind_processor(dialect)
    return process if process is not None else (lambda value: value)


def _memoised(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # A pass's reminders share a few hundred send instants: convert each once.
    done: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        found = done.get(value)
        if found is None:
            found = done[value] = process(value)
        return found

    return convert


async def _insert_many(connection: AsyncConnection, messages: list[NewMessage]) -> int:
    instant = _memoised(_bind("not_before", connection.dialect))
    payload = _bind("payload", connection.dialect)
    stamp = instant(datetime.now(UTC))
    rows = [
        (
            m.kind,
            m.subject,
            m.recipient,
            m.occurrence,
            instant(m.not_before),
            m.person_id,
            m.conversation_id,
            payload(m.payload),
            PENDING,
            0,
            stamp,
            stamp,
        )
        for m in messages
    ]
    result = await connection.exec_driver_sql(_SQLITE_INSERT, rows)
    return max(result.rowcount, 0)


def _expired_leases(now: datetime) -> Select[tuple[int]]:
    """Rows whose dispatcher died holding them: they were at the head of the queue."""
    return (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == SENDING, OutboxMessage.leased_until < now)
        .order_by(OutboxMessage.leased_until, OutboxMessage.id)
    )


def _retries_due(now: datetime) -> Select[tuple[int]]:
    """Rows tried before whose retry delay is over (ix_outbox_retries holds only these)."""
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.attempts > 0,
            OutboxMessage.not_before <= now,
        )
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
    )


def _first_tries_due(now: datetime) -> Select[tuple[int]]:
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.not_before <= now,
            OutboxMessage.attempts == 0,
        )
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
    )


async def claim_due(
    session: AsyncSession, *, owner: str, now: datetime, lease_seconds: int, limit: int
) -> list[ClaimedMessage]:
    """Lease up to `limit` due rows to `owner`, in queue order. Call inside a transaction.

    The order: rows whose lease ran out, then retries whose delay is over, then first tries,
    oldest first. A retried row has already had its turn at the head of the queue; without this
    it would wait behind the whole backlog a broadcast queued after it (minutes, at 50 a second),
    and the last throttled copies of a broadcast would all go at its very end. Each part is read
    in index order and stops at the batch, so a claim costs the same whatever is queued.
    """
    ids: list[int] = []
    for due in (_expired_leases(now), _retries_due(now), _first_tries_due(now)):
        wanted = limit - len(ids)
        if wanted <= 0:
            break
        ids += await session.scalars(due.limit(wanted).with_for_update(skip_locked=True))
    if not ids:
        return []
    rows = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            status=SENDING,
            lease_owner=owner,
            leased_until=now + timedelta(seconds=lease_seconds),
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    place = {row_id: index for index, row_id in enumerate(ids)}
    return sorted((ClaimedMessage.of(row) for row in rows), key=lambda m: place[m.id])


async def _finish(session: AsyncSession, message: ClaimedMessage, **values: Any) -> bool:
    """Apply an outcome if the caller still holds the lease; False when it was lost."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status == SENDING,
            OutboxMessage.lease_owner == message.lease_owner,
        )
        .values(lease_owner=None, leased_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return changed_rows(result) == 1


async def mark_sent(
    session: AsyncSession,
    message: ClaimedMessage,
    *,
    activity_id: str,
    conversation_id: str,
    now: datetime,
) -> bool:
    return await _finish(
        session,
        message,
        status=SENT,
        activity_id=activity_id,
        sent_conversation_id=conversation_id,
        sent_at=now,
    )


async def retry_later(
    session: AsyncSession,
    message: ClaimedMessage,
    *,
    not_before: datetime,
    error: str,
    now: datetime,
) -> bool:
    """A failed attempt that may succeed later: back to pending, due again at `not_before`."""
    return await _finish(
        session,
        message,
        status=PENDING,
        not_before=not_before,
        last_error=error,
        last_error_at=now,
    )


async def defer(session: AsyncSession, message: ClaimedMessage, *, not_before: datetime) -> bool:
    """Not now (quiet hours, a snooze, out of lease time): no attempt was made, none is counted."""
    return await _finish(
        session,
        message,
        status=PENDING,
        not_before=not_before,
        attempts=OutboxMessage.attempts - 1,
    )


async def mark_failed(
    session: AsyncSession, message: ClaimedMessage, *, error: str, now: datetime
) -> bool:
    return await _finish(session, message, status=FAILED, last_error=error, last_error_at=now)


async def mark_unreachable(
    session: AsyncSession, message: ClaimedMessage, *, error: str, now: datetime
) -> bool:
    return await _finish(session, message, status=UNREACHABLE, last_error=error, last_error_at=now)


async def cancel(session: AsyncSession, message: ClaimedMessage, *, reason: str) -> bool:
    """Nothing to send any more (the action was updated, the person paused, the data is gone)."""
    return await _finish(
        session,
        message,
        status=CANCELLED,
        last_error=reason,
        attempts=OutboxMessage.attempts - 1,
    )


# -- outcomes recorded many at a time --------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed row, to be recorded with others by `record`.

    `values` are the columns to set besides the status; `uncounted` gives the attempt back (no
    attempt was made: deferred or cancelled before sending)."""

    message: ClaimedMessage
    status: str
    values: Mapping[str, Any] = field(default_factory=dict)
    uncounted: bool = False

    @classmethod
    def sent(
        cls, message: ClaimedMessage, *, activity_id: str, conversation_id: str, now: datetime
    ) -> Outcome:
        values = {"activity_id": activity_id, "sent_conversation_id": conversation_id}
        return cls(message, SENT, {**values, "sent_at": now})

    @classmethod
    def retried(
        cls, message: ClaimedMessage, *, not_before: datetime, error: str, now: datetime
    ) -> Outcome:
        values = {"not_before": not_before, "last_error": error, "last_error_at": now}
        return cls(message, PENDING, values)

    @classmethod
    def deferred(cls, message: ClaimedMessage, *, not_before: datetime) -> Outcome:
        return cls(message, PENDING, {"not_before": not_before}, uncounted=True)

    @classmethod
    def awaiting_install(
        cls, message: ClaimedMessage, *, not_before: datetime, now: datetime
    ) -> Outcome:
        """The recipient has no chat with the bot yet and it is being installed for them: the
        row waits (no attempt spent) until the install ends and `wake_awaiting_install`."""
        values = {"not_before": not_before, "last_error": INSTALLING, "last_error_at": now}
        return cls(message, PENDING, values, uncounted=True)

    @classmethod
    def failed(cls, message: ClaimedMessage, *, error: str, now: datetime) -> Outcome:
        return cls(message, FAILED, {"last_error": error, "last_error_at": now})

    @classmethod
    def unreachable(cls, message: ClaimedMessage, *, error: str, now: datetime) -> Outcome:
        return cls(message, UNREACHABLE, {"last_error": error, "last_error_at": now})

    @classmethod
    def cancelled(cls, message: ClaimedMessage, *, reason: str) -> Outcome:
        return cls(message, CANCELLED, {"last_error": reason}, uncounted=True)

    def shape(self) -> tuple[str, tuple[str, ...], bool]:
        """Outcomes of one shape are written by one executemany UPDATE."""
        return self.status, tuple(sorted(self.values)), self.uncounted


async def record(session: AsyncSession, outcomes: Sequence[Outcome]) -> set[int]:
    """Apply many outcomes in a few statements, each only while the row's lease is still its
    dispatcher's; returns the ids recorded (the others' leases were lost). Call inside a
    transaction: on PostgreSQL the rows are locked first, so the answer is exact."""
    if not outcomes:
        return set()
    held = await _leases_held(session, sorted({o.message.id for o in outcomes}))
    kept = [o for o in outcomes if held.get(o.message.id) == o.message.lease_owner]
    connection = await session.connection()
    for shape, group in groupby(sorted(kept, key=Outcome.shape), key=Outcome.shape):
        status, columns, uncounted = shape
        await connection.execute(
            _record_statement(status, columns, uncounted),
            [
                {"b_id": o.message.id, "b_owner": o.message.lease_owner}
                | {f"b_{name}": o.values[name] for name in columns}
                for o in group
            ],
        )
    return {o.message.id for o in kept}


async def _leases_held(session: AsyncSession, ids: list[int]) -> dict[int, str | None]:
    held: dict[int, str | None] = {}
    for start in range(0, len(ids), ID_CHUNK):
        rows = await session.execute(
            select(OutboxMessage.id, OutboxMessage.lease_owner)
            .where(OutboxMessage.id.in_(ids[start : start + ID_CHUNK]))
            .where(OutboxMessage.status == SENDING)
            .order_by(OutboxMessage.id)  # one locking order for every instance: no deadlocks
            .with_for_update()
        )
        held.update(rows.tuples().all())
    return held


def _record_statement(status: str, columns: tuple[str, ...], uncounted: bool) -> Any:
    table = OutboxMessage.__table__
    values: dict[str, Any] = {name: bindparam(f"b_{name}") for name in columns}
    if uncounted:
        values["attempts"] = table.c.attempts - 1
    return (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.status == SENDING,
            table.c.lease_owner == bindparam("b_owner"),
        )
        .values(status=status, lease_owner=None, leased_until=None, **values)
    )


async def cancel_pending(
    session: AsyncSession,
    *,
    subject: str,
    kinds: Sequence[str] | None = None,
    person_id: int | None = None,
    reason: str,
) -> int:
    """Cancel rows not yet sent about a subject (a closed clock, an action just updated)."""
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.subject == subject, OutboxMessage.status == PENDING)
        .values(status=CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    if kinds:
        statement = statement.where(OutboxMessage.kind.in_(list(kinds)))
    if person_id is not None:
        statement = statement.where(OutboxMessage.person_id == person_id)
    result = await session.execute(statement)
    return changed_rows(result)


@dataclass(frozen=True)
class SentCard:
    """Where a sent card is, so it can be updated in place."""

    id: int
    kind: str
    person_id: int | None
    conversation_id: str
    activity_id: str


async def sent_cards(session: AsyncSession, subject: str) -> list[SentCard]:
    rows = await session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.person_id,
            OutboxMessage.sent_conversation_id,
            OutboxMessage.activity_id,
        ).where(
            OutboxMessage.subject == subject,
            OutboxMessage.status == SENT,
            OutboxMessage.activity_id.is_not(None),
        )
    )
    return [SentCard(*row) for row in rows]


async def find(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, message_id)


# -- what admins see ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentError:
    kind: str
    status: str
    error: str
    at: datetime | None
    attempts: int


async def status_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


async def recent_errors(session: AsyncSession, limit: int = 8) -> list[RecentError]:
    rows = await session.execute(
        select(
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.last_error,
            OutboxMessage.last_error_at,
            OutboxMessage.attempts,
        )
        .where(
            OutboxMessage.last_error_at.is_not(None),
            OutboxMessage.status.in_([PENDING, FAILED, UNREACHABLE, SENT]),
        )
        .order_by(OutboxMessage.last_error_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return [
        RecentError(kind, status, error or "", at, attempts)
        for kind, status, error, at, attempts in rows
    ]


async def next_due(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        select(func.min(OutboxMessage.not_before)).where(OutboxMessage.status == PENDING)
    )


async def next_claimable(session: AsyncSession) -> datetime | None:
    """The earliest time a claim can find a row: the next pending row due, or the end of the
    first lease to run out (its dispatcher may have died holding it)."""
    pending = await next_due(session)
    leased = await session.scalar(
        select(func.min(OutboxMessage.leased_until)).where(OutboxMessage.status == SENDING)
    )
    return min((t for t in (pending, leased) if t is not None), default=None)


async def repeat_later(session: AsyncSession, row: OutboxMessage, *, not_before: datetime) -> bool:
    """Send a reminder again at `not_before` (its person snoozed it; whose it is, is the caller's
    check); False when that copy is already queued. The copy is rendered from the data as it is
    then, like any row."""
    base = row.occurrence.split("/snoozed-", 1)[0]
    copy = NewMessage(
        row.kind,
        row.subject,
        row.recipient,
        f"{base}/snoozed-{not_before:%Y%m%d%H%M}",
        not_before,
        person_id=row.person_id,
        conversation_id=row.conversation_id,
        payload=dict(row.payload or {}),
    )
    return await enqueue(session, [copy]) == 1


async def unreachable_people(session: AsyncSession, since: datetime) -> int:
    """How many people the bot could not reach since an instant (for the exception report)."""
    count = await session.scalar(
        select(func.count(func.distinct(OutboxMessage.person_id))).where(
            OutboxMessage.status == UNREACHABLE, OutboxMessage.updated_at >= since
        )
    )
    return count or 0


async def wake_awaiting_install(
    session: AsyncSession, person_ids: Iterable[int], *, now: datetime
) -> int:
    """Make the rows waiting for these people's installs due now: the install ended (the chat
    is open, or the report will say why not)."""
    ids = sorted(set(person_ids))
    woken = 0
    for start in range(0, len(ids), ID_CHUNK):
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.person_id.in_(ids[start : start + ID_CHUNK]),
                OutboxMessage.status == PENDING,
                OutboxMessage.last_error == INSTALLING,
            )
            .values(not_before=now)
            .execution_options(synchronize_session=False)
        )
        woken += changed_rows(result)
    return woken
