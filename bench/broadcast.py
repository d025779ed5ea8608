"""Broadcast throughput: N recipients through the real outbox and dispatcher, against a fake Bot
Connector on loopback that enforces Teams' limits and fails a share of requests.

    python -m bench.broadcast                  # 10,000 recipients at 50/s and 500/s, then a crash
    python -m bench.broadcast --quick          # 1,000 recipients
    python -m bench.broadcast --rates 500 --recipients 2000 --modes normal
    python -m bench.broadcast --senders 2 --database-url postgresql+psycopg://.../bench

For each rate R it prints

    broadcast: recipients=N rate_limit=R seconds=S floor_seconds=F efficiency=P% lost=L duplicates=D
        refused_share=f floor_with_refusals_seconds=F' efficiency_with_refusals=P'%

(on one line) where S runs from "send now" (the fan-out into the outbox) to the last copy accepted,
F = N / R and P = F / S. F' = N / ((1 - f) R) is the floor when the fake refuses a share f of
requests at random: a refused request counts against the tenant's rate (the careful reading of
Teams' limits), so N copies take N / (1 - f) requests; P' = F' / S. Then a `goal:` line, PASS or
MISS, for each goal the run answers: P' at least 95% at 50/s on SQLite with one sender, at least 90%
at 500/s on PostgreSQL with two senders, and after a crash no more duplicates than sends in flight.
The exit status is 1 when a copy was lost or sent twice (beyond the crash's allowance); a missed
efficiency goal is printed but does not change it, as it depends on the machine.

The crash mode kills the sending process at about half way with SIGKILL, starts a new one, and
prints the same line with `mode=crash` and the number of requests that were in flight at
the kill (those the connector had accepted but the dead sender had not recorded; each may be sent
again, so duplicates must not exceed it).

The fake connector runs in this process; the dispatcher runs in a child process, as the bot would,
so the two do not share one event loop. `--senders K` runs K such processes on one PostgreSQL
database, as K instances of the bot would (each claims rows with its own lease), each pacing itself
at R/K a second: the tenant's limit holds across them, and R/K is what
`REMINDER_PER_TENANT_PER_SECOND` is set to on each of K instances in production. The crash mode
then kills one of them and starts a replacement. SQLite allows one sender only.

The fake refuses with 429 and Retry-After when a conversation goes over 7 requests a second or
the tenant over R a second (refused requests count against the limits, as Teams counts them), and
answers a set share of requests (5% by default) with 429 (Retry-After 1) or 503 at random. The
database is a SQLite file unless --database-url names a PostgreSQL database (which is emptied).

The dispatcher's clock is real time shifted to a working day at 10:00 London time, so the run does
not depend on when it is started (quiet hours and weekends would otherwise hold messages back).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, insert, select

from bench.loopback import Bucket
from bench.population import add_draft, add_people, fresh_schema
from cards.data.broadcasts import AnnouncementRef
from config import Settings
from domain.broadcasts import Content, SendingHours
from storage.db import make_engine, make_session_factory
from storage.models import ConversationRef, Person
from storage.models.outbox import OutboxMessage

TENANT = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:bench-bot"
# A Tuesday, 10:00 in London (GMT): working hours, no quiet hours, no bank holiday.
VIRTUAL_START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PER_CONVERSATION = 7.0


# -- the fake Bot Connector ------------------------------------------------------------------------


@dataclass
class FakeTeams:
    rate: float
    failure_share: float
    seed: int = 7
    delivered: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    first_at: float | None = None
    last_at: float | None = None
    # When each copy was accepted (monotonic), for the timeline printed beside the result.
    accepted_at: list[float] = field(default_factory=list)
    _tenant: Bucket | None = None
    _conversations: dict[str, Bucket] = field(default_factory=dict)
    _rng: random.Random = field(init=False)
    _ids: int = 0
    # Set once `kill_after` copies have been delivered (the crash mode's cue).
    kill_after: int | None = None
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._tenant = Bucket(self.rate)
        self._rng = random.Random(self.seed)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self.send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self.send)
        return app

    def _throttled(self, reason: str, retry_after: str | None = "1") -> web.Response:
        self.refused[reason] += 1
        headers = {"Retry-After": retry_after} if retry_after else {}
        status = 503 if reason == "injected_503" else 429
        return web.json_response({"error": {"code": reason}}, status=status, headers=headers)

    async def send(self, request: web.Request) -> web.Response:
        conversation = request.match_info["cid"]
        await request.read()
        bucket = self._conversations.get(conversation)
        if bucket is None:
            bucket = self._conversations[conversation] = Bucket(PER_CONVERSATION)
        assert self._tenant is not None
        tenant_ok = self._tenant.take()
        conversation_ok = bucket.take()
        if not tenant_ok:
            return self._throttled("tenant_limit")
        if not conversation_ok:
            return self._throttled("conversation_limit")
        if self._rng.random() < self.failure_share:
            if self._rng.random() < 0.5:
                return self._throttled("injected_429")
            return self._throttled("injected_503", retry_after=None)
        now = time.monotonic()
        self.first_at = self.first_at or now
        self.last_at = now
        self.accepted_at.append(now)
        self.delivered[conversation] += 1
        self._ids += 1
        if self.kill_after is not None and self._ids >= self.kill_after:
            self.reached.set()
        return web.json_response({"id": f"bench-{self._ids}"})


# -- the database ----------------------------------------------------------------------------------


def conversation_of(index: int) -> str:
    return f"a:bench-{index}"


def reference(index: int, service_url: str) -> dict[str, Any]:
    return {
        "activityId": None,
        "user": {"id": f"29:bench-{index}", "name": f"Person {index}"},
        "bot": {"id": BOT_ID, "name": "Partnership Bot"},
        "conversation": {
            "id": conversation_of(index),
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelId": "msteams",
        "locale": "en-GB",
        "serviceUrl": service_url,
    }


async def prepare_database(url: str, recipients: int, service_url: str) -> int:
    """A fresh schema with N reachable people and a draft to everyone; returns its id."""
    engine = await fresh_schema(url)
    sessions = make_session_factory(engine)
    async with sessions() as session, session.begin():
        population = await add_people(session, recipients)
        ids = dict(
            (await session.execute(select(Person.code, Person.id).where(Person.code != "ADMIN")))
            .tuples()
            .all()
        )
        refs = [
            {
                "conversation_id": conversation_of(i),
                "conversation_type": "personal",
                "person_id": ids[f"B{i}"],
                "tenant_id": TENANT,
                "service_url": service_url,
                "reference": reference(i, service_url),
                "active": True,
            }
            for i in range(recipients)
        ]
        for start in range(0, len(refs), 1000):
            await session.execute(insert(ConversationRef), refs[start : start + 1000])
        content = Content(
            "New dates: Safeguarding Essentials (Level 3)",
            "Two new sessions are open for booking. **Book early.**",
        )
        announcement_id = await add_draft(session, population, content, now=VIRTUAL_START)
    await engine.dispose()
    return announcement_id


async def send_now(sessions: Any, announcement_id: int, now: datetime) -> int:
    """What "Send now" does (the use case the button calls): resolve the audience, fan out and
    ring the doorbell, in one transaction; returns how many recipients it has."""
    from delivery.doorbell import Doorbell
    from usecases import broadcasts as sending
    from usecases.context import SystemActor, UnitOfWork

    outcome = await sending.send_now(
        SystemActor("bench"),
        AnnouncementRef(announcement_id=announcement_id),
        UnitOfWork(sessions),
        now=now,
        hours=SendingHours(),
        doorbell=Doorbell(),
        report_card=sending.ReportCardPlace(),
    )
    assert isinstance(outcome, sending.Shown), outcome
    assert outcome.overview.counts is not None
    return outcome.overview.counts.recipients


async def warm_sessions(url: str) -> tuple[Any, Any]:
    """The bot's engine, connected, as it is in a running bot when someone clicks "Send now"."""
    engine = make_engine(url)
    async with engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")
    return engine, make_session_factory(engine)


async def outbox_states(url: str) -> Counter[str]:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        states = Counter(dict(rows.tuples().all()))
    await engine.dispose()
    return states


async def claimed_conversations(url: str, pid: int) -> set[str]:
    """Conversations of rows the sender `pid` claimed and had not finished when it died."""
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        # The lease owner is host:pid:random (delivery.dispatcher.instance_name); the other
        # senders' rows are theirs to finish, not copies in doubt.
        rows = await session.scalars(
            select(ConversationRef.conversation_id)
            .join(OutboxMessage, OutboxMessage.person_id == ConversationRef.person_id)
            .where(OutboxMessage.status == "sending")
            .where(OutboxMessage.lease_owner.like(f"%:{pid}:%"))
        )
        found = set(rows)
    await engine.dispose()
    return found


# -- the sending process ---------------------------------------------------------------------------


SEND_TIMEOUT_SECONDS = 5


def bench_lease() -> int:
    """BENCH_LEASE, held to the bot's own rule: at least twice the send timeout, or the
    dispatcher would put every row back for lack of lease rather than send it."""
    lease = int(os.environ.get("BENCH_LEASE", "15"))
    if lease < 2 * SEND_TIMEOUT_SECONDS:
        raise SystemExit(f"BENCH_LEASE must be at least {2 * SEND_TIMEOUT_SECONDS} seconds")
    return lease


def bench_settings(url: str, rate: float) -> Settings:
    base = Settings(database_url=url, scheduler_enabled=False)
    reminders = replace(
        base.reminders,
        per_tenant_per_second=float(rate),
        per_conversation_per_second=PER_CONVERSATION,
        dispatch_batch_size=int(os.environ.get("BENCH_BATCH", "200")),
        dispatch_concurrency=int(os.environ.get("BENCH_CONCURRENCY", "64")),
        backoff_base_seconds=1,
        send_timeout_seconds=SEND_TIMEOUT_SECONDS,
        lease_seconds=bench_lease(),
        max_attempts=10,
    )
    return replace(base, reminders=reminders)


def virtual_clock(wall_start: float) -> Any:
    """Real time, moved so that the bench starts at VIRTUAL_START whatever the hour."""

    def now() -> datetime:
        return VIRTUAL_START + timedelta(seconds=time.time() - wall_start)

    return now


async def run_sender(url: str, rate: float, wall_start: float) -> None:
    """A bot instance's sending side, as it runs in the app: the dispatch loop, woken by the
    doorbell (on PostgreSQL a NOTIFY from the fan-out's transaction; with SQLite's single
    instance, "go" on standard input stands for the ring in the same process). It stops once
    nothing of the broadcast is left to send."""
    from delivery.adapter import build_adapter
    from delivery.connector_transport import ConnectorTransport
    from delivery.dispatcher import build_dispatcher
    from delivery.doorbell import listen, listens
    from jobs.dispatch_loop import DispatchLoop
    from jobs.scheduler import JobContext

    settings = bench_settings(url, rate)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    clock = virtual_clock(wall_start)
    transport = ConnectorTransport()
    dispatcher = build_dispatcher(
        settings=settings,
        sessions=sessions,
        adapter=build_adapter(settings, transport),
        clock=clock,
    )
    loop = DispatchLoop(JobContext(settings, sessions, clock, dispatcher))
    tasks = [asyncio.create_task(loop.run())]
    if listens(url):
        listening = asyncio.Event()
        tasks.append(asyncio.create_task(listen(url, loop.ring, listening=listening)))
        await listening.wait()
    # Ready, as a running bot would be: the parent starts the clock and the fan-out now.
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    loop.ring()  # SQLite's ring; on PostgreSQL the NOTIFY has woken the loop already
    await until_all_sent(sessions)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await transport.close()
    await engine.dispose()


async def until_all_sent(sessions: Any) -> None:
    """Outside the measured path: the result is read off the fake connector's clock."""
    while True:
        async with sessions() as session:
            waiting = await session.scalar(
                select(func.count()).where(OutboxMessage.status.in_(["pending", "sending"]))
            )
        if not waiting:
            return
        await asyncio.sleep(0.25)


def start_sender(url: str, rate: float, wall_start: float) -> subprocess.Popen:
    """A sending process, set up and waiting for `go` on its standard input."""
    sender = subprocess.Popen(
        [
            sys.executable,
            *os.environ.get("BENCH_PYTHON_FLAGS", "").split(),
            "-m",
            "bench.broadcast",
            "--sender",
            "--database-url",
            url,
            "--rate",
            str(rate),
            "--wall-start",
            repr(wall_start),
        ],
        cwd=Path(__file__).resolve().parents[1],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sender.stdout is not None
    if sender.stdout.readline().strip() != "ready":
        raise SystemExit("the sending process did not start")
    return sender


def go(sender: subprocess.Popen) -> None:
    assert sender.stdin is not None
    sender.stdin.write("go\n")
    sender.stdin.flush()


async def wait_for_all(senders: list[subprocess.Popen]) -> None:
    loop = asyncio.get_running_loop()
    for sender in senders:
        await loop.run_in_executor(None, sender.wait)
        if sender.returncode != 0:
            raise SystemExit(f"a sending process failed with status {sender.returncode}")


def check_senders(senders: int, database_url: str | None) -> str | None:
    """Why this number of senders cannot run, or None."""
    if senders < 1:
        return "--senders must be at least 1"
    if senders > 1 and not (database_url or "").startswith("postgresql"):
        return (
            "--senders above 1 needs PostgreSQL (--database-url postgresql+psycopg://...): "
            "SQLite cannot be shared by several sending processes, as it cannot by several "
            "instances of the bot"
        )
    return None


# -- one run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    recipients: int
    rate: float
    seconds: float
    lost: int
    duplicates: int
    mode: str = "normal"
    in_flight: int = 0
    senders: int = 1
    timeline: str = ""
    refused: dict[str, int] = field(default_factory=dict)

    # The share of requests the fake refuses at random (f): each refusal still costs a token.
    failure_share: float = 0.0
    database: str = "sqlite"

    @property
    def floor(self) -> float:
        return self.recipients / self.rate

    @property
    def efficiency(self) -> float:
        return 100 * self.floor / self.seconds if self.seconds else 0.0

    @property
    def floor_with_refusals(self) -> float:
        """F' = N / ((1 - f) R): N copies take N / (1 - f) requests when a share f is refused,
        and a refused request counts against the tenant's rate as an accepted one does."""
        return self.recipients / ((1 - self.failure_share) * self.rate)

    @property
    def efficiency_with_refusals(self) -> float:
        return 100 * self.floor_with_refusals / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        text = (
            f"broadcast: recipients={self.recipients} rate_limit={self.rate:g} "
            f"seconds={self.seconds:.2f} floor_seconds={self.floor:.2f} "
            f"efficiency={self.efficiency:.1f}% lost={self.lost} duplicates={self.duplicates} "
            f"refused_share={self.failure_share:g} floor_with_refusals_seconds="
            f"{self.floor_with_refusals:.2f} efficiency_with_refusals="
            f"{self.efficiency_with_refusals:.1f}%"
        )
        if self.senders > 1:
            text += f" senders={self.senders}"
        if self.mode == "crash":
            text += f" mode=crash in_flight_at_kill={self.in_flight}"
        return text


@dataclass(frozen=True)
class Goal:
    """An efficiency against F' that a run on this database with this many senders at this rate
    should reach (issue 15)."""

    rate: float
    database: str
    senders: int
    least_percent: float

    def applies_to(self, result: Result) -> bool:
        return (
            result.mode == "normal"
            and result.rate == self.rate
            and result.database == self.database
            and result.senders == self.senders
        )

    def describe(self) -> str:
        return (
            f"efficiency_with_refusals >= {self.least_percent:g}% at {self.rate:g}/s on "
            f"{self.database} with {self.senders} sender{'s' if self.senders > 1 else ''}"
        )


GOALS = (Goal(50, "sqlite", 1, 95.0), Goal(500, "postgresql", 2, 90.0))


def verdicts(result: Result) -> list[str]:
    """The goals this run answers, each "PASS" or "MISS" with what was measured: the efficiency
    goals for their configuration, and for a crash that duplicates stay within the sends that
    were in flight at the kill."""
    lines = []
    for goal in GOALS:
        if goal.applies_to(result):
            met = result.efficiency_with_refusals >= goal.least_percent
            lines.append(
                f"goal: {'PASS' if met else 'MISS'} {goal.describe()} "
                f"(measured {result.efficiency_with_refusals:.1f}%)"
            )
    if result.mode == "crash":
        met = result.duplicates <= result.in_flight
        lines.append(
            f"goal: {'PASS' if met else 'MISS'} duplicates after a crash <= sends in flight "
            f"(duplicates={result.duplicates} in_flight_at_kill={result.in_flight})"
        )
    return lines


async def run(
    recipients: int,
    rate: float,
    failure_share: float,
    mode: str,
    database_url: str | None,
    senders: int = 1,
) -> Result:
    teams = FakeTeams(rate, failure_share, kill_after=recipients // 2 if mode == "crash" else None)
    runner = web.AppRunner(teams.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]  # the port the OS gave the site
    service_url = f"http://127.0.0.1:{port}"
    # Each sender paces itself at its share, so together they keep to the tenant's limit.
    share = rate / senders
    with tempfile.TemporaryDirectory() as directory:
        url = database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        announcement_id = await prepare_database(url, recipients, service_url)
        wall_start = time.time()
        running = [start_sender(url, share, wall_start) for _ in range(senders)]
        engine, sessions = await warm_sessions(url)
        started = time.monotonic()
        queued = await send_now(sessions, announcement_id, virtual_clock(wall_start)())
        fanned_out = time.monotonic() - started
        await engine.dispose()
        assert queued == recipients, queued
        for sender in running:
            go(sender)
        in_flight = 0
        if mode == "crash":
            await teams.reached.wait()
            victim = running.pop(0)
            os.kill(victim.pid, signal.SIGKILL)
            await asyncio.get_running_loop().run_in_executor(None, victim.wait)
            # Claimed rows whose copy reached Teams but which the dead sender never recorded.
            unfinished = await claimed_conversations(url, victim.pid)
            in_flight = sum(1 for c in unfinished if teams.delivered[c])
            # The platform restarts the instance.
            # Off the event loop: the fake connector runs on it, and a new sender takes seconds
            # to start on a busy machine; a loop blocked that long would leave the surviving
            # sender's requests unanswered past its send timeout, and each would be sent again.
            replacement = await asyncio.get_running_loop().run_in_executor(
                None, start_sender, url, share, wall_start
            )
            go(replacement)
            running.append(replacement)
        await wait_for_all(running)
        states = await outbox_states(url)
    await runner.cleanup()
    assert states.get("sent", 0) == recipients, dict(states)
    finished = teams.last_at or time.monotonic()
    counts = [teams.delivered[conversation_of(i)] for i in range(recipients)]
    return Result(
        recipients=recipients,
        rate=rate,
        seconds=finished - started,
        lost=sum(1 for n in counts if n == 0),
        duplicates=sum(n - 1 for n in counts if n > 1),
        mode=mode,
        in_flight=in_flight,
        refused=dict(teams.refused),
        senders=senders,
        failure_share=failure_share,
        database="postgresql" if url.startswith("postgresql") else "sqlite",
        timeline=timeline(teams.accepted_at, started, fanned_out),
    )


def timeline(accepted_at: list[float], started: float, fanned_out: float) -> str:
    """Where the seconds went: the fan-out, the first copy, then shares of the copies accepted."""
    if not accepted_at:
        return f"fan-out {fanned_out:.2f} s, nothing accepted"
    ordered = sorted(accepted_at)
    marks = ", ".join(
        f"{share}% +{ordered[min(len(ordered) - 1, len(ordered) * share // 100)] - started:.2f} s"
        for share in (50, 90, 99)
    )
    return (
        f"fan-out {fanned_out:.2f} s, first copy +{ordered[0] - started:.2f} s, {marks}, "
        f"last +{ordered[-1] - started:.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.broadcast",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="1,000 recipients")
    parser.add_argument("--recipients", type=int)
    parser.add_argument("--rates", default="50,500", help="tenant limits to run, e.g. 50,500")
    parser.add_argument("--crash-rate", type=float, default=500.0)
    parser.add_argument("--failures", type=float, default=0.05, help="share of requests failed")
    parser.add_argument("--modes", default="normal,crash")
    parser.add_argument("--database-url", help="a PostgreSQL database to use (it is emptied)")
    parser.add_argument(
        "--senders",
        type=int,
        default=1,
        help="sending processes on one PostgreSQL database, each at rate/K (default 1)",
    )
    parser.add_argument("--sender", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--wall-start", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sender:
        asyncio.run(run_sender(args.database_url, args.rate, args.wall_start))
        return 0
    bench_lease()
    problem = check_senders(args.senders, args.database_url)
    if problem:
        parser.error(problem)
    recipients = args.recipients or (1000 if args.quick else 10_000)
    modes = args.modes.split(",")
    failed = False
    runs = []
    if "normal" in modes:
        runs += [(float(r), "normal") for r in args.rates.split(",")]
    if "crash" in modes:
        runs.append((args.crash_rate, "crash"))
    for rate, mode in runs:
        result = asyncio.run(
            run(recipients, rate, args.failures, mode, args.database_url, args.senders)
        )
        print(result.line(), flush=True)
        for verdict in verdicts(result):
            print(verdict, flush=True)
        print(f"  refused by the fake connector: {result.refused}", file=sys.stderr, flush=True)
        print(f"  timeline: {result.timeline}", file=sys.stderr, flush=True)
        if result.lost or (mode == "normal" and result.duplicates):
            failed = True
        if mode == "crash" and result.duplicates > result.in_flight:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
