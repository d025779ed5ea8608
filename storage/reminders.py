"""Queries and writes for reminders: people's reminder preferences and the statutory clocks.

Preferences are read into the domain's `ReminderPreferences`; a person with no row has the
partnership's defaults. Statutory clocks are the serious incident notifications the business team
records, each with the rapid review's due date worked out when it is recorded. Who may change
what, and the audit, are `usecases.reminders`'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reminders import ReminderPreferences
from domain.send_times import QuietHours
from storage.models import Group, Membership, Person, ReminderPreference, StatutoryClock

RAPID_REVIEW = "rapid_review"
RAPID_REVIEW_GROUP = "RRP"
_UNSET: Any = object()
# Ids per `IN (...)` list: well inside SQLite's limit on bound parameters.
ID_CHUNK = 900


def _to_domain(row: ReminderPreference | None) -> ReminderPreferences:
    if row is None:
        return ReminderPreferences()
    quiet = None
    if row.quiet_start and row.quiet_end:
        quiet = QuietHours.parse(row.quiet_start, row.quiet_end)
    return ReminderPreferences(
        snoozed_until=row.snoozed_until,
        paused_until=row.paused_until,
        digest_only=row.digest_only,
        quiet_hours=quiet,
    )


async def preferences_of(session: AsyncSession, person_id: int) -> ReminderPreferences:
    return _to_domain(await session.get(ReminderPreference, person_id))


async def preferences_for(
    session: AsyncSession, person_ids: Iterable[int]
) -> dict[int, ReminderPreferences]:
    """`preferences_of` for many people in one query; everyone asked about is in the answer."""
    ids = sorted(set(person_ids))
    found = dict.fromkeys(ids, ReminderPreferences())
    for start in range(0, len(ids), ID_CHUNK):
        rows = await session.scalars(
            select(ReminderPreference).where(
                ReminderPreference.person_id.in_(ids[start : start + ID_CHUNK])
            )
        )
        found.update((row.person_id, _to_domain(row)) for row in rows)
    return found


async def active_people(session: AsyncSession, person_ids: Iterable[int]) -> set[int]:
    """Which of these people exist and are active."""
    ids = sorted(set(person_ids))
    active: set[int] = set()
    for start in range(0, len(ids), ID_CHUNK):
        active.update(
            await session.scalars(
                select(Person.id).where(Person.id.in_(ids[start : start + ID_CHUNK]), Person.active)
            )
        )
    return active


async def all_preferences(session: AsyncSession) -> dict[int, ReminderPreferences]:
    """Everyone who has changed anything; the rest have the defaults."""
    rows = await session.scalars(select(ReminderPreference))
    return {row.person_id: _to_domain(row) for row in rows}


@dataclass(frozen=True)
class PreferencesChange:
    """A person's preferences after a change, and what changed (field: (before, after))."""

    preferences: ReminderPreferences
    changes: dict[str, tuple[object, object]]


async def update_preferences(
    session: AsyncSession,
    person_id: int,
    *,
    snoozed_until: datetime | None = _UNSET,
    paused_until: date | None = _UNSET,
    digest_only: bool = _UNSET,
    quiet_hours: QuietHours | None = _UNSET,
) -> PreferencesChange:
    """Change the given preferences (others are kept)."""
    row = await session.get(ReminderPreference, person_id)
    if row is None:
        row = ReminderPreference(person_id=person_id, digest_only=False)
        session.add(row)
    wanted: dict[str, Any] = {}
    if snoozed_until is not _UNSET:
        wanted["snoozed_until"] = snoozed_until
    if paused_until is not _UNSET:
        wanted["paused_until"] = paused_until
    if digest_only is not _UNSET:
        wanted["digest_only"] = digest_only
    if quiet_hours is not _UNSET:
        wanted["quiet_start"] = f"{quiet_hours.start:%H:%M}" if quiet_hours else None
        wanted["quiet_end"] = f"{quiet_hours.end:%H:%M}" if quiet_hours else None
    changes: dict[str, tuple[object, object]] = {
        name: (getattr(row, name), value)
        for name, value in wanted.items()
        if getattr(row, name) != value
    }
    for name, value in wanted.items():
        setattr(row, name, value)
    await session.flush()
    return PreferencesChange(_to_domain(row), changes)


# -- statutory clocks -----------------------------------------------------------------------------


async def find_clock(session: AsyncSession, clock_id: int) -> StatutoryClock | None:
    return await session.get(StatutoryClock, clock_id)


async def find_clock_by_reference(
    session: AsyncSession, reference: str, kind: str = RAPID_REVIEW
) -> StatutoryClock | None:
    return await session.scalar(
        select(StatutoryClock).where(
            StatutoryClock.kind == kind, StatutoryClock.reference == reference
        )
    )


async def add_clock(
    session: AsyncSession,
    *,
    reference: str,
    notified_on: date,
    due_on: date,
    recorded_by: int | None,
    group_code: str = RAPID_REVIEW_GROUP,
) -> StatutoryClock:
    clock = StatutoryClock(
        kind=RAPID_REVIEW,
        reference=reference,
        group_code=group_code,
        notified_on=notified_on,
        due_on=due_on,
        recorded_by=recorded_by,
    )
    session.add(clock)
    await session.flush()
    return clock


async def close_clock(
    session: AsyncSession, clock: StatutoryClock, *, closed_on: date, closed_by: int | None
) -> None:
    clock.closed_on = closed_on
    clock.closed_by = closed_by
    await session.flush()


async def open_clocks(session: AsyncSession, today: date) -> list[StatutoryClock]:
    """Clocks still running: not closed and not yet past their due date."""
    rows = await session.scalars(
        select(StatutoryClock)
        .where(StatutoryClock.closed_on.is_(None), StatutoryClock.due_on >= today)
        .order_by(StatutoryClock.due_on, StatutoryClock.id)
    )
    return list(rows)


async def recent_clocks(
    session: AsyncSession, today: date, limit: int = 10
) -> list[StatutoryClock]:
    """Open clocks first (soonest due), then the most recently closed or lapsed."""
    rows = await session.scalars(
        select(StatutoryClock).order_by(StatutoryClock.due_on.desc()).limit(50)
    )
    clocks = list(rows)
    running = sorted(
        (c for c in clocks if c.closed_on is None and c.due_on >= today), key=lambda c: c.due_on
    )
    done = [c for c in clocks if c not in running]
    return (running + done)[:limit]


async def group_recipients(
    session: AsyncSession, group_codes: set[str]
) -> dict[str, tuple[int, ...]]:
    """Active members and the chair of each group, by group code."""
    found: dict[str, set[int]] = defaultdict(set)
    members = await session.execute(
        select(Group.code, Membership.person_id)
        .join(Membership, Membership.group_id == Group.id)
        .join(Person, Person.id == Membership.person_id)
        .where(Group.code.in_(group_codes), Person.active.is_(True))
    )
    for code, person_id in members:
        found[code].add(person_id)
    chairs = await session.execute(
        select(Group.code, Group.chair_id)
        .join(Person, Person.id == Group.chair_id)
        .where(Group.code.in_(group_codes), Person.active.is_(True))
    )
    for code, chair_id in chairs:
        found[code].add(chair_id)
    return {code: tuple(sorted(people)) for code, people in found.items()}


async def group_id_by_code(session: AsyncSession, code: str) -> int | None:
    return await session.scalar(select(Group.id).where(Group.code == code))


async def admin_ids(session: AsyncSession, admin_emails: tuple[str, ...] = ()) -> list[int]:
    """The business team: people marked admin on the roster or named in ADMIN_EMAILS."""
    condition = Person.is_admin.is_(True)
    if admin_emails:
        condition = condition | Person.email.in_([e.lower() for e in admin_emails])
    rows = await session.scalars(
        select(Person.id).where(condition, Person.active.is_(True)).order_by(Person.id)
    )
    return list(rows)


async def name_of(session: AsyncSession, person_id: int) -> str:
    return await session.scalar(select(Person.name).where(Person.id == person_id)) or ""
