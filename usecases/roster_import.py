"""Importing the partnership roster: agencies, groups, people and their memberships.

All or nothing: every row is checked first and every problem reported with its row and field; only
a clean file is written, in one transaction. Re-importing updates agencies and groups by code and
people by work email, so the roster can be maintained in a spreadsheet and loaded again.

People columns: name, email, agency, role, champion, admin, scrutineer, groups (codes separated
by ';'), active, aad_object_id. Agencies: code, name, kind, statutory_partner. Groups: code, name,
cadence, chair (email), joint. In an XLSX workbook these are sheets named People, Agencies, Groups.

The import is the business team's: a person named as the actor must be an admin, and the audit row
names them (or the system actor, for the command line run without `--by`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from fileformats.bounded import ReadLimits
from fileformats.tabular import ImportErrors, Row, read_table, read_xlsx
from storage import people as people_store
from storage.models import Agency, Group, Person
from usecases.context import Actor, UnitOfWork, audit
from usecases.people import require_business_team

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


@dataclass
class RosterCounts:
    agencies: int = 0
    groups: int = 0
    people_created: int = 0
    people_updated: int = 0

    def __str__(self) -> str:
        return (
            f"{self.agencies} agencies, {self.groups} groups, "
            f"{self.people_created} people added, {self.people_updated} people updated"
        )


@dataclass(frozen=True)
class RosterFiles:
    people: Path
    agencies: Path | None = None
    groups: Path | None = None
    # How much of each file is read (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS).
    limits: ReadLimits = field(default_factory=ReadLimits)

    def tables(self) -> tuple[list[Row], list[Row], list[Row]]:
        def optional(path: Path | None, sheet: str) -> list[Row]:
            if path is None and self.people.suffix.lower() == ".xlsx":
                return read_xlsx(self.people, sheet, limits=self.limits).get(sheet.lower(), [])
            return read_table(path, sheet, limits=self.limits) if path else []

        return (
            optional(self.agencies, "Agencies"),
            optional(self.groups, "Groups"),
            read_table(self.people, "People", limits=self.limits),
        )


async def import_roster(actor: Actor, files: RosterFiles, work: UnitOfWork) -> RosterCounts:
    """Import the roster files in one transaction, audited as the actor's; raises `ImportFailed`
    with every problem, or `NotPermitted` for a person who is not on the business team."""
    require_business_team(actor, "import the roster")
    agency_rows, group_rows, people_rows = files.tables()
    async with work.write() as session:
        errors = ImportErrors()
        counts = RosterCounts()
        agencies = await _upsert_agencies(session, agency_rows, errors, counts)
        existing_people = await people_store.everyone_by_email(session)
        people_plan = _check_people(people_rows, agencies, errors)
        chairs: dict[str, str] = {}
        groups = await _upsert_groups(
            session, group_rows, existing_people, people_plan, errors, counts, chairs
        )
        _check_memberships(people_plan, groups, errors)
        errors.raise_if_any()
        written = await _write_people(
            session, people_plan, agencies, groups, existing_people, counts
        )
        for code, email in chairs.items():
            groups[code].chair = written.get(email) or existing_people.get(email)
        audit(
            session,
            actor,
            entity="roster",
            entity_id="import",
            event="imported",
            changes={"summary": (None, str(counts))},
        )
    return counts


async def _upsert_agencies(
    session: AsyncSession, rows: list[Row], errors: ImportErrors, counts: RosterCounts
) -> dict[str, Agency]:
    agencies = await people_store.agencies_by_code(session)
    for row in rows:
        code = _code(row, errors)
        name = errors.required(row, "name")
        partner = errors.yes_no(row, "statutory_partner")
        if not code or not name:
            continue
        agency = agencies.get(code) or Agency(code=code, name=name)
        agency.name, agency.kind, agency.statutory_partner = name, row.get("kind"), partner
        session.add(agency)
        agencies[code] = agency
        counts.agencies += 1
    return agencies


@dataclass
class _PersonRow:
    row: Row
    email: str
    name: str
    agency: str
    groups: list[str]


def _check_people(
    rows: list[Row], agencies: dict[str, Agency], errors: ImportErrors
) -> list[_PersonRow]:
    if not rows:
        errors.add(None, "", "the people table has no rows", sheet="People")
    seen: dict[str, int] = {}
    plan = []
    for row in rows:
        email = errors.email(row, "email")
        name = errors.required(row, "name")
        agency = errors.required(row, "agency").upper()
        if agency and agency not in agencies:
            errors.add(row, "agency", f"{agency!r} is not a known agency code")
        if email in seen:
            errors.add(row, "email", f"{email} appears again (first on row {seen[email]})")
        seen.setdefault(email, row.number)
        errors.guid(row, "aad_object_id")
        for flag in ("champion", "admin", "scrutineer", "active"):
            errors.yes_no(row, flag)
        groups = [g.strip().upper() for g in re.split(r"[;,]", row.get("groups")) if g.strip()]
        plan.append(_PersonRow(row, email, name, agency, groups))
    return plan


async def _upsert_groups(
    session: AsyncSession,
    rows: list[Row],
    people: dict[str, Person],
    plan: list[_PersonRow],
    errors: ImportErrors,
    counts: RosterCounts,
    pending_chairs: dict[str, str],
) -> dict[str, Group]:
    groups = await people_store.groups_by_code(session)
    incoming = {p.email for p in plan}
    for row in rows:
        code = _code(row, errors)
        name = errors.required(row, "name")
        chair_email = row.get("chair").lower()
        if chair_email and chair_email not in people and chair_email not in incoming:
            errors.add(row, "chair", f"{chair_email} is not on the roster")
        if not code or not name:
            continue
        group = groups.get(code) or Group(code=code, name=name)
        group.name, group.cadence = name, row.get("cadence")
        group.joint = errors.yes_no(row, "joint")
        session.add(group)
        if chair_email:
            pending_chairs[code] = chair_email
        groups[code] = group
        counts.groups += 1
    return groups


def _check_memberships(
    plan: list[_PersonRow], groups: dict[str, Group], errors: ImportErrors
) -> None:
    for person in plan:
        for code in person.groups:
            if code not in groups:
                errors.add(person.row, "groups", f"{code!r} is not a known group code")


async def _write_people(
    session: AsyncSession,
    plan: list[_PersonRow],
    agencies: dict[str, Agency],
    groups: dict[str, Group],
    existing: dict[str, Person],
    counts: RosterCounts,
) -> dict[str, Person]:
    """Create or update each person and set their memberships; returns them by email."""
    written: dict[str, Person] = {}
    next_number = await people_store.next_person_number(session)
    for item in plan:
        errors = ImportErrors()  # values were checked above; this only parses them again
        person = existing.get(item.email)
        if person is None:
            person = Person(code=f"P{next_number:03d}", email=item.email)
            next_number += 1
            counts.people_created += 1
        else:
            counts.people_updated += 1
        row = item.row
        person.name = item.name
        person.agency = agencies[item.agency]
        person.role_title = row.get("role")
        person.is_champion = errors.yes_no(row, "champion")
        person.is_admin = errors.yes_no(row, "admin")
        person.is_scrutineer = errors.yes_no(row, "scrutineer")
        person.active = errors.yes_no(row, "active", default=True)
        person.aad_object_id = row.get("aad_object_id") or person.aad_object_id
        await people_store.save_person(session, person)
        written[item.email] = person
        if "groups" in row.values:
            group_ids = [groups[code].id for code in item.groups]
            await people_store.replace_memberships(session, person.id, group_ids)
    await session.flush()
    return written


def _code(row: Row, errors: ImportErrors) -> str:
    code = errors.required(row, "code").upper()
    if code and not _CODE.match(code):
        errors.add(row, "code", f"{code!r} must be letters, digits, - or _ (at most 16)")
        return ""
    return code
