"""Actions in Teams: "my actions", "what's overdue in neglect", "action A07", "update A07", the
overview, and the buttons on those cards (open, filter, update, save, link overlaps).

Every handler serves typed text, `Action.Submit` and `Action.Execute` alike; with Execute the card
returned replaces the one clicked, so a saved update shows in place. Permissions are the domain's
(`domain.permissions`): the lead, the chair of the owning group and admins update; members of the
owning group read; the scrutineer and Executive members read everything and update only what they
lead or chair themselves (docs/design/domain.md: "A person may update actions they lead or that
belong to a group they chair"). Handlers are thin: the typed card data (`cards.data.actions`) in, a
use case of `usecases.actions` (which checks permission on every action a request touches), a card
out.
"""

from __future__ import annotations

import logging
from datetime import date

from cards import actions as action_cards
from cards.actions import Banner, FormState, ListContext
from cards.common import Card, escape_markdown, message_card
from cards.data import NoData
from cards.data.actions import (
    ActionData,
    ActionListData,
    ActionSaveData,
    OverlapData,
    UndoData,
)
from cards.verbs import Verb
from dialogs.registry import Registry, Reply, Turn
from domain.action_views import ActionDetail, ActionSummary
from domain.permissions import OfferedTo, Viewer
from domain.undo import UNDO_WINDOW
from storage.actions import LinkState
from usecases import actions as cases
from usecases.actions import (
    ActionList,
    ActionRefused,
    ActionRules,
    ActionShown,
    ListRequest,
    NotAllowed,
    OverlapRequest,
    SaveResult,
    UndoDone,
    UndoRefused,
    UndoRequest,
    UnknownScope,
    UpdateRequest,
)
from usecases.register_export import register_size

log = logging.getLogger(__name__)

_REFERENCE = r"(?P<reference>[a-z]{1,4}-?\d{1,4})"
_DONE = r"(complete|completed|done|finished|closed)"
_ANY_REFERENCE = r"(?P<reference>[a-z0-9][a-z0-9_.-]{0,15})"
_SCOPE = r"( (in|for|on|under) (?P<scope>.+))?"
_WHATS = r"((what'?s|what’s|what is|what are|show( me)?|list|any|anything)( the)? )?"
# "Drifting" or "late": the drift list as it opens (overdue first).
_DRIFTING = r"(drifting|slipping|late|behind)"


def register_commands(registry: Registry) -> None:
    registry.text(
        "my actions",
        [
            rf"(show |list )?(me )?my (?P<status>overdue |open |stale )?actions?{_SCOPE}",
            r"what (do i|have i got to) (lead|do)",
            r"(what|which) actions (have i got|do i have|am i leading|do i lead|are mine)",
            # The bare titles Teams puts in the compose box when the command is picked from the
            # app's command list: the list answers them, each row with Open and Update buttons.
            r"(update|action|actions)( an action)?",
        ],
        my_actions,
        data=ActionListData,
        example="my actions",
        description="actions you lead or chair, most urgent first, with filters",
    )
    registry.text(
        "drift",
        [
            rf"{_WHATS}(?P<status>overdue|stale|due soon)( actions?)?{_SCOPE}",
            rf"{_WHATS}actions? (that are |which are )?(?P<status>overdue|stale|due soon){_SCOPE}",
            rf"(which|what) actions? (are|is) (?P<status>overdue|stale|due soon){_SCOPE}",
            rf"{_WHATS}{_DRIFTING}( actions?)?{_SCOPE}",
            rf"(which |what )?actions? (are |is )?{_DRIFTING}{_SCOPE}",
        ],
        drift_list,
        data=ActionListData,
        example="what's overdue in neglect",
        description="overdue (or stale, or due soon) actions, by priority or group",
    )
    registry.text(
        "drift",
        [
            r"who (hasn't|has not|haven't|have not) (updated|done)( (their|an?|the|any|his|her))?"
            rf" (actions?|updates?){_SCOPE}"
        ],
        drift_list,
        data=ActionListData,
        example="who hasn't updated their actions",
        description="actions with no recent update",
        in_help=False,
        fixed={"status": "stale"},
    )
    registry.text(
        "overview",
        [
            r"(show |show me |open )?(the )?(rag |actions? )?(overview|dashboard|summary)"
            r"( of (the )?actions)?",
            r"how (are|is) (we|it|everything) (doing|going)",
        ],
        show_overview,
        data=NoData,
        example="actions overview",
        description="chairs and business team: RAG by priority, drift, impact, overlaps",
        offered_to=OfferedTo.CHAIRS,
    )
    registry.text(
        "evidence of impact",
        [
            r"(show |list )?(me )?(the )?(evidence of |evidenced )?impacts?( evidence)?"
            r"( awaited| of (the )?actions?| so far)?",
            r"what (difference|impact) (have|has|did) (we|the actions?|the plan|it) "
            r"(made|make|had|have)",
            r"(which|what) actions? (have|has|show|showed|had)( show| shown| had| made)? "
            r"(an )?impact",
        ],
        show_impact,
        data=NoData,
        example="evidence of impact",
        description="completed actions with their evidence of impact, and those still awaited",
        offered_to=OfferedTo.CHAIRS,
    )
    registry.text(
        "export actions",
        [
            r"(can i )?(export|download)( the)?( action)?( register| actions?)?"
            r"( (to|as) (excel|csv|xlsx|a spreadsheet))?"
        ],
        export_actions,
        data=NoData,
        example="export actions",
        description="business team: how to export the register to Excel or CSV",
        offered_to=OfferedTo.BUSINESS_TEAM,
    )
    registry.text(
        "update action",
        [
            rf"(update|edit)( action)?( on| to| for)? {_ANY_REFERENCE}",
            rf"(mark|set) (action )?{_REFERENCE}( as)? {_DONE}",
            rf"(action )?{_REFERENCE} (is |has )?{_DONE}",
            rf"(complete|close|finish) (action )?{_REFERENCE}",
            rf"(add (an |a )?update|record progress|progress|an update)( on| to| for) (action )?"
            rf"{_REFERENCE}",
        ],
        edit_action,
        data=ActionData,
        example="update A07",
        description="record progress, a new date, completion or impact",
    )
    registry.text(
        "undo update",
        [
            r"(undo|reverse)( (that|it|this))?( (update|save))?( (please|pls))?",
            r"(undo|reverse|remove|delete|take back|withdraw|scrap|bin) (my |the |that )?"
            r"(last |latest |previous |most recent )?(progress )?(update|save)"
            r"( i (just )?(saved|made|did|sent))?",
            r"i (saved|sent|made|did) (that|it|an update|the wrong update|the update|that update)"
            r" by (mistake|accident)( undo( it| that)?)?",
            r"(oops|whoops) (undo|take that back)( (that|it))?",
        ],
        undo_update,
        data=UndoData,
        example="undo",
        description="take back the update you just saved (within 15 minutes)",
    )
    registry.text(
        "action",
        [
            rf"(show |show me |open |view |what'?s |what is )?action {_ANY_REFERENCE}",
            rf"((show|open|view)( me)?|what'?s|what is|tell me about|details (of|for|on)|look at"
            rf"|pull up|what about) {_REFERENCE}",
            _REFERENCE,
        ],
        show_action,
        data=ActionData,
        example="action A07",
        description="one action: facts, updates, overlaps, impact",
    )


def register(registry: Registry) -> None:
    register_commands(registry)
    registry.verb(Verb.ACTIONS_MINE, my_actions, ActionListData)
    registry.verb(Verb.ACTIONS_LIST, drift_list, ActionListData)
    registry.verb(Verb.ACTIONS_OVERVIEW, show_overview, NoData)
    registry.verb(Verb.ACTION_SHOW, show_action, ActionData)
    registry.verb(Verb.ACTION_EDIT, edit_action, ActionData)
    registry.verb(Verb.ACTION_SAVE, save_action, ActionSaveData)
    registry.verb(Verb.ACTION_LINK, link_actions, OverlapData)
    registry.verb(Verb.ACTION_DISMISS_OVERLAP, dismiss_overlap, OverlapData)
    registry.verb(Verb.ACTION_UNDO, undo_update, UndoData)


# -- helpers --------------------------------------------------------------------------------------


def _viewer(turn: Turn) -> Viewer:
    assert turn.viewer is not None  # the router answers unknown people before any handler runs
    return turn.viewer


def _rules(turn: Turn) -> ActionRules:
    return ActionRules.of(turn.services.settings)


def _today(turn: Turn) -> date:
    return _rules(turn).today(turn.now)


def _list_request(data: ActionListData) -> ListRequest:
    return ListRequest(
        status=data.status, scope=data.scope, group=data.group, priority=data.priority
    )


def refusal_card(refused: ActionRefused) -> Card:
    """The answer for an action that does not exist, or is not the person's to see or update."""
    if refused.reason == "not_yours":
        return action_cards.not_yours_card(refused.reference, refused.group_name)
    if refused.reason == "not_yours_to_update":
        return action_cards.not_yours_to_update_card(refused.reference)
    return action_cards.not_found_card(refused.reference or "(none)")


def update_request(data: ActionSaveData, answers_reminders: tuple[str, ...] = ()) -> UpdateRequest:
    """The use case's request from an update form (the update card's or a reminder card's)."""
    return UpdateRequest(data.reference, data.form(), data.version, answers_reminders)


# -- lists ----------------------------------------------------------------------------------------


def _list_card(turn: Turn, found: ActionList, context: ListContext) -> Reply:
    rules = _rules(turn)
    return Reply(
        card=action_cards.action_list_card(found.items, context, _today(turn), rules.thresholds)
    )


async def my_actions(turn: Turn, data: ActionListData) -> Reply:
    viewer = _viewer(turn)
    found = await cases.my_actions(
        viewer, _list_request(data), turn.services.work, now=turn.now, rules=_rules(turn)
    )
    if isinstance(found, UnknownScope):
        return _unknown_scope(found)
    context = ListContext(
        title="Your actions",
        verb=Verb.ACTIONS_MINE,
        chosen=found.chosen,
        groups=found.groups,
        priorities=found.priorities,
        intro=_mine_intro(viewer, found.mine),
        empty=_empty_mine(found.mine),
        can_widen=bool(found.mine),
        show_overview=cases.may_see_overview(viewer),
    )
    return _list_card(turn, found, context)


def _mine_intro(viewer: Viewer, mine: list[ActionSummary]) -> str:
    led = sum(1 for a in mine if a.lead_id == viewer.person_id)
    text = f"You lead {led} action{'s' if led != 1 else ''}"
    if viewer.is_chair:
        chaired = len(mine) - led
        text += f"; the groups you chair own {chaired} more"
    return text + ". Most urgent first: overdue, due soon, then no recent update."


def _empty_mine(mine: list[ActionSummary]) -> str:
    if not mine:
        return (
            "You don't lead any actions, and you don't chair a group that owns any. "
            'Type "overdue" to see overdue actions in your groups.'
        )
    return "None of your actions match these filters."


async def drift_list(turn: Turn, data: ActionListData) -> Reply:
    """Overdue, stale or due-soon actions the person can see, optionally in one priority/group."""
    viewer = _viewer(turn)
    found = await cases.drift_list(
        viewer, _list_request(data), turn.services.work, now=turn.now, rules=_rules(turn)
    )
    if isinstance(found, UnknownScope):
        return _unknown_scope(found)
    title = {"overdue": "Overdue", "stale": "No recent update", "due_soon": "Due soon"}.get(
        found.chosen.status, "Actions"
    )
    if found.scope_name:
        title += f" in {found.scope_name}"
    where = "every group" if viewer.reads_everything else "the groups you belong to"
    context = ListContext(
        title=title,
        verb=Verb.ACTIONS_LIST,
        chosen=found.chosen,
        groups=found.groups,
        priorities=found.priorities,
        intro=f"Actions in {where}, most urgent first.",
        empty="Nothing here: no action matches.",
        show_overview=cases.may_see_overview(viewer),
    )
    return _list_card(turn, found, context)


def _unknown_scope(unknown: UnknownScope) -> Reply:
    names = ", ".join(name for _code, name in unknown.priorities)
    return Reply(
        card=message_card(
            "Which priority or group?",
            f'I don\'t know a priority or group called "{escape_markdown(unknown.phrase)}". '
            f"Priorities are: {escape_markdown(names)}. You can also name a group, like "
            "Learning Lessons or NSIG.",
        )
    )


# -- one action -----------------------------------------------------------------------------------


def _detail_card(
    turn: Turn,
    shown: ActionShown,
    banner: Banner | None = None,
    *,
    undo_update_id: int | None = None,
) -> Card:
    return action_cards.action_detail_card(
        shown.detail,
        _today(turn),
        _rules(turn).thresholds,
        can_update=shown.can_update,
        banner=banner,
        show_overview=cases.may_see_overview(_viewer(turn)),
        undo_update_id=undo_update_id,
    )


async def show_action(turn: Turn, data: ActionData) -> Reply:
    shown = await cases.show_action(_viewer(turn), data.reference, turn.services.work)
    if isinstance(shown, ActionRefused):
        return Reply(card=refusal_card(shown))
    return Reply(card=_detail_card(turn, shown))


async def edit_action(turn: Turn, data: ActionData) -> Reply:
    shown = await cases.open_update_form(_viewer(turn), data.reference, turn.services.work)
    if isinstance(shown, ActionRefused):
        return Reply(card=refusal_card(shown))
    return Reply(card=action_cards.update_card(shown.detail, _today(turn)))


async def save_action(turn: Turn, data: ActionSaveData) -> Reply:
    """The update card's Save: one transaction; the card comes back saved, or with what to fix."""
    viewer = _viewer(turn)
    result = await cases.save_update(
        viewer, update_request(data), turn.services.work, now=turn.now, rules=_rules(turn)
    )
    if isinstance(result, ActionRefused):
        log.info("action save by %s on %s: %s", viewer.code, result.reference, result.reason)
        return Reply(card=refusal_card(result))
    log.info("action save by %s on %s: %s", viewer.code, result.reference, result.outcome)
    return Reply(card=_after_save(turn, result))


def _after_save(turn: Turn, result: SaveResult) -> Card:
    detail = result.detail
    if result.saved:
        note = f"Saved your update of {action_cards.day(_today(turn))}."
        if result.check.confirmed:
            note += " Your confirmation that it holds no personal data is recorded."
        shown = ActionShown(detail, can_update=True)
        return _detail_card(turn, shown, Banner(note), undo_update_id=result.update_id)
    return action_cards.update_card(
        detail, _today(turn), form_state(result), message=_conflict_message(result, detail)
    )


def form_state(result: SaveResult) -> FormState:
    """The form again: what was typed, the errors beside their fields, screening's findings."""
    check = result.check
    return FormState(check.values, check.errors, check.findings, check.fingerprint)


def _conflict_message(result: SaveResult, detail: ActionDetail) -> str:
    if result.outcome != "conflict":
        return ""
    return (
        f"Someone else updated {detail.reference} while this card was open. The form now "
        "shows the latest saved state with what you typed; check it and save again."
    )


# -- undo -----------------------------------------------------------------------------------------


async def undo_update(turn: Turn, data: UndoData) -> Reply:
    """ "undo", or the Undo button on a saved update: the person's own update, taken back."""
    viewer = _viewer(turn)
    result = await cases.undo_update(
        viewer, UndoRequest(data.update_id), turn.services.work, now=turn.now
    )
    if isinstance(result, UndoDone):
        banner = Banner(action_cards.undone_message(result.shown.reference, result.dated))
        return Reply(card=_detail_card(turn, result.shown, banner))
    log.info("undo by %s: %s", viewer.code, result.reason)
    title, sentence = _undo_refusal(turn, result)
    return Reply.message(title, sentence)


def _undo_refusal(turn: Turn, refused: UndoRefused) -> tuple[str, str]:
    reference = refused.reference
    saved = ""
    if refused.saved_at is not None:
        saved = refused.saved_at.astimezone(turn.services.settings.zone).strftime("%H:%M")
    minutes = int(UNDO_WINDOW.total_seconds() // 60)
    sentences = {
        "nothing": (
            "Nothing to undo",
            f"You have no update to undo. Undo takes back your own update within {minutes} "
            "minutes of saving it.",
        ),
        "not_yours": (
            "That update isn't yours",
            "Only the person who saved an update can undo it. Nothing was changed.",
        ),
        "not_yours_to_update": (
            "You can't change that action now",
            f"You can no longer update {reference}, so your update stays. Ask its lead or the "
            "business team.",
        ),
        "too_late": (
            "Too late to undo",
            f"Your update of {reference} was saved at {saved}, more than {minutes} minutes ago, "
            f'so it stays. To correct it, save a new update: type "update {reference}".',
        ),
        "newer_update": (
            "Someone has updated it since",
            f"{reference} has changed since your update at {saved}: undoing yours would throw "
            f'the newer one away, so nothing was changed. Type "update {reference}" to correct it.',
        ),
        "not_recorded": (
            "That update can't be undone",
            f"Your update of {reference} was saved before undo kept what it changed. To correct "
            f'it, save a new update: type "update {reference}".',
        ),
    }
    return sentences[refused.reason]


# -- overlaps -------------------------------------------------------------------------------------


async def link_actions(turn: Turn, data: OverlapData) -> Reply:
    return await _decide_overlap(turn, data, "linked")


async def dismiss_overlap(turn: Turn, data: OverlapData) -> Reply:
    return await _decide_overlap(turn, data, "dismissed")


async def _decide_overlap(turn: Turn, data: OverlapData, state: LinkState) -> Reply:
    request = OverlapRequest(data.reference, data.other, state)
    decided = await cases.decide_overlap(_viewer(turn), request, turn.services.work, now=turn.now)
    if isinstance(decided, ActionRefused):
        return Reply(card=refusal_card(decided))
    reference, other = decided.shown.reference, decided.other
    banners = {
        "linked": Banner(f"Linked {reference} and {other}: the overlap now shows on both."),
        "dismissed": Banner(f"Noted: {other} is not the same work; I won't suggest it again."),
    }
    banner = banners.get(decided.outcome, Banner(f"{other} could not be linked.", "attention"))
    return Reply(card=_detail_card(turn, decided.shown, banner))


# -- overview and export --------------------------------------------------------------------------


async def show_overview(turn: Turn, _data: NoData) -> Reply:
    found = await cases.overview(
        _viewer(turn), turn.services.work, now=turn.now, rules=_rules(turn)
    )
    if isinstance(found, NotAllowed):
        return Reply(card=action_cards.overview_refused_card())
    scope = "All actions"
    if not found.everything:
        names = found.group_names
        scope = "Groups you chair" + (f": {', '.join(names)}" if names else "")
    return Reply(
        card=action_cards.overview_card(found.overview, found.overlaps, _today(turn), scope=scope)
    )


async def show_impact(turn: Turn, _data: NoData) -> Reply:
    found = await cases.impact_evidence(_viewer(turn), turn.services.work)
    scope = "Across the partnership" if found.everything else "Actions in your groups"
    return Reply(card=action_cards.impact_card(found.evidenced, found.awaited, scope=scope))


async def export_actions(turn: Turn, _data: NoData) -> Reply:
    total = await register_size(_viewer(turn), turn.services.work)
    if isinstance(total, NotAllowed):
        return Reply.message(
            "Exports come from the business team",
            "The business team exports the action register for the Executive and the yearly "
            'report. Type "overdue" or "my actions" to see actions here.',
        )
    return Reply(card=action_cards.export_help_card(total))
