"""The business desk's use cases (issue 17): who is signed in, what they may do, and the register
with its history, read under exactly the chat's rules (`domain.permissions`).

- `person_signed_in`: the roster person a valid desk token names, by Entra object id, then by work
  email (the same recognition as the chat, so the object id is remembered on first contact), or
  in development by the roster code picked at the development sign-in.
- `who_am_i`: the person, their roles and what the desk may offer them (`can`).
- `register`: one page of the actions the viewer may read (`can_read_action`), filtered, searched,
  sorted and paged in the database (`storage.actions.register_page`).
- `register_filters`: the choices the register's filters offer.
- `action_page`: one action's facts, every progress update and its audit history, if the viewer
  may read it; answered exactly as a missing action otherwise.

Every use case here only reads. Changing an action goes through `usecases.actions.save_update`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain.action_views import ActionSummary
from domain.actions import derived_rag, effective_due, is_overdue
from domain.permissions import Viewer, can_read_action, can_update_action
from domain.working_days import working_days_between
from storage import actions as store
from storage import people
from storage.action_facts import ID_FIELDS, names_for_ids
from storage.actions import (
    DERIVED_RAGS,
    REGISTER_SORTS,
    DriftDates,
    HistoryRow,
    Readable,
    RegisterQuery,
    UpdateRow,
)
from usecases.actions import ActionRefused, ActionRules, ActionShown, show_action
from usecases.context import UnitOfWork
from usecases.people import Recognition, TeamsSender, actor_named, recognise

__all__ = [
    "DERIVED_RAGS",
    "REGISTER_SORTS",
    "ActionPage",
    "Can",
    "DeskPerson",
    "RegisterPage",
    "RegisterQuery",
    "RegisterRow",
    "action_page",
    "desk_people",
    "person_signed_in",
    "register",
    "register_filters",
    "who_am_i",
]

ACTION_STATUSES = ("not_started", "in_progress", "complete", "dropped")
LEAD_RAGS = ("red", "amber", "green")


# -- who is signed in -----------------------------------------------------------------------------


async def person_signed_in(
    *,
    object_id: str,
    emails: Sequence[str],
    person_code: str,
    work: UnitOfWork,
    known: Recognition,
) -> Viewer | None:
    """The active roster person a valid token names, or None when nobody on the roster is."""
    if person_code:
        return await actor_named(person_code, work, admin_emails=known.admin_emails)
    first_email = emails[0] if emails else None

    async def email() -> str | None:
        return first_email

    return await recognise(TeamsSender(object_id or None, email), work, known)


@dataclass(frozen=True)
class Can:
    """What the desk offers a person beyond reading: changing actions' facts, reference data and
    importing files are the business team's (admins'); the scrutineer changes nothing."""

    edit_actions: bool
    edit_reference: bool
    import_files: bool


@dataclass(frozen=True)
class DeskPerson:
    code: str
    name: str
    roles: tuple[str, ...]
    is_admin: bool
    is_scrutineer: bool
    can: Can


def who_am_i(viewer: Viewer) -> DeskPerson:
    business_team = viewer.is_admin
    return DeskPerson(
        code=viewer.code,
        name=viewer.name,
        roles=viewer.role_names,
        is_admin=viewer.is_admin,
        is_scrutineer=viewer.is_scrutineer,
        can=Can(business_team, business_team, business_team),
    )


async def desk_people(work: UnitOfWork, admin_emails: tuple[str, ...] = ()) -> list[DeskPerson]:
    """Everyone active on the roster, for the development sign-in's "sign in as"."""
    async with work.read() as session:
        roster = await people.active_people(session)
        return [who_am_i(await people.viewer_for(session, p, admin_emails)) for p in roster]


# -- the register ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    summary: ActionSummary
    rag: str | None
    overdue_working_days: int
    lead_code: str | None
    can_update: bool


@dataclass(frozen=True)
class RegisterPage:
    items: list[RegisterRow]
    total: int
    page: int
    page_size: int


def _readable(viewer: Viewer) -> Readable:
    """`can_read_action` as a filter the database applies: everything, or what the viewer leads
    and what belongs to the groups they are in or chair."""
    if viewer.reads_everything:
        return Readable()
    return Readable(viewer.person_id, viewer.group_ids | viewer.chaired_group_ids)


def _drift_dates(today: date, rules: ActionRules) -> DriftDates:
    return DriftDates(
        today=today,
        stale_on_or_before=today - timedelta(days=rules.thresholds.stale_days),
        due_soon_until=today + timedelta(days=rules.thresholds.due_soon_days),
    )


def _row(
    viewer: Viewer, summary: ActionSummary, today: date, rules: ActionRules, codes: dict[int, str]
) -> RegisterRow:
    facts = summary.facts
    overdue = working_days_between(effective_due(facts), today) if is_overdue(facts, today) else 0
    return RegisterRow(
        summary,
        derived_rag(facts, today, rules.thresholds),
        overdue,
        codes.get(summary.lead_id) if summary.lead_id is not None else None,
        can_update_action(viewer, summary.lead_id, summary.group_id),
    )


async def register(
    viewer: Viewer, query: RegisterQuery, work: UnitOfWork, *, now: datetime, rules: ActionRules
) -> RegisterPage:
    today = rules.today(now)
    async with work.read() as session:
        found, total = await store.register_page(
            session, query, _readable(viewer), _drift_dates(today, rules)
        )
        # The database applied the rule; this keeps a page from ever holding what it must not.
        found = [s for s in found if can_read_action(viewer, s.lead_id, s.group_id)]
        codes = await people.codes_of(session, (s.lead_id for s in found if s.lead_id))
    rows = [_row(viewer, s, today, rules, codes) for s in found]
    return RegisterPage(rows, total, query.page, query.page_size)


@dataclass(frozen=True)
class RegisterFilters:
    groups: list[tuple[str, str]]
    priorities: list[tuple[str, str]]
    sources: list[tuple[str, str]]
    leads: list[tuple[str, str]]
    agencies: list[tuple[str, str]]
    statuses: tuple[str, ...] = ACTION_STATUSES
    rags: tuple[str, ...] = DERIVED_RAGS
    lead_rags: tuple[str, ...] = LEAD_RAGS


async def register_filters(viewer: Viewer, work: UnitOfWork) -> RegisterFilters:
    """The register's filter choices. Names of groups, priorities, sources and agencies are the
    partnership's reference data, which everyone on the roster may read; the leads offered are
    those of actions the viewer may read."""
    async with work.read() as session:
        choices = await store.register_choices(session, _readable(viewer))
    return RegisterFilters(
        groups=choices["groups"],
        priorities=choices["priorities"],
        sources=choices["sources"],
        leads=choices["leads"],
        agencies=choices["agencies"],
    )


# -- one action -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionPage:
    shown: ActionShown
    row: RegisterRow
    updates: list[UpdateRow]
    history: list[HistoryRow]


async def action_page(
    viewer: Viewer, reference: str, work: UnitOfWork, *, now: datetime, rules: ActionRules
) -> ActionPage | ActionRefused:
    """One action with every update and its audit history, if the viewer may read it."""
    shown = await show_action(viewer, reference, work)
    if isinstance(shown, ActionRefused):
        return shown
    summary = shown.detail.summary
    async with work.read() as session:
        updates = await store.every_update(session, summary.id)
        history = await _history_by_name(session, shown.reference)
        codes = await people.codes_of(session, [summary.lead_id] if summary.lead_id else [])
    return ActionPage(
        shown, _row(viewer, summary, rules.today(now), rules, codes), updates, history
    )


async def _history_by_name(session: AsyncSession, reference: str) -> list[HistoryRow]:
    """The audit trail with the records its id fields point at named (a group's name, not 6)."""
    history = await store.audit_history(session, reference)
    wanted: dict[str, set[int]] = {}
    for row in history:
        if row.field in ID_FIELDS:
            ids = wanted.setdefault(row.field, set())
            ids.update(int(v) for v in (row.old_value, row.new_value) if v and v.isdigit())
    names = await names_for_ids(session, wanted)

    def named(field: str, value: str | None) -> str | None:
        if value and value.isdigit():
            return names.get(field, {}).get(int(value), value)
        return value

    return [
        replace(
            row,
            old_value=named(row.field, row.old_value),
            new_value=named(row.field, row.new_value),
        )
        if row.field in ID_FIELDS
        else row
        for row in history
    ]
