"""The business desk's reference data (issue 17, item 3): priorities, sources, agencies, groups,
courses and the people on the roster: list, add, edit, retire (or, for a person, deactivate).

The rules are the imports' own: a priority, source, group, agency or course is checked and
written by `usecases.reference_import.apply_rows` (codes, lengths, values, identifier screening)
and a person by `usecases.roster_import.check_person_row`; deactivating a person and reassigning
their open actions is `roster_import.deactivate` and `roster_import.reassign_lead`. Retiring is
explicit and keeps history: the row stays, marked inactive, on everything that uses it.

Who may do what: only admins (the business team) change anything; everyone on the roster may read
the partnership's reference lists (their names are on every action anyway); the people list, with
contact details, is for the business team and the scrutineer only.

Optimistic concurrency: every item is answered with a `version`, a digest of its stored values;
an edit, retirement or deactivation sent with an older version is refused (`Conflict`), so one
person's change never silently overwrites another's. Every change is audited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import Viewer
from fileformats.tabular import ImportErrors, Row
from storage import leavers as leavers_store
from storage import people as people_store
from storage.models import Action, Agency, Course, Group, Person, Priority, Source
from usecases.context import UnitOfWork, audit
from usecases.people import NotPermitted, require_business_team
from usecases.reference_import import KINDS, RowOptions, apply_rows
from usecases.roster_import import check_person_row, deactivate, reassign_lead

PEOPLE = "people"
LISTS = (*KINDS, PEOPLE)

Values = dict[str, Any]


class Invalid(Exception):
    """What was sent does not fit: a message per field (the import's messages)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("invalid")
        self.errors = dict(errors)


class NotFound(Exception):
    """No such item."""


class Conflict(Exception):
    """The item changed since the version the form was built from."""


class StillLeads(Exception):
    """A person to deactivate still leads open actions that were not given new leads."""

    def __init__(self, name: str, references: list[str]) -> None:
        super().__init__("still leads")
        self.name = name
        self.references = references


# -- reading --------------------------------------------------------------------------------------


def may_read(viewer: Viewer, kind: str) -> bool:
    """The lists are the partnership's business data, which everyone on the roster sees on the
    actions; the roster's people (names with work emails) are for the business team and the
    scrutineer."""
    if kind == PEOPLE:
        return viewer.is_admin or viewer.is_scrutineer
    return True


def _require_read(viewer: Viewer, kind: str) -> None:
    if not may_read(viewer, kind):
        raise NotPermitted("only the business team and the scrutineer see the roster's people")


def version_of(values: Values) -> str:
    """A digest of an item's stored values: what an edit names to say which state it changes."""
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _described(kind: str, record: Any) -> Values:
    """An item as the desk shows it, named by the import's columns."""
    if isinstance(record, Priority):
        values: Values = {"code": record.code, "name": record.name, "active": record.active}
    elif isinstance(record, Source):
        values = {
            "code": record.code,
            "title": record.title,
            "kind": record.kind,
            "date": record.source_date.isoformat() if record.source_date else "",
            "active": record.active,
        }
    elif isinstance(record, Course):
        values = {
            "code": record.code,
            "title": record.title,
            "mode": record.mode,
            "duration": record.duration,
            "capacity": record.capacity,
            "venue": record.venue,
            "link": record.online_url,
            "description": record.description,
            "complete_within_months": record.complete_within_months,
            "aliases": record.aliases,
            "active": record.active,
        }
    elif isinstance(record, Agency):
        values = {
            "code": record.code,
            "name": record.name,
            "kind": record.kind,
            "statutory_partner": record.statutory_partner,
            "active": record.active,
        }
    elif isinstance(record, Group):
        values = {
            "code": record.code,
            "name": record.name,
            "cadence": record.cadence,
            "chair": record.chair.code if record.chair else "",
            "chair_name": record.chair.name if record.chair else "",
            "joint": record.joint,
            "aliases": record.aliases,
            "active": record.active,
        }
    else:
        assert isinstance(record, Person), kind
        values = {
            "code": record.code,
            "name": record.name,
            "email": record.email,
            "agency": record.agency.code,
            "agency_name": record.agency.name,
            "role": record.role_title,
            "champion": record.is_champion,
            "admin": record.is_admin,
            "scrutineer": record.is_scrutineer,
            "active": record.active,
        }
    return {**values, "version": version_of(values)}


def _model(kind: str) -> type[Any]:
    return Person if kind == PEOPLE else KINDS[kind].model


async def list_items(viewer: Viewer, kind: str, work: UnitOfWork) -> list[Values]:
    """Every item of a kind, retired ones too (marked), by code."""
    _require_read(viewer, kind)
    model = _model(kind)
    async with work.read() as session:
        records = await session.scalars(select(model).order_by(model.code))
        return [_described(kind, r) for r in records]


async def _find(session: AsyncSession, kind: str, code: str) -> Any:
    model = _model(kind)
    record = await session.scalar(select(model).where(model.code == code.upper()))
    if record is None:
        raise NotFound(code)
    return record


def _check_version(kind: str, record: Any, version: str | None) -> None:
    if version is None:
        raise Invalid({"version": "is required: reload the list and try again"})
    if _described(kind, record)["version"] != version:
        raise Conflict(record.code)


# -- priorities, sources, agencies, groups, courses -----------------------------------------------


@dataclass(frozen=True)
class Change:
    """An add (`code` None: the code is among `values`) or an edit of the item `code`, from the
    values the desk's form sent (the import's columns, as text), made from item `version`."""

    values: Mapping[str, str]
    code: str | None = None
    version: str | None = None
    confirm_not_personal: bool = False
    allowed_email_domains: tuple[str, ...] = field(default=())


def _errors_by_field(errors: ImportErrors) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors.errors:
        found.setdefault(error.field or "code", error.message)
    return found


async def save_item(viewer: Viewer, kind: str, change: Change, work: UnitOfWork) -> Values:
    """Add or edit a priority, source, agency, group or course; answers it as stored."""
    require_business_team(viewer, f"change the {kind}")
    spec = KINDS[kind]
    values = {name: value for name, value in change.values.items() if name not in ("chair",)}
    async with work.write() as session:
        if change.code is None:
            code = values.get("code", "").strip().upper()
            model = spec.model
            if code and await session.scalar(select(model.id).where(model.code == code)):
                raise Invalid({"code": f"{code} is already taken; choose another code"})
        else:
            record = await _find(session, kind, change.code)
            _check_version(kind, record, change.version)
            code = record.code
            values["code"] = code
        errors = ImportErrors()
        event = "added" if change.code is None else "edited"
        options = RowOptions(change.allowed_email_domains, change.confirm_not_personal, event)
        await apply_rows(viewer, spec, [Row(kind, 1, values)], session, errors, options)
        if kind == "groups" and "chair" in change.values:
            await _set_chair(session, viewer, code, change.values["chair"], errors)
        if errors.errors:
            raise Invalid(_errors_by_field(errors))  # rolls back what was written
        return _described(kind, await _find(session, kind, code))


async def _set_chair(
    session: AsyncSession, viewer: Viewer, group_code: str, chair_code: str, errors: ImportErrors
) -> None:
    """A group's chair: someone active on the roster, by code ('' for none)."""
    group = await session.scalar(select(Group).where(Group.code == group_code))
    if group is None:
        return  # the group's own row had a problem, reported already
    chair = None
    if chair_code.strip():
        chair = await people_store.find_by_code(session, chair_code.strip().upper())
        if chair is None or not chair.active:
            errors.add(None, "chair", f"{chair_code[:20]!r} is not someone active on the roster")
            return
    new_id = chair.id if chair else None
    if group.chair_id != new_id:
        audit(
            session,
            viewer,
            entity="group",
            entity_id=group.code,
            event="edited",
            changes={"chair_id": (group.chair_id, new_id)},
        )
        group.chair = chair
        await session.flush()


async def set_active(
    viewer: Viewer, kind: str, code: str, active: bool, version: str | None, work: UnitOfWork
) -> Values:
    """Retire (or reinstate) a priority, source, agency, group or course: it stays on every
    action, session, booking, person and meeting that has it, with its history; nothing new may
    use it. Like a source or priority, a group or agency with open actions may be retired: its
    actions stay in it, to be finished or moved by those who may."""
    require_business_team(viewer, f"retire {kind}")
    if not KINDS[kind].retires:
        raise NotFound(code)
    async with work.write() as session:
        record = await _find(session, kind, code)
        _check_version(kind, record, version)
        if record.active != active:
            audit(
                session,
                viewer,
                entity=KINDS[kind].entity,
                entity_id=record.code,
                event="reinstated" if active else "retired",
                changes={"active": (record.active, active)},
            )
            record.active = active
            await session.flush()
        return _described(kind, record)


# -- people ---------------------------------------------------------------------------------------

_PERSON_FLAGS = {"champion": "is_champion", "admin": "is_admin", "scrutineer": "is_scrutineer"}


@dataclass(frozen=True)
class PersonChange:
    """A person added (`code` None) or edited: name, email, agency (code), role and the flags."""

    name: str
    email: str
    agency: str
    role: str = ""
    champion: bool = False
    admin: bool = False
    scrutineer: bool = False
    code: str | None = None
    version: str | None = None

    def row(self) -> Row:
        text = {
            "name": self.name,
            "email": self.email,
            "agency": self.agency,
            "role": self.role,
        }
        flags = {name: "yes" if getattr(self, name) else "no" for name in _PERSON_FLAGS}
        return Row(PEOPLE, 1, {**text, **flags})


async def save_person(viewer: Viewer, change: PersonChange, work: UnitOfWork) -> Values:
    """Add or edit someone on the roster (checked as the roster import checks a row)."""
    require_business_team(viewer, "change the roster")
    async with work.write() as session:
        agencies = await people_store.agencies_by_code(session)
        errors = ImportErrors()
        checked = check_person_row(change.row(), agencies, errors)
        taken = await people_store.find_by_email(session, checked.email) if checked.email else None
        if change.code is None:
            person = Person(code=f"P{await people_store.next_person_number(session):03d}")
        else:
            person = await _find(session, PEOPLE, change.code)
            _check_version(PEOPLE, person, change.version)
        if taken is not None and taken.id != person.id:
            errors.add(None, "email", f"{checked.email} is already on the roster ({taken.code})")
        agency = agencies.get(checked.agency)
        if agency is not None and not agency.active and agency.id != person.agency_id:
            errors.add(None, "agency", f"{agency.code} is retired; choose another agency")
        if errors.errors:
            raise Invalid(_errors_by_field(errors))
        before = {} if change.code is None else _described(PEOPLE, person)
        person.name, person.email, person.role_title = checked.name, checked.email, change.role
        person.agency = agencies[checked.agency]
        for name, attribute in _PERSON_FLAGS.items():
            setattr(person, attribute, getattr(change, name))
        await people_store.save_person(session, person)
        after = _described(PEOPLE, person)
        changes: dict[str, tuple[object, object]] = {
            name: (before.get(name), value)
            for name, value in after.items()
            if name not in ("version", "agency_name") and before.get(name) != value
        }
        audit(
            session,
            viewer,
            entity="person",
            entity_id=person.code,
            event="added" if change.code is None else "edited",
            changes=changes,
        )
        return after


@dataclass(frozen=True)
class OpenAction:
    reference: str
    title: str


async def open_actions_of(viewer: Viewer, code: str, work: UnitOfWork) -> list[OpenAction]:
    """The open actions a person leads: what must be reassigned before they are deactivated."""
    require_business_team(viewer, "deactivate people")
    async with work.read() as session:
        person = await _find(session, PEOPLE, code)
        led = await leavers_store.open_actions_led(session, [person.id])
        return [OpenAction(a.reference, a.text) for a in led.get(person.id, [])]


async def deactivate_person(
    viewer: Viewer,
    code: str,
    version: str | None,
    reassignments: Mapping[str, str],
    work: UnitOfWork,
) -> Values:
    """Deactivate someone, first giving each open action they lead the new lead named for it
    (reference -> person code). Refused (`StillLeads`) while any of their open actions has no
    new lead; the reassignments and the deactivation are one transaction, each audited."""
    require_business_team(viewer, "deactivate people")
    async with work.write() as session:
        person = await _find(session, PEOPLE, code)
        if person.id == viewer.person_id:
            raise Invalid({"code": "you cannot deactivate yourself; ask someone else on the team"})
        _check_version(PEOPLE, person, version)
        if not person.active:
            return _described(PEOPLE, person)
        led = (await leavers_store.open_actions_led(session, [person.id])).get(person.id, [])
        wanted = {ref.upper(): lead for ref, lead in reassignments.items()}
        missing = [a.reference for a in led if a.reference.upper() not in wanted]
        if missing:
            raise StillLeads(person.name, missing)
        await _reassign_all(session, viewer, person, led, wanted)
        await deactivate(session, viewer, person)
        await session.flush()
        return _described(PEOPLE, person)


async def _reassign_all(
    session: AsyncSession,
    viewer: Viewer,
    leaver: Person,
    led: list[Action],
    wanted: Mapping[str, str],
) -> None:
    errors: dict[str, str] = {}
    for action in led:
        lead_code = wanted[action.reference.upper()].strip().upper()
        lead = await people_store.find_by_code(session, lead_code) if lead_code else None
        if lead is None or not lead.active or lead.id == leaver.id:
            errors[action.reference] = "choose someone else active on the roster"
            continue
        reassign_lead(session, viewer, action, lead)
    if errors:
        raise Invalid(errors)
