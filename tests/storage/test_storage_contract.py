"""`SqlStorage` against Microsoft's own contract for a botbuilder `Storage` (issue 16, item 9):
botbuilder-testing 4.17.1's `StorageBaseTests` (vendored, see tests/storage/vendored/README.md),
all eleven, on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL, plus the stale-eTag check
that the Python suite leaves commented out.

Three of them failed before: `write([])` raised, and `read(None)` and `write(None)` did not
raise with the SDK's words.
"""

from __future__ import annotations

import inspect

import pytest

from storage.bot_state import SqlStorage
from tests.storage.vendored.botbuilder_storage_base_tests import StorageBaseTests

CONTRACT = sorted(
    name
    for name, member in inspect.getmembers(StorageBaseTests, inspect.iscoroutinefunction)
    if not name.startswith("_")
)


def test_the_whole_contract_is_run():
    assert len(CONTRACT) == 11


@pytest.fixture
def storage(engine) -> SqlStorage:
    return SqlStorage(engine)


@pytest.mark.parametrize("name", CONTRACT)
async def test_sql_storage_keeps_the_bot_framework_contract(storage: SqlStorage, name: str):
    assert await getattr(StorageBaseTests, name)(storage) is True


async def test_a_write_with_a_stale_etag_fails_and_changes_nothing(storage: SqlStorage):
    """The check the other SDKs make in `update_object` (Python's suite cannot: its items carry
    "*"): a store item written back with the eTag it was read with, after someone else wrote it,
    is refused."""
    await storage.write({"pocoStoreItem": {"id": 1, "count": 1, "e_tag": "*"}})
    mine = (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]
    theirs = (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]
    theirs["count"] = 2
    await storage.write({"pocoStoreItem": theirs})

    mine["count"] = 123
    with pytest.raises(KeyError):
        await storage.write({"pocoStoreItem": mine})

    assert (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["count"] == 2
