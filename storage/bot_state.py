"""`SqlStorage`: botbuilder's `Storage` over SQLAlchemy, so dialog and user state survive restarts
and are shared by every instance of the bot.

Documents are flattened with jsonpickle, as the SDK's own Cosmos DB and Blob storages do, because
dialog state holds SDK objects (`DialogState`, `DialogInstance`). Only the bot writes this table.

eTags give optimistic concurrency, with the SDK's semantics: a write carrying a stale eTag fails
with `KeyError`, `"*"` overwrites, and a write with no eTag writes. Reading or writing None is
refused with the SDK's words and writing nothing does nothing, as botbuilder-testing's
`StorageBaseTests` requires (tests/storage/test_storage_contract.py). Each stored document is handed
back with its current eTag, so a turn that read state and writes it back is checked against
anything written in between (another instance, a retried activity).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import jsonpickle
from botbuilder.core import Storage
from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import changed_rows, make_session_factory, utcnow
from storage.models import BotStateRecord

ETAG = "e_tag"
ANY = "*"


class SqlStorage(Storage):
    """State storage in the bot's own database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions: async_sessionmaker[AsyncSession] = make_session_factory(engine)

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if keys is None:
            # The SDK's words (botbuilder-testing's StorageBaseTests checks them).
            raise ValueError("Keys are required when reading")
        if not keys:
            return {}
        async with self._sessions() as session:
            rows = await session.execute(
                select(BotStateRecord.key, BotStateRecord.etag, BotStateRecord.document).where(
                    BotStateRecord.key.in_(list(keys))
                )
            )
            return {key: _thaw(document, etag) for key, etag, document in rows}

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise ValueError("Changes are required when writing")
        if not changes:
            # Nothing to write, in whatever empty collection it came (the contract writes []).
            return
        for key, item in changes.items():
            await self._write_one(key, item)

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(delete(BotStateRecord).where(BotStateRecord.key.in_(list(keys))))

    async def _write_one(self, key: str, item: Any) -> None:
        expected = _etag_of(item)
        if expected == "":
            raise ValueError(f"storage write for {key!r}: empty eTag")
        new_etag = uuid.uuid4().hex
        document = _freeze(item)
        async with self._sessions() as session, session.begin():
            if expected in (None, ANY):
                await _upsert(session, key, new_etag, document)
            else:
                await _replace_if_unchanged(session, key, expected, new_etag, document)
        _set_etag(item, new_etag)


async def _upsert(session: AsyncSession, key: str, etag: str, document: dict[str, Any]) -> None:
    updated = await session.execute(
        update(BotStateRecord)
        .where(BotStateRecord.key == key)
        .values(etag=etag, document=document, updated_at=utcnow())
    )
    if changed_rows(updated):
        return
    try:
        async with session.begin_nested():
            await session.execute(
                insert(BotStateRecord).values(key=key, etag=etag, document=document)
            )
    except IntegrityError:
        # Inserted by someone between our update and insert: last writer wins, as "*" asks.
        await session.execute(
            update(BotStateRecord)
            .where(BotStateRecord.key == key)
            .values(etag=etag, document=document)
        )


async def _replace_if_unchanged(
    session: AsyncSession, key: str, expected: str, etag: str, document: dict[str, Any]
) -> None:
    updated = await session.execute(
        update(BotStateRecord)
        .where(BotStateRecord.key == key, BotStateRecord.etag == expected)
        .values(etag=etag, document=document, updated_at=utcnow())
    )
    if changed_rows(updated):
        return
    exists = await session.scalar(select(BotStateRecord.key).where(BotStateRecord.key == key))
    if exists is not None:
        raise KeyError(f"eTag conflict for {key!r}: the state was changed by another turn")
    # The item was deleted meanwhile; like the SDK's storages, a write recreates it.
    await session.execute(insert(BotStateRecord).values(key=key, etag=etag, document=document))


def stored_under(key: ColumnElement[str]) -> ColumnElement[bool]:
    """Whether a document is stored under this key (its primary key looked up; nothing thawed),
    as an expression a statement can carry (`storage.activity_log.claim_activity`'s)."""
    return select(BotStateRecord.key).where(BotStateRecord.key == key).exists()


def _etag_of(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get(ETAG)
    return getattr(item, ETAG, None)


def _set_etag(item: Any, etag: str) -> None:
    if isinstance(item, dict):
        item[ETAG] = etag
    elif hasattr(item, "__dict__"):
        item.e_tag = etag


def _freeze(item: Any) -> dict[str, Any]:
    encoded = jsonpickle.encode(item, unpicklable=True, make_refs=False)
    # jsonpickle is untyped; its encode is inferred as possibly None (with no JSON backend loaded).
    assert isinstance(encoded, str)
    flat = json.loads(encoded)
    if isinstance(flat, dict):
        flat.pop(ETAG, None)
        return flat
    return {"__value__": flat}


def _thaw(document: dict[str, Any], etag: str) -> Any:
    raw = document.get("__value__", document) if set(document) == {"__value__"} else document
    item = jsonpickle.decode(json.dumps(raw))
    _set_etag(item, etag)
    return item
