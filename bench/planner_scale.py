"""Reminder planning at scale: one full planning pass
(`usecases.reminder_planning.plan_reminders`, every planner source) over a synthetic partnership
in the real schema.

    python -m bench.planner_scale                          # 10,000 and 100,000 actions
    python -m bench.planner_scale --sizes 2000 --people 500
    python -m bench.planner_scale --database-url postgresql+psycopg://postgres@127.0.0.1:5432/rem
    python -m bench.planner_scale --profile                # pyinstrument, largest size

For each size it prints

    planner: actions=N people=P seconds=S peak_mb=M rows=R

where S is the wall time of the pass, R the outbox rows it inserted (the outbox starts empty),
and M the peak resident set size (`ru_maxrss`) of a fresh Python process that ran only that pass:
the honest figure, including the interpreter and every import. Printed beside it: that process's
footprint before the pass, and the CPU time the pass used in it (on a machine shared with other
work, wall time stretches and CPU time much less; the database server's own CPU is not in it).
Then the growth between the smallest and largest size:

    planner: growth actions_ratio=10.0 seconds_ratio=X

The goal (issue 5): 100,000 actions in under 10 seconds, seconds_ratio at most 12, peak under
300 MB. A second pass over the same data (everything already queued: what most ticks do) is timed
too and printed on its own line.

The data, built with bulk inserts before each size: P people in 40 agencies, 200 groups each with
a chair and about 50 members, and N actions led by random people in random groups: about 10% due
within the due-soon window, 30% overdue (some long enough to escalate), 10% not updated for
longer than the stale period, 35% due later and 15% complete (most awaiting evidence of impact
beyond the follow-up interval). Beside them: meetings and training sessions in the reminder
windows with people booked, waiting-list promotions not yet told, a rapid review clock, admins,
and reminder preferences (digest, pause, quiet hours) for one person in twenty. The database is a
SQLite file in a temporary directory unless --database-url names a PostgreSQL database, which is
emptied.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# A Tuesday, 09:00 in London: a working day in an ordinary week.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
AGENCIES = 40
GROUPS = 200
MEMBERS_PER_GROUP = 50
INSERT_BATCH = 5000
PROFILE_FILE = REPO / "build" / "planner_profile.txt"


# -- the synthetic partnership ---------------------------------------------------------------------


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def people_rows(count: int) -> Iterator[dict[str, Any]]:
    for i in range(1, count + 1):
        yield {
            "id": i,
            "code": f"B{i}",
            "name": f"Person {i}",
            "email": f"p{i}@bench.example",
            "agency_id": 1 + i % AGENCIES,
            "role_title": "",
            "is_champion": False,
            "is_admin": i <= 3,
            "is_scrutineer": False,
            "is_guest": False,
            "active": True,
        }


def membership_rows(people: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for group in range(1, GROUPS + 1):
        for person in sorted(rng.sample(range(1, people + 1), min(people, MEMBERS_PER_GROUP))):
            yield {"group_id": group, "person_id": person}


def action_row(i: int, people: int, rng: random.Random) -> dict[str, Any]:
    """One action of the mix: due soon, overdue, stale, due later, or complete."""
    share = rng.random()
    status = rng.choice(("not_started", "in_progress"))
    completed_on = impact = None
    last_update: date | None = TODAY - timedelta(days=rng.randint(1, 60))
    if share < 0.10:  # due within the due-soon window (5 working days)
        due = TODAY + timedelta(days=rng.randint(0, 6))
    elif share < 0.40:  # overdue, from days to months (escalated after 10 working days)
        due = TODAY - timedelta(days=rng.randint(1, 120))
        last_update = TODAY - timedelta(days=rng.randint(8, 200))
    elif share < 0.50:  # due later but not updated for longer than the stale period
        due = TODAY + timedelta(days=rng.randint(30, 300))
        last_update = TODAY - timedelta(days=rng.randint(91, 400))
    elif share < 0.85:  # due later, recently updated: nothing to say
        due = TODAY + timedelta(days=rng.randint(10, 400))
    else:  # complete; most still awaiting evidence of impact, many past the follow-up
        status = "complete"
        completed_on = TODAY - timedelta(days=rng.randint(10, 300))
        due = completed_on + timedelta(days=rng.randint(-30, 30))
        impact = rng.choice(("awaited", None, None, "evidenced"))
    return {
        "reference": f"A{i:07d}",
        "priority_id": 1 + i % 5,
        "source_id": 1 + i % 10,
        "text": f"Synthetic action {i}",
        "lead_id": rng.randint(1, people) if rng.random() < 0.97 else None,
        "lead_agency_id": 1 + i % AGENCIES,
        "group_id": rng.randint(1, GROUPS),
        "due_date": due,
        "status": status,
        "last_update_on": last_update,
        "completed_on": completed_on,
        "impact": impact,
    }


async def build_database(url: str, actions: int, people: int, seed: int = 5) -> None:
    """A fresh schema holding the synthetic partnership."""
    from sqlalchemy import insert

    from storage.db import make_engine
    from storage.models import (
        Action,
        Agency,
        Booking,
        Course,
        CourseSession,
        Group,
        Meeting,
        Membership,
        Person,
        Priority,
        ReminderPreference,
        Source,
        StatutoryClock,
    )
    from storage.schema import create_schema, drop_schema

    rng = random.Random(seed)
    engine = make_engine(url)
    try:
        await drop_schema(engine)  # the previous size's data, if any
        await create_schema(engine)
        async with engine.begin() as db:
            await db.execute(
                insert(Agency),
                [
                    {"id": a, "code": f"AG{a}", "name": f"Agency {a}"}
                    for a in range(1, AGENCIES + 1)
                ],
            )
            for batch in _batches(people_rows(people)):
                await db.execute(insert(Person), batch)
            await db.execute(
                insert(Group),
                [
                    # Chairs from the first few hundred people: a chair has several groups.
                    {
                        "id": g,
                        "code": f"G{g}",
                        "name": f"Group {g}",
                        "chair_id": 1 + g % min(300, people),
                    }
                    for g in range(1, GROUPS + 1)
                ],
            )
            for batch in _batches(membership_rows(people, rng)):
                await db.execute(insert(Membership), batch)
            await db.execute(
                insert(Priority),
                [{"id": p, "code": f"P{p}", "name": f"Priority {p}"} for p in range(1, 6)],
            )
            await db.execute(
                insert(Source),
                [{"id": s, "code": f"S{s}", "title": f"Source {s}"} for s in range(1, 11)],
            )
            rows = (action_row(i, people, rng) for i in range(1, actions + 1))
            for batch in _batches(rows):
                await db.execute(insert(Action), batch)
            await _events(db, people, rng, Meeting, Course, CourseSession, Booking)
            await db.execute(
                insert(StatutoryClock),
                [
                    {
                        "reference": "RR-BENCH-1",
                        "group_code": "G1",
                        "notified_on": TODAY - timedelta(days=14),
                        "due_on": TODAY + timedelta(days=6),
                    }
                ],
            )
            await db.execute(insert(ReminderPreference), list(_preferences(people, rng)))
    finally:
        await engine.dispose()


def _preferences(people: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for person in range(1, people + 1, 20):
        choice = rng.random()
        yield {
            "person_id": person,
            "digest_only": choice < 0.5,
            "paused_until": TODAY + timedelta(days=10) if 0.5 <= choice < 0.7 else None,
            "quiet_start": "17:00" if choice >= 0.7 else None,
            "quiet_end": "09:30" if choice >= 0.7 else None,
        }


async def _events(db: Any, people: int, rng: random.Random, *models: Any) -> None:
    """Meetings in the reminder window, training sessions with bookings, promotions untold."""
    from sqlalchemy import insert

    meeting, course, course_session, booking = models
    await db.execute(
        insert(meeting),
        [
            {
                "uid": f"bench-meeting-{g}",
                "group_id": g,
                "starts_at": NOW + timedelta(days=1 + g % 5, hours=1),
                "ends_at": NOW + timedelta(days=1 + g % 5, hours=3),
            }
            for g in range(1, 41)
        ],
    )
    await db.execute(insert(course), [{"id": 1, "code": "BT1", "title": "Bench course"}])
    sessions = [
        {
            "id": s,
            "uid": f"bench-session-{s}",
            "course_id": 1,
            "starts_at": NOW + timedelta(days=2 + s, hours=1),
            "ends_at": NOW + timedelta(days=2 + s, hours=4),
            "capacity": 30,
        }
        for s in range(1, 21)
    ]
    await db.execute(insert(course_session), sessions)
    bookings = []
    for s in range(1, 21):
        for n, person in enumerate(rng.sample(range(1, people + 1), min(people, 30))):
            promoted = n == 0
            bookings.append(
                {
                    "session_id": s,
                    "person_id": person,
                    "status": "booked",
                    "queued_at": NOW - timedelta(days=20),
                    "booked_at": NOW - timedelta(hours=2 if promoted else 480),
                    "promoted_at": NOW - timedelta(hours=2) if promoted else None,
                }
            )
    await db.execute(insert(booking), bookings)


# -- one pass, in a process of its own -------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    actions: int
    people: int
    seconds: float
    peak_mb: float
    base_mb: float
    rows: int
    again_seconds: float
    cpu_seconds: float

    def line(self) -> str:
        return (
            f"planner: actions={self.actions} people={self.people} seconds={self.seconds:.2f} "
            f"peak_mb={self.peak_mb:.0f} rows={self.rows}"
        )


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def max_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def plan_once(url: str) -> tuple[float, int]:
    from config import Settings
    from storage.db import make_engine, make_session_factory
    from usecases.reminder_planning import plan_reminders

    engine = make_engine(url)
    try:
        started = time.perf_counter()
        result = await plan_reminders(Settings(database_url=url), make_session_factory(engine), NOW)
        return time.perf_counter() - started, result.inserted
    finally:
        await engine.dispose()


def run_child(url: str, profile: bool) -> dict[str, float]:
    """The pass (twice: empty outbox, then full) in this fresh process; what it cost."""
    import config  # noqa: F401  (the imports a bot process has before it plans)
    import usecases.reminder_planning  # noqa: F401

    base_mb = max_rss_mb()
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled")
        profiler.start()
    cpu_before = cpu_seconds()
    seconds, rows = asyncio.run(plan_once(url))
    cpu = cpu_seconds() - cpu_before
    if profiler is not None:
        profiler.stop()
        PROFILE_FILE.parent.mkdir(parents=True, exist_ok=True)
        PROFILE_FILE.write_text(profiler.output_text(unicode=True, show_all=False))
    peak_mb = max_rss_mb()
    again, _ = asyncio.run(plan_once(url))
    return {
        "seconds": seconds,
        "rows": rows,
        "peak_mb": peak_mb,
        "base_mb": base_mb,
        "again": again,
        "cpu": cpu,
    }


def measure(url: str, actions: int, people: int, profile: bool) -> Measured:
    asyncio.run(build_database(url, actions, people))
    command = [sys.executable, "-m", "bench.planner_scale", "--child", "--database-url", url]
    if profile:
        command.append("--profile")
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the planning process failed:\n{done.stderr[-3000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Measured(
        actions,
        people,
        found["seconds"],
        found["peak_mb"],
        found["base_mb"],
        int(found["rows"]),
        found["again"],
        found["cpu"],
    )


def report(results: list[Measured]) -> None:
    if len(results) < 2:
        return
    small, large = results[0], results[-1]
    print(
        f"planner: growth actions_ratio={large.actions / small.actions:.1f} "
        f"seconds_ratio={large.seconds / small.seconds:.1f}"
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bench.planner_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument(
        "--sizes",
        type=lambda s: [int(n) for n in s.split(",")],
        default=[10_000, 100_000],
        help="numbers of actions, comma-separated",
    )
    root.add_argument("--people", type=int, default=10_000)
    root.add_argument("--database-url", help="a PostgreSQL database to use (it is emptied)")
    root.add_argument(
        "--profile", action="store_true", help=f"profile the largest size to {PROFILE_FILE}"
    )
    root.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.database_url, args.profile)))
        return 0
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'planner.db'}"
        database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        results = []
        for actions in args.sizes:
            built = time.perf_counter()
            profile = args.profile and actions == max(args.sizes)
            result = measure(url, actions, args.people, profile)
            results.append(result)
            print(result.line())
            print(
                f"  ({database}; data built and pass run in {time.perf_counter() - built:.1f} s; "
                f"the pass used {result.cpu_seconds:.2f} s of CPU in its process, which held "
                f"{result.base_mb:.0f} MB before it; a second pass with everything already "
                f"queued {result.again_seconds:.2f} s)",
                flush=True,
            )
        report(results)
    if args.profile:
        print(f"profile of the largest pass: {PROFILE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
