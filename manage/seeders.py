"""The demo partnership's meetings, courses, sessions and actions, written from the seed data.

Each seeder takes the open session and the parsed demo YAML; `manage.seed.feature_seeders()` runs
them in dependency order after the people, groups and reference data.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.meetings import (
    DEFAULT_SERIES_HORIZON_DAYS,
    Mode,
    cadence_rrule,
    local_instant,
    occurrences,
    parse_mode,
)
from fileformats.tabular import ImportErrors, Row
from storage.meetings import UID_DOMAIN, SeriesPlan, default_uid, groups_by_code, save_series
from storage.models import Course, CourseSession, Group, Meeting
from usecases.context import SEED
from usecases.plan_import import import_action_rows
from usecases.reference_import import ReferenceTables, apply_reference


async def seed_actions(session: AsyncSession, data: dict[str, Any]) -> None:
    """The demo partnership's actions, loaded through the importer (the seeder for manage.seed),
    audited as the seed's system actor."""
    rows = [
        Row("demo actions", number, _demo_row(item))
        for number, item in enumerate(data.get("actions", []), start=2)
    ]
    if rows:
        await import_action_rows(
            SEED, rows, session, today=data["meta"]["reference_date"], event="seeded"
        )


def _demo_row(item: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in item.items():
        if key == "note":
            continue  # a designer's remark about the demo, not part of the action
        column = "reference" if key == "id" else key
        if isinstance(value, list):
            values[column] = ";".join(str(v) for v in value)
        elif isinstance(value, date):
            values[column] = value.isoformat()
        else:
            values[column] = str(value)
    if values.get("rag") == "complete":
        values["rag"] = ""
    return values


# -- meetings --

DEMO_ZONE = ZoneInfo("Europe/London")
DEMO_LINK_BASE = "https://meet.riverside.example"
DEMO_AGENDA_BASE = "https://riverside.example/meetings"


def _clock_range(day: date, span: str) -> tuple[datetime, datetime]:
    """'10:00-12:30' on a day as naive wall-clock start and end."""
    start_text, end_text = (part.strip() for part in span.split("-"))
    return (
        datetime.combine(day, time.fromisoformat(start_text)),
        datetime.combine(day, time.fromisoformat(end_text)),
    )


def _demo_meeting_fields(item: dict[str, Any]) -> dict[str, Any]:
    group, day = item["group"], item["date"]
    mode = parse_mode(item.get("mode", "")) or Mode.ONLINE
    online = f"{DEMO_LINK_BASE}/{group.lower()}/{day.isoformat()}" if mode.has_link else ""
    return {
        "mode": mode.value,
        "venue": item.get("venue", ""),
        "online_url": online,
        "agenda_url": f"{DEMO_AGENDA_BASE}/{group.lower()}/{day.isoformat()}/agenda",
        "notes": item.get("theme") or item.get("note") or "",
    }


def _fits_rule(rule: str, first: datetime, duration: timedelta, items: list[dict]) -> bool:
    """Whether every demo meeting of a group is an occurrence of the rule, at the same time."""
    last_day = max(i["date"] for i in items)
    produced = {
        s
        for s, _e in occurrences(
            rule,
            first,
            duration,
            DEMO_ZONE,
            until=local_instant(datetime.combine(last_day, time(23, 59)), DEMO_ZONE),
        )
    }
    return all(
        local_instant(_clock_range(i["date"], i["time"])[0], DEMO_ZONE) in produced for i in items
    )


async def seed_meetings(session: AsyncSession, data: dict[str, Any]) -> None:
    """The demo meetings. A group whose demo meetings all follow its cadence (the Executive on
    the second Tuesday every two months) becomes a recurring series written a year ahead; the
    rest are one-off meetings. Demo meetings that differ from their series are detached."""
    groups = await groups_by_code(session)
    cadences = {g["id"]: g.get("cadence", "") for g in data.get("groups", [])}
    by_group: dict[str, list[dict[str, Any]]] = {}
    for item in data.get("meetings", []):
        by_group.setdefault(item["group"], []).append(item)
    reference = data["meta"]["reference_date"]
    through = local_instant(datetime.combine(reference, time()), DEMO_ZONE) + timedelta(
        days=DEFAULT_SERIES_HORIZON_DAYS
    )
    for code, items in by_group.items():
        items.sort(key=lambda i: i["date"])
        first_start, first_end = _clock_range(items[0]["date"], items[0]["time"])
        rule = cadence_rrule(cadences.get(code, ""), items[0]["date"])
        duration = first_end - first_start
        if rule and len(items) >= 2 and _fits_rule(rule, first_start, duration, items):
            await _seed_series(session, groups[code], rule, first_start, duration, items, through)
        else:
            _seed_one_offs(session, groups[code], items)
    await session.flush()


async def _seed_series(
    session: AsyncSession,
    group: Group,
    rule: str,
    first_start: datetime,
    duration: timedelta,
    items: list[dict[str, Any]],
    through: datetime,
) -> None:
    defaults = _demo_meeting_fields(items[0])
    series = await save_series(
        session,
        SeriesPlan(
            uid=f"series-{group.code.lower()}@{UID_DOMAIN}",
            group_id=group.id,
            rrule=rule,
            first_local_start=first_start,
            duration=duration,
            timezone=DEMO_ZONE.key,
            mode=Mode(defaults["mode"]),
            venue=defaults["venue"],
            online_url=f"{DEMO_LINK_BASE}/{group.code.lower()}",
        ),
        through,
    )
    occurrences_by_start = {
        m.recurrence_start: m
        for m in await session.scalars(select(Meeting).where(Meeting.series_id == series.id))
    }
    for item in items:
        start = local_instant(_clock_range(item["date"], item["time"])[0], DEMO_ZONE)
        meeting = occurrences_by_start[start]
        fields = _demo_meeting_fields(item)
        fields["online_url"] = series.online_url if Mode(fields["mode"]).has_link else ""
        for name, value in fields.items():
            setattr(meeting, name, value)
        # Each demo meeting has its own agenda (and some their own venue): changed on its own.
        meeting.detached = True


def _seed_one_offs(session: AsyncSession, group: Group, items: list[dict[str, Any]]) -> None:
    for item in items:
        local_start, local_end = _clock_range(item["date"], item["time"])
        starts_at = local_instant(local_start, DEMO_ZONE)
        session.add(
            Meeting(
                uid=default_uid("meeting", group.code, starts_at),
                group_id=group.id,
                starts_at=starts_at,
                ends_at=local_instant(local_end, DEMO_ZONE),
                **_demo_meeting_fields(item),
            )
        )


# -- training --

DEMO_ZONE = ZoneInfo("Europe/London")


def _demo_months(text: str) -> str:
    match = re.search(r"(\d+)\s*months?", text or "")
    return match.group(1) if match else ""


# -- reference data --


def _reference_rows(sheet: str, items: list[dict[str, Any]]) -> list[Row]:
    return [Row(f"demo {sheet}", number, values) for number, values in enumerate(items, start=2)]


def demo_reference(data: dict[str, Any]) -> ReferenceTables:
    """The demo's priorities, sources and courses as the rows of a reference workbook."""
    priorities = [{"code": p["id"], "name": p["name"]} for p in data.get("priorities", [])]
    sources = [
        {
            "code": s["id"],
            "title": s["title"],
            "kind": s.get("kind", "plan"),
            "date": str(s.get("date") or s.get("published") or s.get("decided") or ""),
        }
        for s in data.get("sources", [])
    ]
    courses = []
    for item in data.get("training", {}).get("courses", []):
        e_learning = parse_mode(item.get("mode", "")) == Mode.E_LEARNING
        courses.append(
            {
                "code": item["id"],
                "title": item["title"],
                "mode": item.get("mode", "Teams"),
                "duration": str(item.get("duration", "")),
                "capacity": str(item.get("capacity", "")),
                "venue": item.get("venue", ""),
                "link": (
                    f"https://learning.riverside.example/courses/{item['id'].lower()}"
                    if e_learning
                    else ""
                ),
                "complete_within_months": _demo_months(item.get("complete_within", "")),
                "aliases": item.get("aliases", ""),
            }
        )
    return ReferenceTables(
        priorities=_reference_rows("priorities", priorities),
        sources=_reference_rows("sources", sources),
        courses=_reference_rows("courses", courses),
    )


async def seed_reference(session: AsyncSession, data: dict[str, Any]) -> None:
    """The demo's reference data, loaded through the business team's reference import and
    audited as the seed's system actor."""
    errors = ImportErrors()
    await apply_reference(SEED, demo_reference(data), session, errors, event="seeded")
    errors.raise_if_any()


async def seed_training(session: AsyncSession, data: dict[str, Any]) -> None:
    """The demo courses' sessions (times are London wall-clock in the demo data); the courses
    themselves are reference data (`seed_reference`)."""
    courses = {c.code: c for c in await session.scalars(select(Course))}
    for item in data.get("training", {}).get("courses", []):
        code = item["id"]
        course = courses[code]
        mode = Mode(course.mode)
        for text in item.get("sessions", []):
            day_text, span = text.split(" ", 1)
            day = date.fromisoformat(day_text)
            start_text, end_text = span.split("-")
            starts_at = local_instant(
                datetime.combine(day, time.fromisoformat(start_text)), DEMO_ZONE
            )
            ends_at = local_instant(datetime.combine(day, time.fromisoformat(end_text)), DEMO_ZONE)
            session.add(
                CourseSession(
                    uid=default_uid("session", code, starts_at),
                    course_id=course.id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    mode=mode.value,
                    venue=course.venue,
                    online_url=(
                        f"https://meet.riverside.example/training/{code.lower()}/{day_text}"
                        if mode.has_link
                        else ""
                    ),
                    capacity=course.capacity,
                )
            )
    await session.flush()
