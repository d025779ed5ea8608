"""The action register's use cases: what every front door (the chat, the reminder cards, the
desk, the command line) calls to read and change actions.

Each takes who is asking (`Actor`), a typed request and the unit of work; it checks permission on
every action the request touches with the rules of `domain.permissions`, applies the domain's
rules, loads and saves through `storage.actions`, writes the audit and returns a typed result.

Who may do what:

- A person reads what `can_read_action` allows and updates (saves, links, dismisses) what
  `can_update_action` allows; an overlap decision also needs read rights on the other action, and
  an other action the person may not read is answered exactly as one that does not exist.
- A system actor (a job, the command line without `--by`) reads everything and updates nothing:
  an update is evidence from a person, so it must name one.
- The overview is for chairs and those who read everything; the register's export is for admins
  (and the command line).

Refusals write nothing: every write happens in one transaction after every check has passed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from config import Settings
from domain.action_updates import StoredAction, UpdateCheck, check_update
from domain.action_views import (
    ActionDetail,
    ActionSummary,
    ListFilter,
    Overview,
    apply_filter,
    build_overview,
    led_or_chaired_by,
    resolve_scope,
    visible_to,
)
from domain.actions import RagThresholds, impact_missing
from domain.permissions import Viewer, can_read_action, can_update_action
from domain.send_times import local_date
from domain.undo import (
    RESTORED_TEXTS,
    UndoFacts,
    as_json,
    before_update,
    values_before,
    why_not_undo,
)
from storage import actions as store
from storage import outbox
from storage.actions import ENTITY, LinkParty, LinkState
from storage.models import Action, ActionUpdate
from usecases.context import Actor, SystemActor, UnitOfWork, audit, person_id_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActionRules:
    """The partnership's settings the action use cases need."""

    zone: ZoneInfo
    thresholds: RagThresholds
    allowed_email_domains: tuple[str, ...] = ()

    @classmethod
    def of(cls, settings: Settings) -> ActionRules:
        return cls(
            zone=settings.zone,
            thresholds=RagThresholds(settings.stale_days, settings.due_soon_days),
            allowed_email_domains=tuple(settings.partnership_email_domains),
        )

    def today(self, now: datetime) -> date:
        """Dates on actions are calendar dates where the partnership is."""
        return local_date(now, self.zone)


# -- who may do what ------------------------------------------------------------------------------


def may_read(actor: Actor, lead_id: int | None, group_id: int | None) -> bool:
    return isinstance(actor, SystemActor) or can_read_action(actor, lead_id, group_id)


def may_update(actor: Actor, lead_id: int | None, group_id: int | None) -> bool:
    return isinstance(actor, Viewer) and can_update_action(actor, lead_id, group_id)


def may_see_overview(actor: Actor) -> bool:
    return isinstance(actor, SystemActor) or actor.reads_everything or actor.is_chair


def may_export_register(actor: Actor) -> bool:
    return isinstance(actor, SystemActor) or actor.is_admin


def _who(actor: Actor) -> str:
    return actor.code if isinstance(actor, Viewer) else actor.audit_name


# -- results shared by several use cases ----------------------------------------------------------


@dataclass(frozen=True)
class ActionRefused:
    """Nothing was shown or written: no such action, or not the actor's to read or to update.
    `group_name` names the owning group to someone who may not read the action (so they know whom
    to ask); it is empty otherwise."""

    reason: Literal["not_found", "not_yours", "not_yours_to_update"]
    reference: str
    group_name: str = ""


@dataclass(frozen=True)
class NotAllowed:
    """The actor's role does not include this (the overview, the export)."""


@dataclass(frozen=True)
class ActionShown:
    """One action as the actor may see it, and whether they may update it."""

    detail: ActionDetail
    can_update: bool

    @property
    def reference(self) -> str:
        return self.detail.reference


async def _shown(
    session: AsyncSession, actor: Actor, reference: str
) -> ActionShown | ActionRefused:
    return _as_shown(actor, reference, await store.action_detail(session, reference))


def _as_shown(
    actor: Actor, reference: str, detail: ActionDetail | None
) -> ActionShown | ActionRefused:
    if detail is None:
        return ActionRefused("not_found", reference)
    s = detail.summary
    if not may_read(actor, s.lead_id, s.group_id):
        return ActionRefused("not_yours", s.reference, s.group_name)
    return ActionShown(detail, may_update(actor, s.lead_id, s.group_id))


async def _update_refusal(
    session: AsyncSession, actor: Actor, reference: str, lead_id: int | None, group_id: int
) -> ActionRefused | None:
    """Why the actor may not update this existing action, or None when they may."""
    if may_update(actor, lead_id, group_id):
        return None
    if may_read(actor, lead_id, group_id):
        return ActionRefused("not_yours_to_update", reference)
    summary = await store.summary_of(session, reference)
    return ActionRefused("not_yours", reference, summary.group_name if summary else "")


def _normal(reference: str) -> str:
    return reference.strip().upper()


# -- lists ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRequest:
    """A list's filters as a person chose them (card inputs) or said them ("overdue in neglect");
    empty means the list's default."""

    status: str = ""
    scope: str = ""
    group: str = ""
    priority: str = ""

    def as_form(self, status: str) -> dict[str, object]:
        return {"group": self.group, "priority": self.priority, "status": status}


@dataclass(frozen=True)
class ActionList:
    """The actions a list shows (most urgent first) with the filter applied and the choices the
    list's filters offer. `mine` is every action the actor leads or chairs ("my actions" only)."""

    items: list[ActionSummary]
    chosen: ListFilter
    groups: list[tuple[str, str]]
    priorities: list[tuple[str, str]]
    mine: list[ActionSummary] = field(default_factory=list)
    scope_name: str = ""


@dataclass(frozen=True)
class UnknownScope:
    """The phrase names no priority or group; the priorities are what the person can say."""

    phrase: str
    priorities: list[tuple[str, str]]


@dataclass(frozen=True)
class _Register:
    visible: list[ActionSummary]
    groups: list[tuple[str, str]]
    priorities: list[tuple[str, str]]


async def _visible(session: AsyncSession, actor: Actor) -> list[ActionSummary]:
    if isinstance(actor, SystemActor) or actor.reads_everything:
        return await store.list_actions(session)
    groups = actor.group_ids | actor.chaired_group_ids
    return visible_to(
        actor, await store.actions_led_by_or_owned_by(session, actor.person_id, groups)
    )


async def _register(actor: Actor, work: UnitOfWork) -> _Register:
    async with work.read() as session:
        visible = await _visible(session, actor)
        groups, priorities = await work.group_and_priority_names(session)
        return _Register(visible, groups, priorities)


async def my_actions(
    actor: Actor, request: ListRequest, work: UnitOfWork, *, now: datetime, rules: ActionRules
) -> ActionList | UnknownScope:
    """The actions the actor leads and, for chairs, those of the groups they chair."""
    async with work.read() as session:
        mine = await _mine(session, actor)
        groups, priorities = await work.group_and_priority_names(session)
    chosen = ListFilter.from_form(request.as_form(request.status))
    if request.scope:
        scope = resolve_scope(request.scope, priorities, groups)
        if scope is None:
            return UnknownScope(request.scope, priorities)
        chosen = scope.as_filter(chosen.status)
    status_word = request.status.replace(" ", "_")
    if status_word in ("overdue", "stale", "open"):
        chosen = ListFilter(chosen.group_code, chosen.priority_code, status_word)
    items = apply_filter(mine, chosen, rules.today(now), rules.thresholds)
    return ActionList(items, chosen, groups, priorities, mine=mine)


async def _mine(session: AsyncSession, actor: Actor) -> list[ActionSummary]:
    """What the actor leads or chairs (a system actor, nothing), read as only those rows: not
    the whole register of someone who reads everything. Still each one checked as readable."""
    if isinstance(actor, SystemActor):
        return []
    own = await store.actions_led_by_or_owned_by(session, actor.person_id, actor.chaired_group_ids)
    return led_or_chaired_by(actor, visible_to(actor, own))


async def drift_list(
    actor: Actor, request: ListRequest, work: UnitOfWork, *, now: datetime, rules: ActionRules
) -> ActionList | UnknownScope:
    """Overdue (by default), stale or due-soon actions the actor may read, in a priority or group
    when the request names one."""
    register = await _register(actor, work)
    status = (request.status or "overdue").replace(" ", "_")
    chosen = ListFilter.from_form(request.as_form(status))
    scope_name = ""
    if request.scope:
        scope = resolve_scope(request.scope, register.priorities, register.groups)
        if scope is None:
            return UnknownScope(request.scope, register.priorities)
        chosen, scope_name = scope.as_filter(chosen.status), scope.name
    items = apply_filter(register.visible, chosen, rules.today(now), rules.thresholds)
    return ActionList(items, chosen, register.groups, register.priorities, scope_name=scope_name)


@dataclass(frozen=True)
class OverviewShown:
    """RAG by priority and the drift lists, over every action (`everything`) or over the groups
    the actor chairs (`group_names`); overlaps are pairs of references with one side in scope."""

    overview: Overview
    overlaps: list[tuple[str, str, str]]
    everything: bool
    group_names: list[str]


async def overview(
    actor: Actor, work: UnitOfWork, *, now: datetime, rules: ActionRules
) -> OverviewShown | NotAllowed:
    if not may_see_overview(actor):
        return NotAllowed()
    async with work.read() as session:
        visible = await _visible(session, actor)
        _groups, priorities = await work.group_and_priority_names(session)
        pairs = await store.overlap_pairs(session)
    everything = isinstance(actor, SystemActor) or actor.reads_everything
    items = visible
    if isinstance(actor, Viewer) and not everything:
        items = [a for a in visible if a.group_id in actor.chaired_group_ids]
    in_scope = {a.reference for a in items}
    overlaps = [
        (p.first, p.second, p.state) for p in pairs if p.first in in_scope or p.second in in_scope
    ]
    built = build_overview(items, rules.today(now), rules.thresholds, priorities)
    names = [] if everything else sorted({a.group_name for a in items})
    return OverviewShown(built, overlaps, everything, names)


@dataclass(frozen=True)
class ImpactEvidence:
    """The scrutineer's question: completed actions with the evidence of their impact, and those
    whose impact is still awaited, across what the actor may read (`everything` or their groups).
    Most recently completed first."""

    evidenced: list[tuple[ActionSummary, str]]
    awaited: list[ActionSummary]
    everything: bool


async def impact_evidence(actor: Actor, work: UnitOfWork) -> ImpactEvidence:
    async with work.read() as session:
        visible = await _visible(session, actor)
        completed = sorted(
            (a for a in visible if a.facts.status == "complete"),
            key=lambda a: (a.facts.completed_on or date.min, a.reference),
            reverse=True,
        )
        evidenced = [a for a in completed if a.facts.impact == "evidenced"]
        written = await store.impact_evidence_of(session, (a.id for a in evidenced))
    return ImpactEvidence(
        evidenced=[(a, written.get(a.id, "")) for a in evidenced],
        awaited=[a for a in completed if impact_missing(a.facts)],
        everything=isinstance(actor, SystemActor) or actor.reads_everything,
    )


# -- one action -----------------------------------------------------------------------------------


async def show_action(
    actor: Actor, reference: str, work: UnitOfWork
) -> ActionShown | ActionRefused:
    """One action's facts, updates and overlaps, if the actor may read it."""
    async with work.read() as session:
        return await _shown(session, actor, _normal(reference))


async def open_update_form(
    actor: Actor, reference: str, work: UnitOfWork
) -> ActionShown | ActionRefused:
    """The action the update form starts from, if the actor may update it: its facts and the
    texts an update may change, not its updates or overlap links (the form shows neither)."""
    reference = _normal(reference)
    async with work.read() as session:
        detail = await store.action_to_update(session, reference)
    shown = _as_shown(actor, reference, detail)
    if isinstance(shown, ActionShown) and not shown.can_update:
        return ActionRefused("not_yours_to_update", shown.reference)
    return shown


# -- saving an update -----------------------------------------------------------------------------

SaveOutcome = Literal["saved", "invalid", "needs_confirmation", "conflict"]


@dataclass(frozen=True)
class UpdateRequest:
    """An update form for one action. `form` holds only the fields that were sent (a field left
    out keeps its stored value); `version` is the action's version the card was built from (None:
    not checked). Reminder kinds in `answers_reminders` still waiting for the actor about this
    action are cancelled when the update is saved: the update answers them."""

    reference: str
    form: Mapping[str, str]
    version: int | None = None
    answers_reminders: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdatePreview:
    """An update checked as `save_update` would check it, but not saved (a chatted update shown
    back for confirmation): the action as it is now (as `open_update_form` reads it) and what the
    check found."""

    detail: ActionDetail
    check: UpdateCheck


async def preview_update(
    actor: Actor, request: UpdateRequest, work: UnitOfWork, *, now: datetime, rules: ActionRules
) -> UpdatePreview | ActionRefused:
    """What saving this update would meet (errors, screening's findings), if the actor may make
    it; nothing is written."""
    shown = await open_update_form(actor, request.reference, work)
    if isinstance(shown, ActionRefused):
        return shown
    stored = shown.detail.stored()
    check = check_update(request.form, stored, rules.today(now), rules.allowed_email_domains)
    return UpdatePreview(shown.detail, check)


@dataclass(frozen=True)
class SaveResult:
    """What became of an update the actor may make: saved, or the form again with what to fix
    (`check` carries what was typed, the errors and screening's findings). `detail` is the action
    as it now is."""

    outcome: SaveOutcome
    detail: ActionDetail
    check: UpdateCheck
    update_id: int | None = None

    @property
    def saved(self) -> bool:
        return self.outcome == "saved"

    @property
    def reference(self) -> str:
        return self.detail.reference


async def save_update(
    actor: Actor, request: UpdateRequest, work: UnitOfWork, *, now: datetime, rules: ActionRules
) -> SaveResult | ActionRefused:
    """Check the actor may update the action, the card's version, the form and screening; then
    save the action, a dated progress update and the audit in one transaction."""
    reference = _normal(request.reference)
    async with work.write() as session:
        action = await store.action_for_update(session, reference)
        if action is None:
            return ActionRefused("not_found", reference)
        refusal = await _update_refusal(session, actor, reference, action.lead_id, action.group_id)
        if refusal is not None:
            return refusal
        today = rules.today(now)
        stored = store.stored_action(action)
        check = check_update(request.form, stored, today, rules.allowed_email_domains)
        outcome: SaveOutcome = "conflict"
        update_id = None
        if request.version is None or request.version == action.version:
            outcome = "saved" if check.outcome == "ok" else check.outcome
        if outcome == "saved" and check.change is not None:
            changes = check.change.changes_from(stored)
            previous = {
                **before_update(stored, action.last_update_on),
                VERSION_AFTER: action.version + 1,
            }
            update_id = await store.add_update(
                session,
                action,
                check.change,
                person_id=person_id_of(actor),
                today=today,
                now=now,
                screening_confirmed=check.confirmed,
                previous=previous,
            )
            _audit_update(session, actor, reference, changes, update_id, check)
            await _answer_reminders(session, actor, reference, request.answers_reminders)
            log.info("action %s updated by %s (update %s)", reference, _who(actor), update_id)
        detail = await store.action_detail(session, reference)
    assert detail is not None  # the row is locked: it cannot have gone within the transaction
    return SaveResult(outcome, detail, check, update_id)


def _audit_update(
    session: AsyncSession,
    actor: Actor,
    reference: str,
    changes: dict[str, tuple[object, object]],
    update_id: int,
    check: UpdateCheck,
) -> None:
    if changes:
        audit(session, actor, entity=ENTITY, entity_id=reference, event="updated", changes=changes)
    audit(
        session,
        actor,
        entity=ENTITY,
        entity_id=reference,
        event="progress_update",
        changes={"update_id": (None, update_id)},
    )
    if check.confirmed:
        # The person said what screening found is not personal data: kept as fields and kinds.
        found = "; ".join(sorted({f"{f.field}: {f.kind}" for f in check.findings}))
        audit(
            session,
            actor,
            entity=ENTITY,
            entity_id=reference,
            event="screening_confirmed",
            changes={"findings": (None, found)},
        )


async def _answer_reminders(
    session: AsyncSession, actor: Actor, reference: str, kinds: Sequence[str]
) -> None:
    if kinds and isinstance(actor, Viewer):
        await outbox.cancel_pending(
            session,
            subject=f"action:{reference}",
            kinds=list(kinds),
            person_id=actor.person_id,
            reason="updated",
        )


# -- undoing an update ---------------------------------------------------------------------------

# Kept in an update's `previous` beside the action's fields: the action's version the update left
# it at. Anything that changed the action since (another update, the plan import) moves it on.
VERSION_AFTER = "version_after"

UndoReason = Literal[
    "nothing", "not_yours", "not_yours_to_update", "too_late", "newer_update", "not_recorded"
]


@dataclass(frozen=True)
class UndoRequest:
    """Undo one update (the "Undo" button names it) or, with no id, the actor's own last one."""

    update_id: int | None = None


@dataclass(frozen=True)
class UndoDone:
    """The update is gone and the action is as it was before it."""

    shown: ActionShown
    dated: date


@dataclass(frozen=True)
class UndoRefused:
    """Nothing changed, and why: no update of theirs to undo, not theirs, saved more than
    `UNDO_WINDOW` ago, the action changed since, or saved before updates kept what they changed.
    `saved_at` is when the update was saved (the reasons after "not_yours")."""

    reason: UndoReason
    reference: str = ""
    saved_at: datetime | None = None


async def undo_update(
    actor: Actor, request: UndoRequest, work: UnitOfWork, *, now: datetime
) -> UndoDone | UndoRefused:
    """Remove the actor's own update, if it is the action's newest and under 15 minutes old, and
    put the action back as it was; audited (which update, which action, by whom) without its text.
    """
    if not isinstance(actor, Viewer):
        return UndoRefused("nothing")
    async with work.write() as session:
        update = await _update_to_undo(session, actor, request)
        if update is None:
            return UndoRefused("nothing")
        if update.person_id != actor.person_id:
            return UndoRefused("not_yours")
        action = await store.action_by_id_for_update(session, update.action_id)
        assert action is not None  # an update's action is deleted with it (ON DELETE CASCADE)
        reference = action.reference
        if not may_update(actor, action.lead_id, action.group_id):
            return UndoRefused("not_yours_to_update", reference, update.at)
        blocked = why_not_undo(await _undo_facts(session, action, update), now)
        if blocked is not None:
            return UndoRefused(blocked, reference, update.at)
        assert update.previous is not None  # why_not_undo refuses an update without it
        values = values_before(update.previous)
        changes = _restored_changes(store.stored_action(action), action.last_update_on, values)
        dated, update_id = update.dated, update.id
        version_before = action.version - 1  # the version check above: nothing changed since
        await store.remove_update(session, action, update, values)
        await _carry_version(session, action, version_before)
        audit(
            session,
            actor,
            entity=ENTITY,
            entity_id=reference,
            event="update_removed",
            changes={"update_id": (update_id, None), **changes},
        )
        log.info("action %s: update %s removed by %s", reference, update_id, _who(actor))
        shown = await _shown(session, actor, reference)
    assert isinstance(shown, ActionShown)  # may_update above implies may_read
    return UndoDone(shown, dated)


async def _carry_version(session: AsyncSession, action: Action, version_before: int) -> None:
    """The action is again as the update before the removed one left it, under a new version:
    that update stays undoable (by its own author, in its own 15 minutes) as if nothing had
    happened in between."""
    newest_id = await store.newest_update_id(session, action.id)
    newest = await store.update_by_id(session, newest_id) if newest_id is not None else None
    if newest is None or not newest.previous:
        return
    if newest.previous.get(VERSION_AFTER) == version_before:
        newest.previous = {**newest.previous, VERSION_AFTER: action.version}


async def _update_to_undo(
    session: AsyncSession, actor: Viewer, request: UndoRequest
) -> ActionUpdate | None:
    if request.update_id is None:
        return await store.last_update_by(session, actor.person_id)
    return await store.update_by_id(session, request.update_id)


async def _undo_facts(session: AsyncSession, action: Action, update: ActionUpdate) -> UndoFacts:
    previous = update.previous or {}
    newest = await store.newest_update_id(session, action.id)
    unchanged = previous.get(VERSION_AFTER, action.version) == action.version
    return UndoFacts(update.at, newest == update.id and unchanged, bool(previous))


def _restored_changes(
    now_stored: StoredAction, last_update_on: date | None, values: Mapping[str, object]
) -> dict[str, tuple[object, object]]:
    """What the undo changes, for the audit: every field but the free text people typed."""
    current = before_update(now_stored, last_update_on)
    restored = as_json(values)
    return {
        name: (current[name], restored[name])
        for name in current
        if name not in RESTORED_TEXTS and current[name] != restored[name]
    }


# -- overlap links --------------------------------------------------------------------------------

OverlapOutcome = Literal["linked", "dismissed", "same", "other_not_found"]


@dataclass(frozen=True)
class OverlapRequest:
    """Link `reference` and `other` as the same work, or dismiss the suggestion that they are."""

    reference: str
    other: str
    state: LinkState


@dataclass(frozen=True)
class OverlapDecided:
    """What became of the decision, and the reference's action as it now is. `other_not_found`
    also answers an other action the actor may not read: the two must not be told apart."""

    outcome: OverlapOutcome
    other: str
    shown: ActionShown


async def decide_overlap(
    actor: Actor, request: OverlapRequest, work: UnitOfWork, *, now: datetime
) -> OverlapDecided | ActionRefused:
    """By someone who may update `reference` and read `other`; audited on both actions."""
    reference, other = _normal(request.reference), _normal(request.other)
    async with work.write() as session:
        parties = await store.link_parties(session, (reference, other))
        mine = parties.get(reference)
        if mine is None:
            return ActionRefused("not_found", reference)
        refusal = await _update_refusal(session, actor, reference, mine.lead_id, mine.group_id)
        if refusal is not None:
            return refusal
        outcome = await _decide(session, actor, mine, parties.get(other), request.state, now)
        shown = await _shown(session, actor, reference)
    assert isinstance(shown, ActionShown)  # checked above, within the same transaction
    return OverlapDecided(outcome, other, shown)


async def _decide(
    session: AsyncSession,
    actor: Actor,
    mine: LinkParty,
    other: LinkParty | None,
    state: LinkState,
    now: datetime,
) -> OverlapOutcome:
    if other is not None and other.reference == mine.reference:
        return "same"
    if other is None or not may_read(actor, other.lead_id, other.group_id):
        return "other_not_found"
    old_state = await store.set_link_state(
        session,
        mine.id,
        other.id,
        state,
        person_id=person_id_of(actor),
        now=now,
    )
    if old_state != state:
        for ref, partner in ((mine.reference, other.reference), (other.reference, mine.reference)):
            audit(
                session,
                actor,
                entity=ENTITY,
                entity_id=ref,
                event=f"overlap_{state}",
                changes={"overlap": (old_state and f"{partner} {old_state}", f"{partner} {state}")},
            )
    return state
