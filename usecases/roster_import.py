"""Importing the partnership roster: agencies, groups, people and their memberships.

All or nothing: every row is checked first and every problem reported with its row and field; only
a clean file is written, in one transaction. Re-importing updates agencies and groups by code and
people by work email, so the roster can be maintained in a spreadsheet and loaded again.

People columns: name, email, agency, role, champion, admin, scrutineer, groups (codes separated
by ';'), active, aad_object_id. Agencies: code, name, kind, statutory_partner, active (optional).
Groups: code, name, cadence, chair (email), joint, aliases (optional: other names people use,
separated by ';', e.g. "exec; exec board"; a file without the column keeps the stored ones),
active (optional). Reassignments: reference (an action), lead (the work email or person code of
its new lead). In an XLSX workbook these are sheets named People, Agencies, Groups and
Reassignments.

Retiring an agency or group is explicit, as in the reference import (`active_cell`): `active` =
no retires it, yes reinstates it, a blank cell or no column leaves it as it is. A retired agency
or group stays on the people (and actions and meetings) that have it; the import refuses it for
a new person, or for moving someone to it.

Leavers: someone active who is `active` = no in the file, or, with `deactivate_missing`, who is not
in the People sheet at all, leaves. Each leaver's open actions must be reassigned in the same
file's Reassignments sheet, or the import refuses; the queued reminders for them are cancelled.
Deactivating the people missing from the file is done only after a dry run (`dry_run`) of the same
files against the same roster: the dry run changes nothing, lists for each leaver the open actions
they lead, the groups they chair (without a new chair in the file), their places on sessions to
come and the reminders queued for them, and records in the audit log what it previewed; the real
run refuses unless that preview matches. The dry run itself needs no earlier one.

The import is the business team's: a person named as the actor must be an admin, and the audit row
names them (or the system actor, for the command line run without `--by`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.retiring import PERSON, retired_refusal
from fileformats.bounded import ReadLimits
from fileformats.tabular import ImportErrors, Row, read_table, read_xlsx
from storage import leavers as leavers_store
from storage import people as people_store
from storage.actions import ENTITY as ACTION_ENTITY
from storage.db import utcnow
from storage.models import Action, Agency, AuditEntry, Group, Membership, Person
from usecases.context import Actor, UnitOfWork, audit
from usecases.people import require_business_team
from usecases.reference_import import active_cell, aliases_cell

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


REASSIGNMENTS = "Reassignments"
LEFT = "left the roster"  # why a leaver's queued reminders were cancelled (outbox last_error)


@dataclass
class Leaver:
    """Someone active who this import makes inactive, and what they still hold."""

    code: str
    name: str
    email: str
    missing: bool  # not in the file (rather than marked inactive in it)
    actions: list[str] = field(default_factory=list)  # open actions they lead
    reassigned: dict[str, str] = field(default_factory=dict)  # reference -> new lead's email
    chairs: list[str] = field(default_factory=list)  # groups they chair, with no new chair given
    places: list[tuple[str, datetime, str]] = field(default_factory=list)  # course, start, status
    reminders: int = 0  # queued for them; cancelled when they leave

    @property
    def not_reassigned(self) -> list[str]:
        return [reference for reference in self.actions if reference not in self.reassigned]


@dataclass
class RosterCounts:
    agencies: int = 0  # in the file: created, updated or left as they were
    agencies_created: int = 0
    agencies_unchanged: int = 0
    groups: int = 0
    groups_created: int = 0
    groups_unchanged: int = 0
    people_created: int = 0
    people_updated: int = 0  # matched by email: changed, or not
    people_unchanged: int = 0  # of those, the ones the file leaves exactly as they were
    reassigned: int = 0
    leavers: list[Leaver] = field(default_factory=list)
    reminders_cancelled: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        text = (
            f"{self.agencies} agencies, {self.groups} groups, "
            f"{self.people_created} people added, {self.people_updated} people updated"
        )
        if self.reassigned or self.leavers:
            text += (
                f", {self.reassigned} actions reassigned, {len(self.leavers)} people deactivated, "
                f"{self.reminders_cancelled} queued reminders cancelled"
            )
        return text


@dataclass(frozen=True)
class RosterTables:
    agencies: list[Row]
    groups: list[Row]
    people: list[Row]
    reassignments: list[Row]


@dataclass(frozen=True)
class RosterFiles:
    people: Path
    agencies: Path | None = None
    groups: Path | None = None
    reassignments: Path | None = None
    # How much of each file is read (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS).
    limits: ReadLimits = field(default_factory=ReadLimits)

    def tables(self) -> RosterTables:
        def optional(path: Path | None, sheet: str) -> list[Row]:
            if path is None and self.people.suffix.lower() == ".xlsx":
                return read_xlsx(self.people, sheet, limits=self.limits).get(sheet.lower(), [])
            return read_table(path, sheet, limits=self.limits) if path else []

        return RosterTables(
            agencies=optional(self.agencies, "Agencies"),
            groups=optional(self.groups, "Groups"),
            people=read_table(self.people, "People", limits=self.limits),
            reassignments=optional(self.reassignments, REASSIGNMENTS),
        )

    def digest(self) -> str:
        """What the files hold, so a real run can be matched to its dry run."""
        hashed = hashlib.sha256()
        for path in (self.people, self.agencies, self.groups, self.reassignments):
            hashed.update(path.read_bytes() if path is not None else b"-")
            hashed.update(b"\0")
        return hashed.hexdigest()


@dataclass(frozen=True)
class RosterOptions:
    """`deactivate_missing`: people not in the People sheet leave (only after a dry run);
    `dry_run`: check and list everything, change nothing; `now`: for "sessions to come"."""

    deactivate_missing: bool = False
    dry_run: bool = False
    now: datetime | None = None


class _DryRunDone(Exception):
    """Ends the dry run's transaction, so that everything it did is rolled back."""

    def __init__(self, counts: RosterCounts) -> None:
        super().__init__("dry run")
        self.counts = counts


async def import_roster(
    actor: Actor, files: RosterFiles, work: UnitOfWork, options: RosterOptions | None = None
) -> RosterCounts:
    """Import the roster files in one transaction, audited as the actor's; raises `ImportFailed`
    with every problem, or `NotPermitted` for a person who is not on the business team. A dry
    run returns what the import would do (`counts.dry_run`) and changes nothing but the audit."""
    options = options or RosterOptions()
    require_business_team(actor, "import the roster")
    tables = files.tables()
    preview = files.digest() if options.deactivate_missing else ""
    try:
        async with work.write() as session:
            counts = await _import(session, actor, tables, options, preview)
            if options.dry_run:
                raise _DryRunDone(counts)
    except _DryRunDone as done:
        counts = done.counts
        counts.dry_run = True
        async with work.write() as session:
            audit(
                session,
                actor,
                entity="roster",
                entity_id="import",
                event="dry_run",
                changes={"preview": (None, _preview_key(preview, counts.leavers))},
            )
    return counts


async def _import(
    session: AsyncSession,
    actor: Actor,
    tables: RosterTables,
    options: RosterOptions,
    preview: str,
) -> RosterCounts:
    errors = ImportErrors()
    counts = RosterCounts()
    agencies = await _upsert_agencies(session, actor, tables.agencies, errors, counts)
    existing_people = await people_store.everyone_by_email(session)
    people_plan = _check_people(tables.people, agencies, errors)
    chairs: dict[str, str] = {}
    groups = await _upsert_groups(
        session, actor, tables.groups, existing_people, people_plan, errors, counts, chairs
    )
    _check_memberships(people_plan, groups, errors)
    held = await _memberships(session)
    _refuse_retired(people_plan, agencies, groups, existing_people, held, errors)
    leaving = _leaving(existing_people, people_plan, options.deactivate_missing)
    reassignments = await _check_reassignments(
        session, tables.reassignments, existing_people, people_plan, leaving, errors
    )
    counts.leavers = await _describe_leavers(
        session, leaving, reassignments, chairs, options.now or utcnow()
    )
    in_file = {item.email for item in people_plan}
    for leaver in counts.leavers:
        leaver.missing = leaver.email not in in_file
    if not options.dry_run:
        _refuse_unassigned_actions(counts.leavers, people_plan, errors)
        if options.deactivate_missing:
            await _require_dry_run(session, preview, counts.leavers, errors)
    errors.raise_if_any()
    written = await _write_people(
        session, people_plan, agencies, groups, existing_people, held, counts
    )
    for code, email in chairs.items():
        groups[code].chair = written.get(email) or existing_people.get(email)
    counts.reassigned = await _reassign(session, actor, reassignments, written, existing_people)
    await _deactivate(session, actor, leaving, counts)
    audit(
        session,
        actor,
        entity="roster",
        entity_id="import",
        event="imported",
        changes={"summary": (None, str(counts))},
    )
    return counts


# -- leavers --------------------------------------------------------------------------------------


def _leaving(
    existing: dict[str, Person], plan: list[PersonRow], deactivate_missing: bool
) -> list[Person]:
    """Active people who will not be: marked inactive in the file, or (if asked) not in it."""
    in_file = {item.email: item for item in plan}
    leaving = []
    for email, person in existing.items():
        if not person.active:
            continue
        item = in_file.get(email)
        missing_and_asked = item is None and deactivate_missing
        if missing_and_asked or (item is not None and not _stays_active(item.row)):
            leaving.append(person)
    return leaving


def _stays_active(row: Row) -> bool:
    return ImportErrors().yes_no(row, "active", default=True)


async def _check_reassignments(
    session: AsyncSession,
    rows: list[Row],
    existing: dict[str, Person],
    plan: list[PersonRow],
    leaving: list[Person],
    errors: ImportErrors,
) -> dict[str, str]:
    """Each row's action reference and the email of its new lead (on the roster, and staying)."""
    actions = {
        a.upper()
        for a in await session.scalars(select(Action.reference))  # references are short
    }
    by_code = {p.code.upper(): email for email, p in existing.items()}
    staying = {item.email for item in plan if _stays_active(item.row)} | {
        email for email, p in existing.items() if p.active
    }
    staying -= {p.email for p in leaving}
    found: dict[str, str] = {}
    seen: dict[str, int] = {}
    for row in rows:
        reference = errors.required(row, "reference").upper()
        if reference and reference not in actions:
            errors.add(row, "reference", f"{reference[:40]!r} is not a known action reference")
        if reference in seen:
            errors.add(
                row, "reference", f"{reference} appears again (first on row {seen[reference]})"
            )
        seen.setdefault(reference, row.number)
        lead = errors.required(row, "lead")
        email = lead.lower() if "@" in lead else by_code.get(lead.upper(), "")
        if lead and email not in staying:
            errors.add(row, "lead", f"{lead[:80]!r} is not someone who stays active on the roster")
        elif reference and lead:
            found[reference] = email
    return found


async def _describe_leavers(
    session: AsyncSession,
    leaving: list[Person],
    reassignments: dict[str, str],
    new_chairs: dict[str, str],
    now: datetime,
) -> list[Leaver]:
    ids = [p.id for p in leaving]
    actions = await leavers_store.open_actions_led(session, ids)
    chaired = await leavers_store.groups_chaired(session, ids)
    places = await leavers_store.places_to_come(session, ids, now)
    reminders = await leavers_store.queued_reminders(session, ids)
    described = []
    for person in sorted(leaving, key=lambda p: p.code):
        references = [a.reference for a in actions.get(person.id, [])]
        described.append(
            Leaver(
                code=person.code,
                name=person.name,
                email=person.email,
                missing=False,
                actions=references,
                reassigned={r: reassignments[r] for r in references if r in reassignments},
                chairs=[
                    code
                    for code in chaired.get(person.id, [])
                    if new_chairs.get(code, person.email) == person.email
                ],
                places=places.get(person.id, []),
                reminders=reminders.get(person.id, 0),
            )
        )
    return described


def _refuse_unassigned_actions(
    leavers: list[Leaver], plan: list[PersonRow], errors: ImportErrors
) -> None:
    rows = {item.email: item.row for item in plan}
    for leaver in leavers:
        if leaver.not_reassigned:
            errors.add(
                rows.get(leaver.email),
                "active" if leaver.email in rows else "",
                f"{leaver.name} ({leaver.email}) leaves but still leads "
                f"{', '.join(leaver.not_reassigned)}; give each a new lead in the "
                f"{REASSIGNMENTS} sheet (reference, lead)",
                sheet="People",
            )


def _preview_key(preview: str, leavers: list[Leaver]) -> str:
    return f"{preview} leavers: {', '.join(leaver.code for leaver in leavers) or 'none'}"


async def _require_dry_run(
    session: AsyncSession, preview: str, leavers: list[Leaver], errors: ImportErrors
) -> None:
    """People are deactivated by omission only after a dry run of these files showed who."""
    previewed = await session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.entity == "roster",
            AuditEntry.event == "dry_run",
            AuditEntry.new_value == _preview_key(preview, leavers),
        )
    )
    if previewed is None:
        errors.add(
            None,
            "",
            "people not in the file are deactivated only after a dry run of this same file: "
            "run the import with --dry-run, check who leaves, then run it again without it "
            "(a changed file or roster needs a new dry run)",
            sheet="People",
        )


async def _reassign(
    session: AsyncSession,
    actor: Actor,
    reassignments: dict[str, str],
    written: dict[str, Person],
    existing: dict[str, Person],
) -> int:
    changed = 0
    for reference, email in reassignments.items():
        action = await session.scalar(select(Action).where(Action.reference == reference))
        lead = written.get(email) or existing[email]
        if action is not None and reassign_lead(session, actor, action, lead):
            changed += 1
    await session.flush()
    return changed


def reassign_lead(session: AsyncSession, actor: Actor, action: Action, lead: Person) -> bool:
    """Give an action a new lead (and the lead's agency), audited on the action's history;
    False when they already lead it. The roster import and the desk both reassign here."""
    if action.lead_id == lead.id:
        return False
    changes: dict[str, tuple[object, object]] = {"lead_id": (action.lead_id, lead.id)}
    if action.lead_agency_id != lead.agency_id:
        changes["lead_agency_id"] = (action.lead_agency_id, lead.agency_id)
    action.lead_id, action.lead_agency_id = lead.id, lead.agency_id
    action.version += 1
    audit(
        session,
        actor,
        entity=ACTION_ENTITY,
        entity_id=action.reference,
        event="reassigned",
        changes=changes,
    )
    return True


async def _deactivate(
    session: AsyncSession, actor: Actor, leaving: list[Person], counts: RosterCounts
) -> None:
    """Leavers are inactive, and nothing queued for them is sent."""
    for person in leaving:
        counts.reminders_cancelled += await deactivate(session, actor, person)
    await session.flush()


async def deactivate(session: AsyncSession, actor: Actor, person: Person) -> int:
    """One leaver made inactive, with what was queued for them cancelled, audited; answers how
    many queued reminders were cancelled. Their open actions must have new leads first."""
    person.active = False
    cancelled = await leavers_store.cancel_queued(session, person.id, reason=LEFT)
    audit(
        session,
        actor,
        entity="person",
        entity_id=person.code,
        event="left",
        changes={"active": (True, False), "reminders_cancelled": (None, cancelled)},
    )
    return cancelled


async def _upsert_agencies(
    session: AsyncSession,
    actor: Actor,
    rows: list[Row],
    errors: ImportErrors,
    counts: RosterCounts,
) -> dict[str, Agency]:
    agencies = await people_store.agencies_by_code(session)
    for row in rows:
        code = _code(row, errors)
        name = errors.required(row, "name")
        partner = errors.yes_no(row, "statutory_partner")
        if not code or not name:
            continue
        created = code not in agencies
        agency = agencies.get(code) or Agency(code=code, name=name)
        agency.name, agency.kind, agency.statutory_partner = name, row.get("kind"), partner
        _retire_or_reinstate(session, actor, "agency", agency, row, errors)
        session.add(agency)
        agencies[code] = agency
        counts.agencies += 1
        counts.agencies_created += created
        # A value set to what it was is no change (SQLAlchemy compares them).
        counts.agencies_unchanged += not created and not session.is_modified(agency)
    return agencies


@dataclass
class PersonRow:
    row: Row
    email: str
    name: str
    agency: str
    groups: list[str]


def _check_people(
    rows: list[Row], agencies: dict[str, Agency], errors: ImportErrors
) -> list[PersonRow]:
    if not rows:
        errors.add(None, "", "the people table has no rows", sheet="People")
    seen: dict[str, int] = {}
    plan = []
    for row in rows:
        item = check_person_row(row, agencies, errors)
        if item.email in seen:
            errors.add(
                row, "email", f"{item.email} appears again (first on row {seen[item.email]})"
            )
        seen.setdefault(item.email, row.number)
        plan.append(item)
    return plan


# Each column's longest value (storage/models/core.py: Person).
_PERSON_LIMITS = {"name": 200, "email": 320, "role": 200}


def check_person_row(row: Row, agencies: dict[str, Agency], errors: ImportErrors) -> PersonRow:
    """One person's row checked into `errors`: the roster import and the desk's people both
    check here."""
    email = errors.email(row, "email")
    name = errors.required(row, "name")
    for column, limit in _PERSON_LIMITS.items():
        if len(row.get(column)) > limit:
            errors.add(row, column, f"is longer than {limit} characters")
    agency = errors.required(row, "agency").upper()
    if agency and agency not in agencies:
        errors.add(row, "agency", f"{agency[:40]!r} is not a known agency code")
    errors.guid(row, "aad_object_id")
    for flag in ("champion", "admin", "scrutineer", "active"):
        errors.yes_no(row, flag)
    groups = [g.strip().upper() for g in re.split(r"[;,]", row.get("groups")) if g.strip()]
    return PersonRow(row, email, name, agency, groups)


async def _upsert_groups(
    session: AsyncSession,
    actor: Actor,
    rows: list[Row],
    people: dict[str, Person],
    plan: list[PersonRow],
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
        created = code not in groups
        group = groups.get(code) or Group(code=code, name=name)
        group.name, group.cadence = name, row.get("cadence")
        group.joint = errors.yes_no(row, "joint")
        if "aliases" in row.values:
            group.aliases = aliases_cell(row, errors)
        _retire_or_reinstate(session, actor, "group", group, row, errors)
        session.add(group)
        if chair_email:
            pending_chairs[code] = chair_email
        groups[code] = group
        counts.groups += 1
        counts.groups_created += created
        unchanged = not session.is_modified(group) and not _new_chair(group, chair_email, people)
        counts.groups_unchanged += not created and unchanged
    return groups


def _new_chair(group: Group, chair_email: str, people: dict[str, Person]) -> bool:
    """Whether the file names a chair other than the group's (the chair is set after the people
    are written; a blank cell keeps the chair)."""
    if not chair_email:
        return False
    chair = people.get(chair_email)
    return chair is None or chair.id != group.chair_id


def _retire_or_reinstate(
    session: AsyncSession,
    actor: Actor,
    entity: str,
    record: Agency | Group,
    row: Row,
    errors: ImportErrors,
) -> None:
    """`active` = no retires an agency or group, yes reinstates it (audited as the desk's
    retiring is); a blank cell or no column leaves it as it is. Retired, it stays on the people,
    actions and meetings that have it."""
    active = active_cell(row, errors)
    before = record.active  # None for one this file adds: in use unless the file says not
    if active is None or active == before:
        return
    record.active = active
    if before is not None:
        audit(
            session,
            actor,
            entity=entity,
            entity_id=record.code,
            event="reinstated" if active else "retired",
            changes={"active": (before, active)},
        )


def _check_memberships(
    plan: list[PersonRow], groups: dict[str, Group], errors: ImportErrors
) -> None:
    for person in plan:
        for code in person.groups:
            if code not in groups:
                errors.add(person.row, "groups", f"{code!r} is not a known group code")


async def _memberships(session: AsyncSession) -> dict[int, set[int]]:
    """Each person's groups as stored before this import (person id -> group ids)."""
    memberships: dict[int, set[int]] = {}
    for person_id, group_id in await session.execute(
        select(Membership.person_id, Membership.group_id)
    ):
        memberships.setdefault(person_id, set()).add(group_id)
    return memberships


def _refuse_retired(
    plan: list[PersonRow],
    agencies: dict[str, Agency],
    groups: dict[str, Group],
    existing: dict[str, Person],
    memberships: dict[int, set[int]],
    errors: ImportErrors,
) -> None:
    """A retired agency or group keeps the people who have it, and takes nobody else: not a new
    person, nor someone moved to it."""
    for item in plan:
        person = existing.get(item.email)
        agency = agencies.get(item.agency)
        if agency is not None:
            kept = person is not None and person.agency_id == agency.id
            _refuse_if_retired(item, "agency", item.row.get("agency"), agency, kept, person, errors)
        held = memberships.get(person.id, set()) if person is not None else set()
        for code in item.groups:
            group = groups.get(code)
            if group is not None:  # else reported as unknown
                _refuse_if_retired(item, "groups", code, group, group.id in held, person, errors)


def _refuse_if_retired(
    item: PersonRow,
    column: str,
    named: str,
    record: Agency | Group,
    kept: bool,
    person: Person | None,
    errors: ImportErrors,
) -> None:
    refusal = retired_refusal(
        named,
        active=record.active is not False,  # None: added by this file, so in use
        kept=kept,
        holder=PERSON,
        new=person is None,
    )
    if refusal:
        errors.add(item.row, column, refusal)


async def _write_people(
    session: AsyncSession,
    plan: list[PersonRow],
    agencies: dict[str, Agency],
    groups: dict[str, Group],
    existing: dict[str, Person],
    memberships: dict[int, set[int]],
    counts: RosterCounts,
) -> dict[str, Person]:
    """Create or update each person and set their memberships; returns them by email."""
    written: dict[str, Person] = {}
    next_number = await people_store.next_person_number(session)
    for item in plan:
        errors = ImportErrors()  # values were checked above; this only parses them again
        person = existing.get(item.email)
        before = None
        if person is not None:
            before = (_facts(person, person.agency_id), memberships.get(person.id, set()))
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
        group_ids = [groups[code].id for code in item.groups]
        if "groups" in row.values:
            await people_store.replace_memberships(session, person.id, group_ids)
        if before is not None:
            kept = set(group_ids) if "groups" in row.values else before[1]
            after = (_facts(person, agencies[item.agency].id), kept)
            counts.people_unchanged += before == after
    await session.flush()
    return written


def _facts(person: Person, agency_id: int | None) -> tuple[object, ...]:
    """What the People sheet sets on a person, to tell an update from a row left as it was."""
    return (
        person.name,
        agency_id,
        person.role_title,
        person.is_champion,
        person.is_admin,
        person.is_scrutineer,
        person.active,
        person.aad_object_id,
    )


def _code(row: Row, errors: ImportErrors) -> str:
    code = errors.required(row, "code").upper()
    if code and not _CODE.match(code):
        errors.add(row, "code", f"{code!r} must be letters, digits, - or _ (at most 16)")
        return ""
    return code
