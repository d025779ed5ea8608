"""The desk's delivery report at scale (issue 18, Performance): an announcement sent to 10,000
people, and the first page of its report by name over HTTP.

    python -m bench.desk_report
    python -m bench.desk_report --recipients 10000 --requests 200
    python -m bench.desk_report --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x

The population and the send are `bench.broadcast`'s (`prepare_database`, then its `send_now`,
the use case the button calls); the copies' outcomes are then set in the database as a finished
send leaves them (about 80% sent, half of those acknowledged, 10% failed, 10% not reachable). The
app runs in this process (`create_app`, development mode, a development sign-in token for the
bench's admin); requests go over loopback one at a time. It prints, for the first page (everyone,
by name), a filtered page (failed) and a late page:

    desk_report: query=first n=200 p50_ms=.. p95_ms=.. total=10000

The goal: the first page under 200 ms at p95. A SQLite file in a temporary directory unless
--database-url names a PostgreSQL database, which is emptied (and analysed once filled, as
autovacuum would have done).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select, text, update

from bench.broadcast import VIRTUAL_START, prepare_database, send_now, warm_sessions
from storage import broadcasts
from storage.models import AnnouncementAck, AnnouncementRecipient
from storage.models.outbox import OutboxMessage

GOAL_MS = 200.0
QUERIES: dict[str, dict[str, str]] = {
    "first": {},
    "failed": {"status": "failed"},
    "acknowledged": {"status": "acknowledged"},
    "page_100": {"page": "100"},
}
# Nothing is sent: the copies' outcomes are written straight into the outbox.
NOWHERE = "http://127.0.0.1:9"


async def sent_announcement(url: str, recipients: int) -> int:
    """bench.broadcast's population and send, then the outcomes a finished send leaves."""
    announcement_id = await prepare_database(url, recipients, NOWHERE)
    engine, sessions = await warm_sessions(url)
    try:
        await send_now(sessions, announcement_id, VIRTUAL_START)
        subject = broadcasts.subject_of(announcement_id)
        mine = (OutboxMessage.kind == broadcasts.KIND) & (OutboxMessage.subject == subject)
        async with sessions() as session, session.begin():
            outcomes = (
                (OutboxMessage.id % 10 == 0, {"status": "failed", "last_error": "http_503"}),
                (
                    OutboxMessage.id % 10 == 1,
                    {"status": "unreachable", "last_error": "uninstalled"},
                ),
                (OutboxMessage.id % 10 > 1, {"status": "sent", "sent_at": VIRTUAL_START}),
            )
            for condition, values in outcomes:
                await session.execute(update(OutboxMessage).where(mine & condition).values(values))
            people = list(
                await session.scalars(
                    select(AnnouncementRecipient.person_id).where(
                        AnnouncementRecipient.announcement_id == announcement_id
                    )
                )
            )
            acks = [
                {
                    "announcement_id": announcement_id,
                    "person_id": p,
                    "acknowledged_at": VIRTUAL_START,
                }
                for p in people[::2]
            ]
            for start in range(0, len(acks), 1000):
                await session.execute(insert(AnnouncementAck), acks[start : start + 1000])
        if url.startswith("postgresql"):
            # As autovacuum would have by the time anyone reads the report: without statistics
            # on the rows just written, the planner takes the outbox for empty.
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return announcement_id


async def timed_pages(
    base: str, token: str, path: str, query: dict[str, str], n: int
) -> tuple[list[float], int]:
    from aiohttp import ClientSession

    headers = {"Authorization": f"Bearer {token}"}
    took: list[float] = []
    total = 0
    async with ClientSession() as http:
        for _ in range(n):
            started = time.perf_counter()
            async with http.get(base + path, params=query, headers=headers) as r:
                body = await r.json()
                assert r.status == 200, body
            took.append((time.perf_counter() - started) * 1000)
            total = body["total"]
    return took, total


async def run(url: str, announcement_id: int, requests: int) -> float:
    from aiohttp import ClientSession
    from aiohttp.test_utils import TestServer

    from bot import create_app
    from config import Settings

    settings = Settings(database_url=url, scheduler_enabled=False)
    server = TestServer(create_app(settings, clock=lambda: VIRTUAL_START), host="127.0.0.1")
    await server.start_server()
    first_p95 = 0.0
    try:
        base = str(server.make_url("")).rstrip("/")
        sign_in = f"{base}/desk/dev/sign-in"
        async with ClientSession() as http, http.post(sign_in, json={"person_id": "ADMIN"}) as r:
            token = (await r.json())["token"]
        path = f"/desk/api/v1/announcements/{announcement_id}/recipients"
        for name, query in QUERIES.items():
            await timed_pages(base, token, path, query, 5)  # warm the pool and caches
            took, total = await timed_pages(base, token, path, query, requests)
            p95 = statistics.quantiles(took, n=20)[18]
            if name == "first":
                first_p95 = p95
            print(
                f"desk_report: query={name} n={requests} "
                f"p50_ms={statistics.median(took):.1f} p95_ms={p95:.1f} total={total}"
            )
    finally:
        await server.close()
    return first_p95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.desk_report")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'report.db'}"
        announcement_id = asyncio.run(sent_announcement(url, args.recipients))
        p95 = asyncio.run(run(url, announcement_id, args.requests))
    verdict = "met" if p95 < GOAL_MS else "NOT met"
    print(f"desk_report: first page p95={p95:.1f} ms; goal {GOAL_MS:.0f} ms {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
