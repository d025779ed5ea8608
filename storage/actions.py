"""Queries and plain writes on the action register: lists, detail, updates, overlap links.

Nothing here decides who may do what or what goes in the audit log: the use cases
(`usecases.actions`) check permission, apply `domain` rules and write the audit, then call these.
Every function takes the caller's `AsyncSession` and never commits.

What other features use:

- `list_open_actions(session)`: every open action with its lead, owning group and that group's
  chair and the facts the rules need, as `ActionSummary`s, in one query (no N+1). The reminder
  planners call it; `stream_open_actions(session)` yields the same in batches from one
  server-side cursor, for registers too big to hold at once. `completed_awaiting_impact` and
  `actions_led_or_chaired_by` serve the impact follow-up and the digests. The planning pass
  itself reads `stream_actions_to_plan`: only the columns the planners use, as `PlannedAction`s.
- `action_for_update` and `add_update`: the locked row and the write of a checked update (the
  action's new state, its version and a dated progress update).
- `link_parties` and `set_link_state`: both sides of an overlap link, and the decision on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.action_updates import ActionChange, StoredAction
from domain.action_views import ActionDetail, ActionSummary, LinkEntry, UpdateEntry
from domain.actions import ActionFacts, ActionStatus, Impact, Rag
from domain.overlap import Candidate
from storage.db import insert_ignoring_duplicates
from storage.models import (
    Action,
    ActionLink,
    ActionUpdate,
    Agency,
    AuditEntry,
    Group,
    OverlapCheck,
    Person,
    Priority,
    Source,
)

OPEN_STATUSES = ("not_started", "in_progress")
ENTITY = "action"

_Lead = aliased(Person, name="lead")
_Chair = aliased(Person, name="chair")
_LeadAgency = aliased(Agency, name="lead_agency")


# -- summaries: one query, every name a list needs ------------------------------------------------


def _summary_select() -> Select[Any]:
    return (
        select(
            Action.id,
            Action.reference,
            Action.text,
            Action.due_date,
            Action.revised_due_date,
            Action.status,
            Action.last_update_on,
            Action.completed_on,
            Action.lead_rag,
            Action.at_risk,
            Action.impact,
            Action.slippage,
            Action.version,
            Action.lead_id,
            Action.group_id,
            Priority.code.label("priority_code"),
            Priority.name.label("priority_name"),
            Source.code.label("source_code"),
            Source.kind.label("source_kind"),
            Source.source_date,
            Group.code.label("group_code"),
            Group.name.label("group_name"),
            Group.chair_id,
            _Lead.name.label("lead_name"),
            _Lead.email.label("lead_email"),
            _LeadAgency.name.label("lead_agency"),
            _Chair.name.label("chair_name"),
            _Chair.email.label("chair_email"),
        )
        .join(Priority, Action.priority_id == Priority.id)
        .join(Source, Action.source_id == Source.id)
        .join(Group, Action.group_id == Group.id)
        .outerjoin(_Lead, Action.lead_id == _Lead.id)
        .outerjoin(_LeadAgency, Action.lead_agency_id == _LeadAgency.id)
        .outerjoin(_Chair, Group.chair_id == _Chair.id)
        .order_by(Action.reference)
    )


def _summary(row: Any) -> ActionSummary:
    # Positional unpacking: reading 28 columns by name costs more than the query on big registers.
    (
        id_,
        reference,
        text,
        due_date,
        revised_due_date,
        status,
        last_update_on,
        completed_on,
        lead_rag,
        at_risk,
        impact,
        slippage,
        version,
        lead_id,
        group_id,
        priority_code,
        priority_name,
        source_code,
        source_kind,
        source_date,
        group_code,
        group_name,
        chair_id,
        lead_name,
        lead_email,
        lead_agency,
        chair_name,
        chair_email,
    ) = row
    return ActionSummary(
        id=id_,
        reference=reference,
        text=text,
        facts=ActionFacts(
            reference=reference,
            due_date=due_date,
            revised_due_date=revised_due_date,
            status=status,
            last_update=last_update_on,
            completed_on=completed_on,
            source_date=source_date,
            lead_rag=lead_rag,
            at_risk=at_risk,
            impact=impact,
            slippage=slippage,
        ),
        priority_code=priority_code,
        priority_name=priority_name,
        source_code=source_code,
        source_kind=source_kind,
        group_id=group_id,
        group_code=group_code,
        group_name=group_name,
        lead_id=lead_id,
        lead_name=lead_name or "",
        lead_email=lead_email or "",
        lead_agency=lead_agency or "",
        chair_id=chair_id,
        chair_name=chair_name or "",
        chair_email=chair_email or "",
        version=version,
    )


async def _summaries(
    session: AsyncSession, query: Select[Any], parameters: dict[str, Any] | None = None
) -> list[ActionSummary]:
    # Core execution on the session's connection: no ORM row processing for plain columns.
    connection = await session.connection()
    result = await connection.execute(query, parameters)
    return [_summary(row) for row in result.all()]


# The lists a turn reads, built once at import with bound parameters: building a 28-column select
# and its cache key took longer than running it (bench/turn_latency.py's "my actions" profile).
_REGISTER = _summary_select()
_LED_BY_OR_OWNED_BY = _summary_select().where(
    or_(
        Action.lead_id == bindparam("person_id"),
        Action.group_id.in_(bindparam("group_ids", expanding=True)),
    )
)


async def list_actions(session: AsyncSession) -> list[ActionSummary]:
    """The whole register, by reference."""
    return await _summaries(session, _REGISTER)


async def list_open_actions(session: AsyncSession) -> list[ActionSummary]:
    """Every open action with lead, group and chair, in one query (for the reminder planners)."""
    return await _summaries(session, _summary_select().where(Action.status.in_(OPEN_STATUSES)))


async def stream_open_actions(
    session: AsyncSession, batch_size: int = 2000
) -> AsyncIterator[list[ActionSummary]]:
    """Open actions in batches, one query with a server-side cursor: for planners over big
    registers, where holding every row at once would cost more memory than it saves time."""
    connection = await session.connection()
    query = _summary_select().where(Action.status.in_(OPEN_STATUSES))
    result = await connection.stream(query.execution_options(yield_per=batch_size))
    async for rows in result.partitions(batch_size):
        yield [_summary(row) for row in rows]


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """What the reminder planners read of an action (`domain.reminders.ActionLike`): its facts,
    its lead and its group's chair; no names, texts or emails."""

    facts: ActionFacts
    lead_id: int | None
    chair_id: int | None


def _awaiting_impact() -> Any:
    return (
        (Action.status == "complete")
        & Action.completed_on.is_not(None)
        & or_(Action.impact.is_(None), Action.impact == "awaited")
    )


async def stream_actions_to_plan(
    session: AsyncSession, batch_size: int = 5000
) -> AsyncIterator[list[PlannedAction]]:
    """Every action a reminder can be about (open, or complete with impact awaited) in batches
    from one server-side cursor, in no particular order: the planning pass over a big register
    reads only the columns the planners use, with two small joins."""
    query = (
        select(
            Action.reference,
            Action.due_date,
            Action.revised_due_date,
            Action.status,
            Action.last_update_on,
            Action.completed_on,
            Source.source_date,
            Action.lead_rag,
            Action.at_risk,
            Action.impact,
            Action.slippage,
            Action.lead_id,
            Group.chair_id,
        )
        .join(Source, Action.source_id == Source.id)
        .join(Group, Action.group_id == Group.id)
        .where(or_(Action.status.in_(OPEN_STATUSES), _awaiting_impact()))
    )
    connection = await session.connection()
    result = await connection.stream(query.execution_options(yield_per=batch_size))
    async for rows in result.partitions(batch_size):
        yield [PlannedAction(ActionFacts(*row[:11]), row[11], row[12]) for row in rows]


async def completed_awaiting_impact(session: AsyncSession) -> list[ActionSummary]:
    """Complete actions with no evidence of impact yet (for the impact follow-up reminders)."""
    query = _summary_select().where(
        Action.status == "complete",
        Action.completed_on.is_not(None),
        or_(Action.impact.is_(None), Action.impact == "awaited"),
    )
    return await _summaries(session, query)


async def actions_led_or_chaired_by(session: AsyncSession, person_id: int) -> list[ActionSummary]:
    """Actions a person leads or that belong to groups they chair (reminder digests)."""
    query = _summary_select().where(or_(Action.lead_id == person_id, Group.chair_id == person_id))
    return await _summaries(session, query)


async def actions_led_by_or_owned_by(
    session: AsyncSession, person_id: int, group_ids: Iterable[int]
) -> list[ActionSummary]:
    """Actions this person leads or that belong to these groups (who may read them is the use
    case's question: this only narrows the register in SQL)."""
    parameters = {"person_id": person_id, "group_ids": list(group_ids)}
    return await _summaries(session, _LED_BY_OR_OWNED_BY, parameters)


async def summary_of(session: AsyncSession, reference: str) -> ActionSummary | None:
    row = (
        await session.execute(_summary_select().where(Action.reference == reference.upper()))
    ).first()
    return None if row is None else _summary(row)


# One action's summary and the texts its update form shows, by reference. Built once: a turn that
# opens or previews an update pays for no statement building or cache key (a third of the read).
_ACTION_TO_UPDATE = (
    _summary_select()
    .add_columns(
        Source.title, Action.revised_due_reason, Action.status_reason, Action.impact_evidence
    )
    .where(Action.reference == bindparam("reference"))
)


async def action_to_update(session: AsyncSession, reference: str) -> ActionDetail | None:
    """One action as its update form starts from, in one query: its facts and the texts an update
    may change; not its updates or overlap links, which the form does not show (`updates` and
    `links` empty, `update_count` 0). `action_detail` has those too."""
    connection = await session.connection()
    result = await connection.execute(_ACTION_TO_UPDATE, {"reference": reference.upper()})
    row = result.first()
    if row is None:
        return None
    *summary, source_title, revised_due_reason, status_reason, impact_evidence = row
    return ActionDetail(
        summary=_summary(summary),
        source_title=source_title,
        revised_due_reason=revised_due_reason,
        status_reason=status_reason,
        impact_evidence=impact_evidence,
    )


async def priority_names(session: AsyncSession) -> list[tuple[str, str]]:
    rows = await session.execute(select(Priority.code, Priority.name).order_by(Priority.code))
    return [(code, name) for code, name in rows]


async def group_names(session: AsyncSession) -> list[tuple[str, str]]:
    rows = await session.execute(select(Group.code, Group.name).order_by(Group.name))
    return [(code, name) for code, name in rows]


# -- the detail of one action ---------------------------------------------------------------------


async def action_detail(
    session: AsyncSession, reference: str, *, updates_shown: int = 5
) -> ActionDetail | None:
    """Facts, the newest updates (and how many there are), and overlap links of one action."""
    basis = await action_to_update(session, reference)
    if basis is None:
        return None
    action_id = basis.summary.id
    updates = await _newest_updates(session, action_id, updates_shown)
    count = await session.scalar(
        select(func.count()).select_from(ActionUpdate).where(ActionUpdate.action_id == action_id)
    )
    return replace(
        basis,
        updates=updates,
        update_count=count or 0,
        links=await _links_of(session, action_id),
    )


async def impact_evidence_of(session: AsyncSession, action_ids: Iterable[int]) -> dict[int, str]:
    """The evidence of impact written for these actions, by id ('' where none was)."""
    ids = list(action_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(Action.id, Action.impact_evidence).where(Action.id.in_(ids))
    )
    return {row.id: row.impact_evidence or "" for row in rows}


async def _newest_updates(session: AsyncSession, action_id: int, limit: int) -> list[UpdateEntry]:
    rows = await session.execute(
        select(ActionUpdate, Person.name)
        .outerjoin(Person, ActionUpdate.person_id == Person.id)
        .where(ActionUpdate.action_id == action_id)
        .order_by(ActionUpdate.dated.desc(), ActionUpdate.id.desc())
        .limit(limit)
    )
    return [
        UpdateEntry(
            dated=update.dated,
            person_name=name or "",
            note=update.note,
            status=update.status,
            lead_rag=update.lead_rag,
            screening_confirmed=update.screening_confirmed,
        )
        for update, name in rows
    ]


async def _links_of(session: AsyncSession, action_id: int) -> list[LinkEntry]:
    other_id = func.coalesce(
        func.nullif(ActionLink.first_id, action_id), ActionLink.second_id
    ).label("other_id")
    links = (
        select(ActionLink.state, ActionLink.score, other_id)
        .where(or_(ActionLink.first_id == action_id, ActionLink.second_id == action_id))
        .where(ActionLink.state != "dismissed")
        .subquery()
    )
    rows = await session.execute(
        select(
            Action.reference, Action.text, Action.status, Source.code, links.c.state, links.c.score
        )
        .join(links, links.c.other_id == Action.id)
        .join(Source, Action.source_id == Source.id)
        .order_by(links.c.state, Action.reference)
    )
    return [
        LinkEntry(ref, text, source, status, state, score)
        for ref, text, status, source, state, score in rows
    ]


# -- writing an update ----------------------------------------------------------------------------


async def action_for_update(session: AsyncSession, reference: str) -> Action | None:
    """The action, locked until the transaction ends, so two saves cannot interleave."""
    return await session.scalar(
        select(Action).where(Action.reference == reference.strip().upper()).with_for_update()
    )


def stored_action(action: Action) -> StoredAction:
    return StoredAction(
        reference=action.reference,
        status=cast(ActionStatus, action.status),
        lead_rag=cast(Rag | None, action.lead_rag),
        slippage=action.slippage,
        due_date=action.due_date,
        revised_due_date=action.revised_due_date,
        revised_due_reason=action.revised_due_reason,
        status_reason=action.status_reason,
        completed_on=action.completed_on,
        impact=cast(Impact | None, action.impact),
        impact_evidence=action.impact_evidence,
    )


async def add_update(
    session: AsyncSession,
    action: Action,
    change: ActionChange,
    *,
    person_id: int | None,
    today: date,
    now: datetime,
    screening_confirmed: bool,
    previous: dict[str, Any] | None = None,
) -> int:
    """Apply a checked change to the (locked) action, bump its version and add the dated progress
    update, keeping `previous` (what the action was before, for an undo); returns the update's
    id. The caller decides whether it may, and writes the audit."""
    for name, (_old, new) in change.changes_from(stored_action(action)).items():
        setattr(action, name, new)
    action.last_update_on = today
    action.version += 1
    update = ActionUpdate(
        action_id=action.id,
        dated=today,
        at=now,
        person_id=person_id,
        note=change.note,
        status=change.status,
        lead_rag=change.lead_rag,
        screening_confirmed=screening_confirmed,
        previous=previous,
    )
    session.add(update)
    await session.flush()
    return update.id


# -- undoing an update ----------------------------------------------------------------------------


async def update_by_id(session: AsyncSession, update_id: int) -> ActionUpdate | None:
    return await session.get(ActionUpdate, update_id)


async def last_update_by(session: AsyncSession, person_id: int) -> ActionUpdate | None:
    """The newest update this person saved, of any action."""
    return await session.scalar(
        select(ActionUpdate)
        .where(ActionUpdate.person_id == person_id)
        .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
        .limit(1)
    )


async def newest_update_id(session: AsyncSession, action_id: int) -> int | None:
    return await session.scalar(
        select(ActionUpdate.id)
        .where(ActionUpdate.action_id == action_id)
        .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
        .limit(1)
    )


async def action_by_id_for_update(session: AsyncSession, action_id: int) -> Action | None:
    """The action, locked until the transaction ends (see `action_for_update`)."""
    return await session.scalar(select(Action).where(Action.id == action_id).with_for_update())


async def remove_update(
    session: AsyncSession, action: Action, update: ActionUpdate, values: dict[str, Any]
) -> None:
    """Put the (locked) action back to `values`, bump its version and delete the update."""
    for name, value in values.items():
        setattr(action, name, value)
    action.version += 1
    await session.delete(update)
    await session.flush()


# -- batch writes (an import's thousands of rows) --------------------------------------------------

# The ORM's batch insert leaves out a row's None values, so rows with None in different columns
# go in separate statements (a 5,000-action plan took 1,355); NULL is what None means here.
_EVERY_ROW_ALIKE = {"render_nulls": True}
# Rows per IN list when reading back what was inserted: well under SQLite's bound-parameter limit.
_READ_BACK_CHUNK = 1000


async def insert_actions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[Action]:
    """New actions in batches (the unit of work inserts one row at a time on SQLite), read back
    as loaded objects; every row has the same columns."""
    if not rows:
        return []
    await session.execute(insert(Action), list(rows), execution_options=_EVERY_ROW_ALIKE)
    references = [row["reference"] for row in rows]
    created: list[Action] = []
    for start in range(0, len(references), _READ_BACK_CHUNK):
        chunk = references[start : start + _READ_BACK_CHUNK]
        created += await session.scalars(select(Action).where(Action.reference.in_(chunk)))
    return created


async def insert_updates(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[int, int]:
    """Progress updates in batches, at most one per action; each one's id by its action's id."""
    if not rows:
        return {}
    result = await session.execute(
        insert(ActionUpdate).returning(ActionUpdate.action_id, ActionUpdate.id),
        list(rows),
        execution_options=_EVERY_ROW_ALIKE,
    )
    return {action_id: update_id for action_id, update_id in result}


# -- overlap links --------------------------------------------------------------------------------

LinkState = Literal["linked", "dismissed"]


@dataclass(frozen=True, slots=True)
class LinkParty:
    """One side of an overlap link: what permission and the link itself need."""

    reference: str
    id: int
    lead_id: int | None
    group_id: int


async def link_parties(session: AsyncSession, references: Iterable[str]) -> dict[str, LinkParty]:
    """The actions with these references that exist, by reference."""
    rows = await session.execute(
        select(Action.reference, Action.id, Action.lead_id, Action.group_id).where(
            Action.reference.in_({r.strip().upper() for r in references})
        )
    )
    return {row.reference: LinkParty(*row) for row in rows}


async def set_link_state(
    session: AsyncSession,
    first_id: int,
    second_id: int,
    state: LinkState,
    *,
    person_id: int | None,
    now: datetime,
) -> str | None:
    """Record the decision on the pair (whichever order it is given in); returns the state it had
    before (None when the pair was never suggested or decided)."""
    first_id, second_id = sorted((first_id, second_id))
    link = await session.scalar(
        select(ActionLink).where(ActionLink.first_id == first_id, ActionLink.second_id == second_id)
    )
    old_state = link.state if link is not None else None
    if link is None:
        link = ActionLink(first_id=first_id, second_id=second_id)
        session.add(link)
    link.state, link.decided_by_id, link.decided_at = state, person_id, now
    await session.flush()
    return old_state


@dataclass(frozen=True, slots=True)
class OverlapPair:
    first: str
    second: str
    state: str
    score: float | None


async def overlap_pairs(session: AsyncSession) -> list[OverlapPair]:
    """Linked and suggested pairs, by reference (dismissed ones are history)."""
    first, second = aliased(Action), aliased(Action)
    rows = await session.execute(
        select(first.reference, second.reference, ActionLink.state, ActionLink.score)
        .join(first, ActionLink.first_id == first.id)
        .join(second, ActionLink.second_id == second.id)
        .where(ActionLink.state != "dismissed")
        .order_by(ActionLink.state, first.reference, second.reference)
    )
    return [OverlapPair(a, b, state, score) for a, b, state, score in rows]


@dataclass(frozen=True, slots=True)
class Suggestion:
    reference: str
    other: str
    score: float


async def overlap_candidates(session: AsyncSession) -> list[Candidate]:
    """Every action as the overlap finder compares them: reference, text and source."""
    rows = await session.execute(
        select(Action.reference, Action.text, Source.code).join(
            Source, Action.source_id == Source.id
        )
    )
    return [Candidate(row.reference, row.text, row.code) for row in rows]


async def store_suggestions(
    session: AsyncSession, suggestions: Iterable[Suggestion]
) -> list[Suggestion]:
    """Store each suggestion whose pair is not yet suggested, linked or dismissed (and whose
    actions are both still there); returns those stored."""
    wanted = list(suggestions)
    if not wanted:
        return []
    ids = {ref: id_ for ref, id_ in await session.execute(select(Action.reference, Action.id))}
    pairs = {
        (a, b) for a, b in await session.execute(select(ActionLink.first_id, ActionLink.second_id))
    }
    stored: list[Suggestion] = []
    rows: list[dict[str, object]] = []
    for suggestion in wanted:
        first, second = ids.get(suggestion.reference), ids.get(suggestion.other)
        if first is None or second is None:
            continue
        pair = (min(first, second), max(first, second))
        if pair in pairs:
            continue
        pairs.add(pair)
        rows.append({"first_id": pair[0], "second_id": pair[1], "score": suggestion.score})
        stored.append(suggestion)
    # Two processes may compare the same queued action at once: the pair is stored once.
    await insert_ignoring_duplicates(session, ActionLink, rows, ["first_id", "second_id"])
    return stored


async def queue_overlap_checks(session: AsyncSession, action_ids: Iterable[int]) -> None:
    rows = [{"action_id": action_id} for action_id in action_ids]
    if rows:
        await session.execute(insert(OverlapCheck), rows)


async def queued_overlap_checks(session: AsyncSession, limit: int) -> list[Candidate]:
    """The longest-waiting queued actions, at most ``limit``."""
    rows = await session.execute(
        select(Action.reference, Action.text, Source.code)
        .join(OverlapCheck, OverlapCheck.action_id == Action.id)
        .join(Source, Action.source_id == Source.id)
        .order_by(OverlapCheck.queued_at, OverlapCheck.action_id)
        .limit(limit)
    )
    return [Candidate(row.reference, row.text, row.code) for row in rows]


async def forget_overlap_checks(session: AsyncSession, references: Iterable[str]) -> None:
    ids = select(Action.id).where(Action.reference.in_(set(references)))
    await session.execute(delete(OverlapCheck).where(OverlapCheck.action_id.in_(ids)))


# -- the audit trail ------------------------------------------------------------------------------


async def audit_trail(session: AsyncSession, reference: str) -> list[AuditEntry]:
    rows = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == reference.upper())
        .order_by(AuditEntry.id)
    )
    return list(rows)


# -- the desk's register: one page, filtered, searched and sorted in SQL ---------------------------

REGISTER_SORTS = (
    "ref",
    "title",
    "group",
    "priority",
    "source",
    "lead",
    "agency",
    "status",
    "rag",
    "lead_rag",
    "due",
    "revised_due",
    "overdue_working_days",
    "last_update_at",
)
DERIVED_RAGS = ("red", "amber", "green", "none")


@dataclass(frozen=True, slots=True)
class RegisterQuery:
    """A page of the register as the desk asks for it; empty text and None mean "any"."""

    group: str = ""
    priority: str = ""
    source: str = ""
    lead: str = ""
    agency: str = ""
    status: str = ""
    rag: str = ""
    lead_rag: str = ""
    overdue: bool | None = None
    stale: bool | None = None
    no_impact: bool | None = None
    q: str = ""
    sort: str = "ref"
    descending: bool = False
    page: int = 1
    page_size: int = 25


@dataclass(frozen=True, slots=True)
class Readable:
    """Which actions a page may hold: all of them (`person_id` None), or those the person leads
    or that belong to these groups. The use case derives it from `domain.permissions`."""

    person_id: int | None = None
    group_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class DriftDates:
    """The dates the derived RAG turns on, worked out by the caller from today and the
    partnership's thresholds (`domain.actions`): overdue before `today`, stale on or before
    `stale_on_or_before` (or never updated), due soon up to `due_soon_until`."""

    today: date
    stale_on_or_before: date
    due_soon_until: date


class _Drift:
    """The domain's drift rules (`domain.actions.derived_rag`) as SQL expressions."""

    def __init__(self, dates: DriftDates) -> None:
        self.due = func.coalesce(Action.revised_due_date, Action.due_date)
        self.open = Action.status.in_(OPEN_STATUSES)
        self.overdue = and_(self.open, self.due < dates.today)
        self.stale = and_(
            self.open,
            or_(Action.last_update_on.is_(None), Action.last_update_on <= dates.stale_on_or_before),
        )
        self.red = or_(self.overdue, self.stale)
        due_soon = and_(self.open, self.due >= dates.today, self.due <= dates.due_soon_until)
        lead_flags_risk = or_(Action.at_risk.is_(True), Action.lead_rag.in_(("amber", "red")))
        self.amber = and_(
            self.open,
            not_(self.red),
            or_(and_(Action.slippage.is_(True), due_soon), lead_flags_risk),
        )
        self.green = and_(self.open, not_(self.red), not_(self.amber))
        self.no_impact = and_(
            Action.status == "complete",
            or_(Action.impact.is_(None), Action.impact.not_in(("evidenced", "not_applicable"))),
        )
        self.rag_rank = case((self.red, 0), (self.amber, 1), (self.green, 2), else_=3)

    def rag_is(self, rag: str) -> ColumnElement[bool]:
        return {"red": self.red, "amber": self.amber, "green": self.green}.get(rag, not_(self.open))


def _yes_or_no(condition: ColumnElement[bool], wanted: bool) -> ColumnElement[bool]:
    return condition if wanted else not_(condition)


def _register_conditions(query: RegisterQuery, drift: _Drift) -> list[ColumnElement[bool]]:
    exact: list[tuple[Any, str]] = [
        (Group.code, query.group),
        (Priority.code, query.priority),
        (Source.code, query.source),
        (_Lead.code, query.lead),
        (_LeadAgency.code, query.agency),
        (Action.status, query.status),
        (Action.lead_rag, query.lead_rag),
    ]
    conditions: list[ColumnElement[bool]] = [column == value for column, value in exact if value]
    if query.rag:
        conditions.append(drift.rag_is(query.rag))
    for condition, wanted in (
        (drift.overdue, query.overdue),
        (drift.stale, query.stale),
        (drift.no_impact, query.no_impact),
    ):
        if wanted is not None:
            conditions.append(_yes_or_no(condition, wanted))
    if query.q:
        conditions.append(
            or_(
                Action.reference.icontains(query.q, autoescape=True),
                Action.text.icontains(query.q, autoescape=True),
                _Lead.name.icontains(query.q, autoescape=True),
            )
        )
    return conditions


def _register_order(query: RegisterQuery, drift: _Drift) -> list[Any]:
    columns: dict[str, list[Any]] = {
        "ref": [Action.reference],
        "title": [Action.text],
        "group": [Group.name],
        "priority": [Priority.code],
        "source": [Source.code],
        "lead": [_Lead.name],
        "agency": [_LeadAgency.name],
        "status": [Action.status],
        "rag": [drift.rag_rank],
        "lead_rag": [Action.lead_rag],
        "due": [Action.due_date],
        "revised_due": [Action.revised_due_date],
        # Least overdue first: the open actions on time, then the overdue by how long ago they
        # fell due (a later due date is fewer days overdue).
        "overdue_working_days": [case((drift.overdue, 1), else_=0), drift.due.desc()],
        "last_update_at": [Action.last_update_on],
    }
    chosen = columns.get(query.sort, columns["ref"])
    ordered = [c.desc() if query.descending else c for c in chosen]
    return [*(column.nulls_last() for column in ordered), Action.reference]


async def register_page(
    session: AsyncSession, query: RegisterQuery, readable: Readable, dates: DriftDates
) -> tuple[list[ActionSummary], int]:
    """One page of the actions `readable` allows that match `query`, and how many match in all:
    filtering, text search, sorting and paging all happen in the database."""
    drift = _Drift(dates)
    conditions = _register_conditions(query, drift)
    if readable.person_id is not None:
        conditions.append(
            or_(Action.lead_id == readable.person_id, Action.group_id.in_(readable.group_ids))
        )
    matching = _summary_select().where(*conditions).order_by(None)
    # The count keeps the joins the filters need but reads no columns.
    total = await session.scalar(matching.with_only_columns(func.count(Action.id)))
    page = (
        matching.order_by(*_register_order(query, drift))
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    )
    return await _summaries(session, page), total or 0


async def register_choices(
    session: AsyncSession, readable: Readable
) -> dict[str, list[tuple[str, str]]]:
    """The codes and names the register's filters offer: the groups, priorities, sources and
    agencies, and the people who lead an action `readable` allows."""
    led = select(Action.lead_id).where(Action.lead_id.is_not(None))
    if readable.person_id is not None:
        led = led.where(
            or_(Action.lead_id == readable.person_id, Action.group_id.in_(readable.group_ids))
        )
    lists = {
        "groups": select(Group.code, Group.name).order_by(Group.name),
        "priorities": select(Priority.code, Priority.name).order_by(Priority.code),
        "sources": select(Source.code, Source.title).order_by(Source.code),
        "leads": select(Person.code, Person.name).where(Person.id.in_(led)).order_by(Person.name),
        "agencies": select(Agency.code, Agency.name).order_by(Agency.name),
    }
    return {
        name: [(code, label) for code, label in await session.execute(query)]
        for name, query in lists.items()
    }


@dataclass(frozen=True, slots=True)
class UpdateRow:
    at: datetime
    dated: date
    person_name: str
    note: str
    status: str
    lead_rag: str | None


async def every_update(session: AsyncSession, action_id: int, limit: int = 500) -> list[UpdateRow]:
    """An action's progress updates, newest first (at most `limit`)."""
    rows = await session.execute(
        select(
            ActionUpdate.at,
            ActionUpdate.dated,
            Person.name,
            ActionUpdate.note,
            ActionUpdate.status,
            ActionUpdate.lead_rag,
        )
        .outerjoin(Person, ActionUpdate.person_id == Person.id)
        .where(ActionUpdate.action_id == action_id)
        .order_by(ActionUpdate.dated.desc(), ActionUpdate.id.desc())
        .limit(limit)
    )
    return [
        UpdateRow(at, dated, name or "", note, status, rag)
        for at, dated, name, note, status, rag in rows
    ]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: datetime
    person_name: str
    actor: str
    event: str
    field: str
    old_value: str | None
    new_value: str | None


async def audit_history(
    session: AsyncSession, reference: str, limit: int = 1000
) -> list[HistoryRow]:
    """The audit trail of one action with the names of the people who acted, oldest first."""
    rows = await session.execute(
        select(
            AuditEntry.at,
            Person.name,
            AuditEntry.actor,
            AuditEntry.event,
            AuditEntry.field,
            AuditEntry.old_value,
            AuditEntry.new_value,
        )
        .outerjoin(Person, AuditEntry.person_id == Person.id)
        .where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == reference.upper())
        .order_by(AuditEntry.id)
        .limit(limit)
    )
    return [HistoryRow(at, name or "", *rest) for at, name, *rest in rows]
