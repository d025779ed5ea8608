"""What the broadcast and reach benchmarks start from: a fresh schema, N people in one agency, an
admin in the business team, and a draft announcement from the admin to that agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain.audience import AudienceDefinition
from domain.broadcasts import Content, Draft, Status
from storage import broadcasts
from storage.db import make_engine
from storage.models import Agency, Person
from storage.schema import create_schema, drop_schema

BATCH = 1000


@dataclass(frozen=True)
class Population:
    agency_id: int
    author_id: int


async def fresh_schema(url: str) -> AsyncEngine:
    """An engine on an empty schema (a PostgreSQL database is emptied first)."""
    engine = make_engine(url)
    if url.startswith("postgresql"):
        await drop_schema(engine)
    await create_schema(engine)
    return engine


async def add_people(session: AsyncSession, count: int, *, linked: bool = False) -> Population:
    """People B0... (p0@bench.example, ...) in agency BENCH and the admin ADMIN in TEAM; `linked`
    gives each person an Entra object id (u-0, ...)."""
    agency = Agency(code="BENCH", name="Bench Agency")
    team = Agency(code="TEAM", name="Business team")
    author = Person(
        code="ADMIN", name="Bench Admin", email="admin@bench.example", agency=team, is_admin=True
    )
    session.add_all([agency, team, author])
    await session.flush()
    for start in range(0, count, BATCH):
        rows = [_person(i, agency.id, linked) for i in range(start, min(count, start + BATCH))]
        await session.execute(insert(Person), rows)
    return Population(agency.id, author.id)


def _person(i: int, agency_id: int, linked: bool) -> dict[str, object]:
    return {
        "code": f"B{i}",
        "name": f"Person {i}",
        "email": f"p{i}@bench.example",
        "aad_object_id": f"u-{i}" if linked else None,
        "agency_id": agency_id,
        "role_title": "",
        "is_champion": False,
        "is_admin": False,
        "is_scrutineer": False,
        "is_guest": False,
        "active": True,
    }


async def add_draft(
    session: AsyncSession, population: Population, content: Content, *, now: datetime
) -> int:
    """A draft announcement from the admin to the agency; returns its id."""
    draft = Draft(content, AudienceDefinition(agency_ids=frozenset({population.agency_id})))
    announcement = await broadcasts.insert_announcement(
        session,
        draft,
        status=Status.DRAFT,
        author_id=population.author_id,
        author_user_id="29:admin",
        now=now,
    )
    return announcement.id
