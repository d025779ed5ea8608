"""Turn latency of the partnership bot beside a stock botbuilder echo bot, same run, same machine.

    python -m bench.turn_latency                       # about a minute; prints p50/p99 and ratios
    python -m bench.turn_latency --requests 600 --rounds 2
    python -m bench.turn_latency --profile bot         # pyinstrument profile of the bot's process
    python -m bench.turn_latency --profile bot --only "my actions" --runs 1   # of one command
    python -m bench.turn_latency --check               # exit 1 when the bot is slower than echo

Each server runs in a process of its own on loopback (development mode, no auth): the bot is
`create_app` on a migrated SQLite database seeded with the demo partnership; the echo bot is the
SDK sample (`CloudAdapter` + `ActivityHandler` replying "Echo: ..."), stock, nothing cached. Both
reply through the same minimal fake Bot Connector (bench/fake_connector.py) in this process,
which also sends the load: realistic personal-chat turns from the demo people ("help", "hello",
a typo that gets suggestions, "my actions" once that command exists, and the one-line chatted update
"A14 amber: 45 of 60 trained"), at each concurrency,
in interleaved rounds (echo, bot, echo, bot, ...) so that other load on a shared machine falls on
both alike. Latency is the client's: POST /api/messages until the HTTP answer, which comes after
the reply was sent to the connector.

This module imports botbuilder only for the echo bot it compares against.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

from bench.fake_connector import BenchConnector

REPO = Path(__file__).resolve().parents[1]
TENANT_ID = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:partnership-bot"
TEXTS = ("help", "hello", "halp", "my actions", "A14 amber: 45 of 60 trained")
# The commands reported one by one, by the name of the row; the chatted update is the one-line
# form of an update, measured as whatever this build answers to it.
COMMANDS = {
    "help": "help",
    "my actions": "my actions",
    "A14 amber: 45 of 60 trained": "chatted update",
}


# -- the servers under test (run in child processes) -----------------------------------------------


def echo_app() -> web.Application:
    """The SDK's echo sample: CloudAdapter, ActivityHandler, no caching of anything."""
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(
                MessageFactory.text(f"Echo: {turn_context.activity.text}")
            )

    configuration = SimpleNamespace(
        APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID=""
    )
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(configuration))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, bot)
        assert response is not None, "only a websocket GET gets no response; this route is POST"
        return response

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def partnership_app(database_url: str) -> web.Application:
    from bot import create_app
    from config import Settings

    settings = Settings(database_url=database_url, scheduler_enabled=False, log_level="WARNING")
    return create_app(settings)


async def serve(kind: str, database_url: str, profile_to: str | None) -> str | None:
    """Serve until SIGTERM; returns the profile's text when asked to profile."""
    app = echo_app() if kind == "echo" else partnership_app(database_url)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    profiler = None
    if profile_to:
        from pyinstrument import Profiler

        # The whole thread, waiting included, so time spent outside coroutines shows too.
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    await stop.wait()
    await runner.cleanup()
    if profiler is not None:
        profiler.stop()
        return profiler.output_text(unicode=True, color=False, show_all=True)
    return None


@dataclass
class Server:
    kind: str
    process: asyncio.subprocess.Process
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/messages"

    @classmethod
    async def spawn(cls, kind: str, database_url: str, profile_to: str | None) -> Server:
        command = [sys.executable, "-m", "bench.turn_latency", "--serve", kind]
        command += ["--database-url", database_url]
        if profile_to:
            command += ["--profile-to", profile_to]
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), "PYTHON_DOTENV_DISABLED": "1"},
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        if not line.startswith(b"PORT "):
            raise RuntimeError(f"the {kind} server did not start")
        return cls(kind, process, int(line.split()[1]))

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            # A profiled server writes its profile first, which takes minutes on a busy machine.
            await asyncio.wait_for(self.process.wait(), timeout=600)


# -- the load -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    code: str
    name: str
    email: str

    @property
    def id(self) -> str:
        return f"29:{self.code}"

    @property
    def aad_object_id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aad:{self.code}"))

    def member(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "userPrincipalName": self.email,
            "aadObjectId": self.aad_object_id,
        }


def demo_users() -> list[User]:
    from manage.seed import demo_data

    return [User(p["id"], p["name"], p["email"]) for p in demo_data()["people"]]


def message(user: User, text: str, service_url: str) -> dict[str, Any]:
    conversation = f"a:personal-{user.code}"
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "timestamp": datetime.now(UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad_object_id},
        "conversation": {
            "id": conversation,
            "conversationType": "personal",
            "tenantId": TENANT_ID,
        },
        "recipient": {"id": BOT_ID, "name": "Partnership Bot"},
        "channelData": {"tenant": {"id": TENANT_ID}},
        "locale": "en-GB",
        "text": text,
    }


def turns(users: list[User], texts: tuple[str, ...], service_url: str) -> Iterator[dict]:
    for user, text in zip(itertools.cycle(users), itertools.cycle(texts), strict=False):
        yield message(user, text, service_url)


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: int = 0
    by_text: dict[str, list[float]] = field(default_factory=dict)

    def add(self, other: Sample) -> None:
        self.latencies += other.latencies
        self.seconds += other.seconds
        self.failures += other.failures
        for text, latencies in other.by_text.items():
            self.by_text.setdefault(text, []).extend(latencies)

    def record(self, text: str, seconds: float) -> None:
        self.latencies.append(seconds)
        self.by_text.setdefault(text, []).append(seconds)

    def percentile(self, p: float, text: str | None = None) -> float:
        ordered = sorted(self.latencies if text is None else self.by_text[text])
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def drive(
    http: ClientSession, url: str, activities: Iterator[dict], count: int, concurrency: int
) -> Sample:
    sample = Sample()
    queue = [next(activities) for _ in range(count)]
    pending = iter(queue)

    async def worker() -> None:
        for activity in pending:
            started = time.perf_counter()
            async with http.post(url, json=activity) as response:
                await response.read()
                ok = response.status in (200, 201)
            sample.record(activity["text"], time.perf_counter() - started)
            sample.failures += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    sample.seconds = time.perf_counter() - started
    return sample


async def prepare_database(database_url: str) -> None:
    from manage.seed import seed_demo
    from storage import migrate
    from storage.db import make_engine, make_session_factory

    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine)
        await seed_demo(make_session_factory(engine))
    finally:
        await engine.dispose()


def bot_texts() -> tuple[str, ...]:
    """The realistic commands this build of the bot understands."""
    from dialogs.features import build_registry

    registry = build_registry()
    understood = ("halp", "A14 amber: 45 of 60 trained")  # answered either way
    chosen = tuple(t for t in TEXTS if t in understood or registry.match(t) is not None)
    return chosen


@dataclass
class Result:
    concurrency: int
    echo: Sample
    bot: Sample


async def measure(args: argparse.Namespace) -> list[Result]:
    users = demo_users()
    texts = tuple(args.only) if args.only else bot_texts()
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        database_url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        await prepare_database(database_url)
        connector = await BenchConnector({u.id: u.member() for u in users}).start()
        bot = await Server.spawn("bot", database_url, args.profile_to_for("bot"))
        echo = await Server.spawn("echo", database_url, args.profile_to_for("echo"))
        try:
            timeout = ClientTimeout(total=60)
            async with ClientSession(connector=TCPConnector(limit=0), timeout=timeout) as http:
                for_bot = turns(users, texts, connector.url)
                for_echo = turns(users, texts, connector.url)
                # Warm up: every person says hello once (the bot links them to the roster).
                await drive(http, bot.url, turns(users, ("hello",), connector.url), len(users), 1)
                await drive(http, bot.url, for_bot, args.warmup, 4)
                await drive(http, echo.url, for_echo, args.warmup, 4)
                results = []
                for concurrency in args.concurrency:
                    result = Result(concurrency, Sample(), Sample())
                    per_round = max(1, args.requests // args.rounds)
                    for _ in range(args.rounds):
                        result.echo.add(
                            await drive(http, echo.url, for_echo, per_round, concurrency)
                        )
                        result.bot.add(await drive(http, bot.url, for_bot, per_round, concurrency))
                    results.append(result)
            sent = sum(len(r.bot.latencies) + len(r.echo.latencies) for r in results)
            failures = sum(r.bot.failures + r.echo.failures for r in results)
            if failures:
                raise RuntimeError(f"{failures} of {sent} requests failed")
        finally:
            await bot.stop()
            await echo.stop()
            await connector.close()
    print(f"bot turns: {', '.join(texts)}; replies received by the connector: {connector.replies}")
    return results


def report(results: list[Result], args: argparse.Namespace) -> bool:
    print(
        f"\nturn latency: {args.requests} requests per server per concurrency in "
        f"{args.rounds} interleaved rounds; SQLite; development mode (no auth)\n"
    )
    print(f"{'concurrency':>11}  {'server':<6}  {'p50 ms':>8}  {'p99 ms':>8}  {'req/s':>7}")
    within = True
    for result in results:
        for name, sample in (("echo", result.echo), ("bot", result.bot)):
            print(
                f"{result.concurrency:>11}  {name:<6}  {sample.percentile(50):>8.2f}  "
                f"{sample.percentile(99):>8.2f}  {sample.rate:>7.0f}"
            )
        p50 = result.bot.percentile(50) / result.echo.percentile(50)
        p99 = result.bot.percentile(99) / result.echo.percentile(99)
        within = within and p50 <= 1.0 and p99 <= 1.0
        print(f"{'':>11}  {'ratio':<6}  {p50:>8.2f}  {p99:>8.2f}   (bot / echo)")
        for text, name in command_rows(result):
            print(
                f"{'':>11}  {name:<14}  p50 {result.bot.percentile(50, text):>7.2f}  "
                f"p99 {result.bot.percentile(99, text):>7.2f}  "
                f"p50 ratio {command_ratio(result, text):.2f}x echo"
            )
    return within


def command_rows(result: Result) -> list[tuple[str, str]]:
    return [(text, name) for text, name in COMMANDS.items() if text in result.bot.by_text]


def command_ratio(result: Result, text: str) -> float:
    """A command's p50 beside the echo bot's p50 over every turn it answered in the same run."""
    return result.bot.percentile(50, text) / result.echo.percentile(50)


def report_medians(runs: list[list[Result]]) -> None:
    print(f"\nmedian p50 ratio (command / echo) of {len(runs)} runs:")
    for index, first in enumerate(runs[0]):
        for text, name in command_rows(first):
            ratios = [command_ratio(run[index], text) for run in runs]
            shown = ", ".join(f"{r:.2f}" for r in ratios)
            print(
                f"  concurrency {first.concurrency:>3}  {name:<14}  "
                f"{statistics.median(ratios):.2f}x  ({shown})"
            )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bench.turn_latency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument("--requests", type=int, default=1200, help="per server per concurrency")
    root.add_argument("--rounds", type=int, default=6, help="interleaved echo/bot rounds")
    root.add_argument("--runs", type=int, default=3, help="whole runs; the medians are of these")
    root.add_argument("--warmup", type=int, default=100, help="unmeasured requests per server")
    root.add_argument(
        "--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[1, 16]
    )
    root.add_argument(
        "--only", action="append", metavar="TEXT", help="send only this text (repeatable)"
    )
    root.add_argument("--profile", choices=["bot", "echo"], help="profile that server's process")
    root.add_argument("--profile-file", type=Path, default=Path("build/turn_profile.txt"))
    root.add_argument("--check", action="store_true", help="exit 1 unless bot <= echo")
    root.add_argument("--serve", choices=["bot", "echo"], help=argparse.SUPPRESS)
    root.add_argument("--database-url", help=argparse.SUPPRESS)
    root.add_argument("--profile-to", help=argparse.SUPPRESS)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.serve:
        with contextlib.suppress(KeyboardInterrupt):
            profile = asyncio.run(serve(args.serve, args.database_url, args.profile_to))
            if profile is not None:
                Path(args.profile_to).write_text(profile, encoding="utf-8")
        return 0

    def profile_to_for(kind: str) -> str | None:
        if args.profile != kind:
            return None
        args.profile_file.parent.mkdir(parents=True, exist_ok=True)
        return str(args.profile_file.resolve())

    args.profile_to_for = profile_to_for
    started = time.perf_counter()
    runs = []
    within = True
    for number in range(1, args.runs + 1):
        print(f"\n== run {number} of {args.runs}")
        runs.append(asyncio.run(measure(args)))
        within = report(runs[-1], args) and within
    report_medians(runs)
    print(f"\n(took {time.perf_counter() - started:.0f} s)")
    if args.profile:
        print(f"profile of the {args.profile} process: {args.profile_file}")
    return 0 if within or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
