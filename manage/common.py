"""What the commands share: the database for one run, who a changing command acts as, and how a
refusal is reported (a message and exit status 1, never a traceback).

Every command that imports or changes data takes `--by EMAIL|CODE`: the person on the roster the
command acts for, named in the audit log. Without it the command acts as the command line's system
actor (`system:command-line` in the audit). A `--by` that names nobody active on the roster, or
someone who may not do what the command does, changes nothing and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from config import Settings
from fileformats.tabular import ImportFailed
from storage.db import make_engine, make_session_factory
from usecases.context import COMMAND_LINE, Actor, UnitOfWork
from usecases.people import NotPermitted, actor_named

Command = Callable[[Settings, argparse.Namespace], Awaitable[int]]
Reading = Callable[[Settings, UnitOfWork, argparse.Namespace], Awaitable[int]]
Changing = Callable[[Settings, UnitOfWork, Actor, argparse.Namespace], Awaitable[int]]


def add_by_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by",
        metavar="EMAIL|CODE",
        help="who is acting: a work email or person code on the roster, recorded in the audit "
        "log (without it, the audit names the command line)",
    )


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[UnitOfWork]:
    """The settings' database for one command; the engine is closed when the command ends."""
    engine = make_engine(settings.database_url)
    try:
        yield UnitOfWork(make_session_factory(engine))
    finally:
        await engine.dispose()


def reading(command: Reading) -> Command:
    """A command that only reads."""

    async def run(settings: Settings, args: argparse.Namespace) -> int:
        async with database(settings) as work:
            return await command(settings, work, args)

    return run


def acting(command: Changing) -> Command:
    """A command that changes data, as the person given by `--by` or the command line."""

    async def run(settings: Settings, args: argparse.Namespace) -> int:
        async with database(settings) as work:
            actor = await actor_of(args.by, work, settings)
            if actor is None:
                print(f"{args.by} is not on the roster; nothing was changed", file=sys.stderr)
                return 1
            try:
                return await command(settings, work, actor, args)
            except NotPermitted as refused:
                print(f"nothing was changed: {refused}", file=sys.stderr)
                return 1

    return run


async def actor_of(by: str | None, work: UnitOfWork, settings: Settings) -> Actor | None:
    """The person `--by` names (None when it names nobody), or the command line's system actor."""
    if by is None:
        return COMMAND_LINE
    return await actor_named(by, work, admin_emails=settings.admin_emails)


def report_failure(failure: ImportFailed, nothing: str = "nothing was imported") -> int:
    print(
        f"{nothing}; fix these {len(failure.errors)} problem(s) and try again:",
        file=sys.stderr,
    )
    for error in failure.errors:
        print(f"  {error}", file=sys.stderr)
    return 1
