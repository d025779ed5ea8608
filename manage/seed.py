"""The demo partnership as the project's seed data (`manage/seed_data/demo.yaml`).

`seed_demo` loads it into an empty database: agencies, people, groups and memberships here, and
the rest through the seeders `feature_seeders` lists: the reference data (priorities, sources,
courses) and the actions through the same use cases as the business team's imports. Seeding
is one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.aliases import format_aliases, parse_aliases
from manage.seeders import seed_actions, seed_meetings, seed_reference, seed_training
from storage.models import Agency, Group, Membership, Person

log = logging.getLogger(__name__)

DEMO_FILE = Path(__file__).resolve().parent / "seed_data" / "demo.yaml"
DemoData = dict[str, Any]
Seeder = Callable[[AsyncSession, DemoData], Awaitable[None]]


@cache
def demo_data() -> DemoData:
    """The parsed demo partnership; parsed once per process and shared read-only."""
    with DEMO_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def demo_reference_date() -> date:
    return demo_data()["meta"]["reference_date"]


async def is_empty(session: AsyncSession) -> bool:
    return (await session.scalar(select(func.count()).select_from(Person))) == 0


async def seed_demo(
    session_factory: async_sessionmaker[AsyncSession], *, if_empty: bool = True
) -> bool:
    """Load the demo partnership; returns False when it was skipped because data exists."""
    data = demo_data()
    async with session_factory() as session, session.begin():
        if if_empty and not await is_empty(session):
            log.info("seed: database already has people; demo data not loaded")
            return False
        await seed_partnership(session, data)
        for seeder in feature_seeders():
            await seeder(session, data)
    log.info("seed: demo partnership loaded")
    return True


def feature_seeders() -> list[Seeder]:
    """Each feature's seeder, in dependency order."""
    return [seed_reference, seed_actions, seed_meetings, seed_training]


async def seed_partnership(session: AsyncSession, data: DemoData) -> None:
    agencies = {
        a["id"]: Agency(
            code=a["id"],
            name=a["name"],
            kind=a.get("models", ""),
            statutory_partner=bool(a.get("statutory_partner")),
        )
        for a in data["agencies"]
    }
    session.add_all(agencies.values())
    roles = data.get("roles", {})
    people = {
        p["id"]: Person(
            code=p["id"],
            name=p["name"],
            email=p["email"].lower(),
            agency=agencies[p["agency"]],
            role_title=p.get("role", ""),
            is_champion=bool(p.get("champion")),
            is_admin=p["id"] in roles.get("admin", []),
            is_scrutineer=p["id"] in roles.get("scrutineer", []),
        )
        for p in data["people"]
    }
    session.add_all(people.values())
    groups = {
        g["id"]: Group(
            code=g["id"],
            name=g["name"],
            cadence=g.get("cadence", ""),
            chair=people.get(g.get("chair") or g.get("current_chair")),
            joint=bool(g.get("joint")),
            aliases=format_aliases(parse_aliases(g.get("aliases"))),
        )
        for g in data["groups"]
    }
    session.add_all(groups.values())
    await session.flush()
    for group_code, members in data.get("memberships", {}).items():
        session.add_all(
            Membership(group_id=groups[group_code].id, person_id=people[code].id)
            for code in members
        )
    await session.flush()
