"""Reaching everyone: N people none of whom have the bot, installed through a fake Microsoft Graph
and then sent an announcement through a fake Bot Connector, by the real install queue, installer
and dispatcher.

    python -m bench.reach                  # 10,000 people
    python -m bench.reach --quick          # 600 people
    python -m bench.reach --people 2000 --database-url postgresql+psycopg://.../bench

It prints

    reach: users=N installed=I unreachable=U seconds=S floor_seconds=F efficiency=P% lost=L
        duplicates=D

(on one line), where S runs from the first install request to the last copy accepted, F =
N / ((1 - f) * 30) is the install floor (Graph allows 30 installs a second and refuses a share f
at random, each refusal costing a request; sends follow installs as they finish, at 50 a second,
so they add only the tail) and P = F / S. L counts the people installed whose copy never arrived,
D the copies accepted twice plus installs made twice. Then a `goal:` line, PASS or MISS, for
efficiency at least 90%, lost 0 and duplicates 0. The exit status is 1 when a copy was lost or
anything done twice.

The fakes run in this process: Entra over TLS on loopback (its certificate made at start and
trusted through GRAPH_CA_FILE's setting), Graph enforcing 30 installs a second (a token bucket
holding one second's worth) and refusing a share (5% by default) with 429 and Retry-After: 1, and
the Bot Connector of bench/broadcast.py at 50 a second. The bot's side (the dispatch loop and the
install worker, woken by each other as in the app) runs in a child process, as the bot would.
Benchmarks never import tests, so the fake Graph here is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bench.broadcast import (
    VIRTUAL_START,
    FakeTeams,
    send_now,
    virtual_clock,
    warm_sessions,
)
from bench.loopback import Bucket, self_signed
from bench.population import add_draft, add_people, fresh_schema
from domain.broadcasts import Content
from storage.db import make_engine, make_session_factory
from storage.models.installs import InstallWork
from storage.models.outbox import OutboxMessage

CLIENT_ID = "00000000-0000-4000-8000-0000000be4c0"
CLIENT_SECRET = "bench-secret"
TENANT = "11111111-2222-3333-4444-555555555555"
CATALOG_ID = "bench-catalog-app"
INSTALL_RATE = 30.0
SEND_RATE = 50.0
GOAL_PERCENT = 90.0


# -- the fakes -------------------------------------------------------------------------------------


@dataclass
class FakeGraph:
    """Entra's token endpoint and Graph's installedApps, with Graph's limits."""

    refused_share: float
    rate: float = INSTALL_RATE
    seed: int = 19
    installed: set[str] = field(default_factory=set)
    installs_made: Counter[str] = field(default_factory=Counter)
    answers: Counter[int] = field(default_factory=Counter)
    first_at: float | None = None
    token: str = field(default_factory=lambda: f"bench-token-{random.random()}")
    _bucket: Bucket = field(init=False)
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._bucket = Bucket(self.rate)
        self._rng = random.Random(self.seed)

    def login_app(self, base: list[str]) -> web.Application:
        async def configuration(request: web.Request) -> web.Response:
            tenant = f"{base[0]}/{request.match_info['tenant']}"
            return web.json_response(
                {
                    "token_endpoint": f"{tenant}/oauth2/v2.0/token",
                    "authorization_endpoint": f"{tenant}/oauth2/v2.0/authorize",
                    "issuer": f"{tenant}/v2.0",
                }
            )

        async def token(request: web.Request) -> web.Response:
            form = await request.post()
            if form.get("client_secret") != CLIENT_SECRET:
                return web.json_response({"error": "invalid_client"}, status=401)
            return web.json_response(
                {"token_type": "Bearer", "expires_in": 3599, "access_token": self.token}
            )

        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", configuration)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
        return app

    def graph_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self.install)
        return app

    def _answer(self, status: int, **headers: str) -> web.Response:
        self.answers[status] += 1
        return web.json_response({"status": status}, status=status, headers=headers)

    async def install(self, request: web.Request) -> web.Response:
        await request.read()
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._answer(401)
        self.first_at = self.first_at or time.monotonic()
        if not self._bucket.take() or self._rng.random() < self.refused_share:
            return self._answer(429, **{"Retry-After": "1"})
        user = request.match_info["user"]
        if user in self.installed:
            return self._answer(409)
        self.installed.add(user)
        self.installs_made[user] += 1
        return self._answer(201)


class FakeTeamsOpening(FakeTeams):
    """bench/broadcast.py's Bot Connector, which also opens personal chats."""

    def app(self) -> web.Application:
        app = super().app()
        app.router.add_post("/v3/conversations", self.create_conversation)
        return app

    async def create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        member = body["members"][0]["id"]
        return web.json_response({"id": f"a:{member}"})


async def serve(app: web.Application, context: ssl.SSLContext | None = None) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
    return runner


def port_of(runner: web.AppRunner) -> int:
    return runner.addresses[0][1]


# -- the database ----------------------------------------------------------------------------------


async def prepare_database(url: str, people: int) -> int:
    """A fresh schema with N people linked to Entra (u-0...), none with a chat with the bot, and
    a draft to all of them; returns its id."""
    engine = await fresh_schema(url)
    async with make_session_factory(engine)() as session, session.begin():
        population = await add_people(session, people, linked=True)
        content = Content("Reaching everyone", "Sent to people who have never opened the bot.")
        announcement_id = await add_draft(session, population, content, now=VIRTUAL_START)
    await engine.dispose()
    return announcement_id


async def states(url: str) -> tuple[Counter[str], Counter[str]]:
    """Outbox and install queue rows by status."""
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        sent = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        installed = await session.execute(
            select(InstallWork.status, func.count()).group_by(InstallWork.status)
        )
        found = Counter(dict(sent.tuples().all())), Counter(dict(installed.tuples().all()))
    await engine.dispose()
    return found


# -- the bot's side (a child process) --------------------------------------------------------------


async def run_bot(
    url: str, graph_url: str, login_url: str, ca_file: str, service_url: str, wall_start: float
) -> None:
    """The dispatch loop and the install worker as the app runs them, each waking the other."""
    from dataclasses import replace

    from config import GraphSettings, Settings
    from delivery.adapter import build_adapter
    from delivery.connector_transport import ConnectorTransport
    from delivery.dispatcher import build_dispatcher
    from delivery.graph import GraphClient, MsalTokenSource
    from delivery.installer import Installer
    from delivery.sender import ProactiveSender
    from jobs.context import JobContext
    from jobs.dispatch_loop import DispatchLoop
    from jobs.installs import InstallWorker

    graph_settings = GraphSettings(
        proactive_install=True,
        graph_base_url=graph_url,
        app_catalog_id=CATALOG_ID,
        installs_per_second=INSTALL_RATE,
        teams_service_url=service_url + "/",
        ca_file=ca_file,
    )
    base = Settings(
        database_url=url, scheduler_enabled=False, login_base_url=login_url, graph=graph_settings
    )
    settings = replace(
        base,
        reminders=replace(
            base.reminders,
            per_tenant_per_second=SEND_RATE,
            dispatch_batch_size=200,
            dispatch_concurrency=16,
            backoff_base_seconds=1,
            send_timeout_seconds=5,
            lease_seconds=30,
        ),
    )
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    clock = virtual_clock(wall_start)
    transport = ConnectorTransport()
    # No app id: the fake connector takes anonymous sends, as in bench/broadcast.py.
    adapter = build_adapter(Settings(), transport)
    rings: list[Any] = []

    def wake_installer() -> None:
        for ring in rings:
            ring()

    dispatcher = build_dispatcher(
        settings=settings,
        sessions=sessions,
        adapter=adapter,
        clock=clock,
        on_installs_wanted=wake_installer,
    )
    loop = DispatchLoop(JobContext(settings, sessions, clock, dispatcher))
    tokens = MsalTokenSource(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        tenant_id=TENANT,
        login_base_url=login_url,
        ca_file=ca_file,
    )
    graph = GraphClient(graph_url, tokens)
    await tokens.token()  # msal reads Entra's configuration once, before the clock starts
    installer = Installer(
        sessions=sessions,
        graph=graph,
        opener=ProactiveSender(adapter, "", 5),
        settings=graph_settings,
        tenant_id=TENANT,
        bot_app_id="bench-bot",
        clock=clock,
        on_finished=loop.ring,
    )
    worker = InstallWorker(installer, clock, interval_seconds=5)
    rings.append(worker.ring)
    tasks = [asyncio.create_task(loop.run()), asyncio.create_task(worker.run())]
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    loop.ring()
    await until_done(sessions)
    worker.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await graph.close()
    await transport.close()
    await engine.dispose()


async def until_done(sessions: Any) -> None:
    """Outside the measured path: the result is read off the fakes' clocks."""
    while True:
        async with sessions() as session:
            sending = await session.scalar(
                select(func.count()).where(OutboxMessage.status.in_(["pending", "sending"]))
            )
            installing = await session.scalar(
                select(func.count()).where(InstallWork.status.in_(["pending", "working"]))
            )
        if not sending and not installing:
            return
        await asyncio.sleep(0.25)


def start_bot(
    url: str, graph_url: str, login_url: str, ca_file: str, service_url: str, wall_start: float
) -> Any:
    bot = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.reach",
            "--bot",
            "--database-url",
            url,
            "--graph-url",
            graph_url,
            "--login-url",
            login_url,
            "--ca-file",
            ca_file,
            "--service-url",
            service_url,
            "--wall-start",
            repr(wall_start),
        ],
        cwd=Path(__file__).resolve().parents[1],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert bot.stdout is not None and bot.stdin is not None
    if bot.stdout.readline().strip() != "ready":
        raise SystemExit("the bot process did not start")
    return bot


# -- one run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    users: int
    installed: int
    unreachable: int
    seconds: float
    refused_share: float
    lost: int
    duplicates: int

    @property
    def floor(self) -> float:
        return self.users / ((1 - self.refused_share) * INSTALL_RATE)

    @property
    def efficiency(self) -> float:
        return 100 * self.floor / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"reach: users={self.users} installed={self.installed} "
            f"unreachable={self.unreachable} seconds={self.seconds:.2f} "
            f"floor_seconds={self.floor:.2f} efficiency={self.efficiency:.1f}% "
            f"lost={self.lost} duplicates={self.duplicates}"
        )

    def verdict(self) -> str:
        met = self.efficiency >= GOAL_PERCENT and not self.lost and not self.duplicates
        return (
            f"goal: {'PASS' if met else 'MISS'} efficiency >= {GOAL_PERCENT:g}%, lost 0, "
            f"duplicates 0 (measured {self.efficiency:.1f}%, lost {self.lost}, "
            f"duplicates {self.duplicates})"
        )


async def run(people: int, refused_share: float, database_url: str | None) -> Result:
    graph = FakeGraph(refused_share)
    teams = FakeTeamsOpening(SEND_RATE, 0.0)
    with tempfile.TemporaryDirectory() as directory:
        login_base: list[str] = []
        login = await serve(graph.login_app(login_base), self_signed(Path(directory)))
        login_base.append(f"https://127.0.0.1:{port_of(login)}")
        graph_runner = await serve(graph.graph_app())
        connector = await serve(teams.app())
        graph_url = f"http://127.0.0.1:{port_of(graph_runner)}/v1.0"
        service_url = f"http://127.0.0.1:{port_of(connector)}"
        url = database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        announcement_id = await prepare_database(url, people)
        wall_start = time.time()
        ca_file = str(Path(directory) / "cert.pem")
        # Off the event loop: the bot asks the fake Entra (served on it) for a token before it
        # says it is ready.
        bot = await asyncio.get_running_loop().run_in_executor(
            None, start_bot, url, graph_url, login_base[0], ca_file, service_url, wall_start
        )
        engine, sessions = await warm_sessions(url)
        queued = await send_now(sessions, announcement_id, virtual_clock(wall_start)())
        await engine.dispose()
        assert queued == people, queued
        assert bot.stdin is not None
        bot.stdin.write("go\n")
        bot.stdin.flush()
        await asyncio.get_running_loop().run_in_executor(None, bot.wait)
        if bot.returncode != 0:
            raise SystemExit(f"the bot process failed with status {bot.returncode}")
        outbox, installs = await states(url)
        for runner in (login, graph_runner, connector):
            await runner.cleanup()
    finished = teams.last_at or time.monotonic()
    started = graph.first_at or finished
    installed = installs.get("installed", 0) + installs.get("already_installed", 0)
    counts = [teams.delivered[f"a:u-{i}"] for i in range(people)]
    print(f"  graph answers: {dict(graph.answers)}", file=sys.stderr)
    print(f"  outbox: {dict(outbox)} installs: {dict(installs)}", file=sys.stderr)
    return Result(
        users=people,
        installed=installed,
        unreachable=people - installed,
        seconds=finished - started,
        refused_share=refused_share,
        lost=sum(1 for n in counts if n == 0) - (people - installed),
        duplicates=sum(n - 1 for n in counts if n > 1)
        + sum(n - 1 for n in graph.installs_made.values() if n > 1),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reach",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="600 people")
    parser.add_argument("--people", type=int)
    parser.add_argument("--refused", type=float, default=0.05, help="share of installs refused")
    parser.add_argument("--database-url", help="a PostgreSQL database to use (it is emptied)")
    parser.add_argument("--bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--graph-url", help=argparse.SUPPRESS)
    parser.add_argument("--login-url", help=argparse.SUPPRESS)
    parser.add_argument("--ca-file", help=argparse.SUPPRESS)
    parser.add_argument("--service-url", help=argparse.SUPPRESS)
    parser.add_argument("--wall-start", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bot:
        asyncio.run(
            run_bot(
                args.database_url,
                args.graph_url,
                args.login_url,
                args.ca_file,
                args.service_url,
                args.wall_start,
            )
        )
        return 0
    people = args.people or (600 if args.quick else 10_000)
    result = asyncio.run(run(people, args.refused, args.database_url))
    print(result.line(), flush=True)
    print(result.verdict(), flush=True)
    return 1 if result.lost or result.duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
