"""Actions in Teams: "my actions", "what's overdue in neglect", "action A07", "update A07", the
overview, and the buttons on those cards (open, filter, update, save, link overlaps).

Every handler serves typed text, `Action.Submit` and `Action.Execute` alike; with Execute the card
returned replaces the one clicked, so a saved update shows in place. Permissions are the domain's
(`domain.permissions`): the lead, the chair of the owning group and admins update; members of the
owning group read; the scrutineer and Executive members read everything and update only what they
lead or chair themselves (DOMAIN.md: "A person may update actions they lead or that belong to a
group they chair").
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from cards import actions as action_cards
from cards.actions import Banner, FormState, ListContext
from cards.common import Card, message_card
from cards.verbs import Verb
from dialogs.registry import Registry, Reply, Turn
from domain.action_views import (
    ActionDetail,
    ListFilter,
    apply_filter,
    build_overview,
    led_or_chaired_by,
    resolve_scope,
)
from domain.actions import RagThresholds
from domain.permissions import Viewer, can_read_action, can_update_action
from storage import actions as action_store
from storage.actions import SaveResult, local_date

log = logging.getLogger(__name__)

_REFERENCE = r"(?P<reference>[a-z]{1,4}-?\d{1,4})"
_ANY_REFERENCE = r"(?P<reference>[a-z0-9][a-z0-9_.-]{0,15})"
_SCOPE = r"( (in|for|on|under) (?P<scope>.+))?"
_WHATS = r"((what'?s|what’s|what is|what are|show( me)?|list|any)( the)? )?"


def register_commands(registry: Registry) -> None:
    registry.text(
        "my actions",
        [
            rf"(show |list )?(me )?my (?P<status>overdue |open |stale )?actions?{_SCOPE}",
            r"what (do i|have i got to) (lead|do)",
            # The bare titles Teams puts in the compose box when the command is picked from the
            # app's command list: the list answers them, each row with Open and Update buttons.
            r"(update|action|actions)( an action)?",
        ],
        my_actions,
        example="my actions",
        description="actions you lead or chair, most urgent first, with filters",
    )
    registry.text(
        "drift",
        [
            rf"{_WHATS}(?P<status>overdue|stale|due soon)( actions?)?{_SCOPE}",
            rf"{_WHATS}actions? (that are |which are )?(?P<status>overdue|stale|due soon){_SCOPE}",
        ],
        drift_list,
        example="what's overdue in neglect",
        description="overdue (or stale, or due soon) actions, by priority or group",
    )
    registry.text(
        "overview",
        [
            r"(the )?(actions? )?(overview|dashboard|summary)( of (the )?actions)?",
            r"how are we doing",
        ],
        show_overview,
        example="actions overview",
        description="chairs and business team: RAG by priority, drift, impact, overlaps",
    )
    registry.text(
        "export actions",
        [r"export( the)?( action)?( register| actions?)?( to (excel|csv|xlsx))?"],
        export_actions,
        example="export actions",
        description="business team: how to export the register to Excel or CSV",
    )
    registry.text(
        "update action",
        [rf"update (action )?{_ANY_REFERENCE}"],
        edit_action,
        example="update A07",
        description="record progress, a new date, completion or impact",
    )
    registry.text(
        "action",
        [rf"(show |open |view )?action {_ANY_REFERENCE}", rf"(show |open )?{_REFERENCE}"],
        show_action,
        example="action A07",
        description="one action: facts, updates, overlaps, impact",
    )


def register(registry: Registry) -> None:
    register_commands(registry)
    registry.verb(Verb.ACTIONS_MINE, my_actions)
    registry.verb(Verb.ACTIONS_LIST, drift_list)
    registry.verb(Verb.ACTIONS_OVERVIEW, show_overview)
    registry.verb(Verb.ACTION_SHOW, show_action)
    registry.verb(Verb.ACTION_EDIT, edit_action)
    registry.verb(Verb.ACTION_SAVE, save_action)
    registry.verb(Verb.ACTION_LINK, link_actions)
    registry.verb(Verb.ACTION_DISMISS_OVERLAP, dismiss_overlap)


# -- helpers --------------------------------------------------------------------------------------


def _viewer(turn: Turn) -> Viewer:
    assert turn.viewer is not None  # the router answers unknown people before any handler runs
    return turn.viewer


def _thresholds(turn: Turn) -> RagThresholds:
    settings = turn.services.settings
    return RagThresholds(stale_days=settings.stale_days, due_soon_days=settings.due_soon_days)


def _today(turn: Turn) -> date:
    return local_date(turn.now, turn.services.settings.zone)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _sees_overview(viewer: Viewer) -> bool:
    return viewer.reads_everything or viewer.is_chair


# -- lists ----------------------------------------------------------------------------------------


async def my_actions(turn: Turn, data: dict[str, Any]) -> Reply:
    viewer = _viewer(turn)
    async with turn.services.sessions() as session:
        visible = await action_store.actions_visible_to(session, viewer)
        groups = await action_store.group_names(session)
        priorities = await action_store.priority_names(session)
    chosen = ListFilter.from_form(data)
    if _text(data, "scope"):
        scope = resolve_scope(_text(data, "scope"), priorities, groups)
        if scope is None:
            return _unknown_scope(_text(data, "scope"), priorities)
        chosen = scope.as_filter(chosen.status)
    status_word = _text(data, "status").replace(" ", "_")
    if status_word in ("overdue", "stale", "open"):
        chosen = ListFilter(chosen.group_code, chosen.priority_code, status_word)
    mine = led_or_chaired_by(viewer, visible)
    items = apply_filter(mine, chosen, _today(turn), _thresholds(turn))
    context = ListContext(
        title="Your actions",
        verb=Verb.ACTIONS_MINE,
        chosen=chosen,
        groups=groups,
        priorities=priorities,
        intro=_mine_intro(viewer, mine),
        empty=_empty_mine(viewer, mine),
        show_overview=_sees_overview(viewer),
    )
    return Reply(
        card=action_cards.action_list_card(items, context, _today(turn), _thresholds(turn))
    )


def _mine_intro(viewer: Viewer, mine: list[Any]) -> str:
    led = sum(1 for a in mine if a.lead_id == viewer.person_id)
    text = f"You lead {led} action{'s' if led != 1 else ''}"
    if viewer.is_chair:
        chaired = len(mine) - led
        text += f"; the groups you chair own {chaired} more"
    return text + ". Most urgent first: overdue, due soon, then no recent update."


def _empty_mine(viewer: Viewer, mine: list[Any]) -> str:
    if not mine:
        return (
            "You don't lead any actions, and you don't chair a group that owns any. "
            'Type "overdue" to see overdue actions in your groups.'
        )
    return "None of your actions match these filters."


async def drift_list(turn: Turn, data: dict[str, Any]) -> Reply:
    """Overdue, stale or due-soon actions the person can see, optionally in one priority/group."""
    viewer = _viewer(turn)
    status = (_text(data, "status") or "overdue").replace(" ", "_")
    async with turn.services.sessions() as session:
        visible = await action_store.actions_visible_to(session, viewer)
        groups = await action_store.group_names(session)
        priorities = await action_store.priority_names(session)
    chosen = ListFilter.from_form({**data, "status": status})
    title = {"overdue": "Overdue", "stale": "No recent update", "due_soon": "Due soon"}.get(
        chosen.status, "Actions"
    )
    if _text(data, "scope"):
        scope = resolve_scope(_text(data, "scope"), priorities, groups)
        if scope is None:
            return _unknown_scope(_text(data, "scope"), priorities)
        chosen = scope.as_filter(chosen.status)
        title += f" in {scope.name}"
    items = apply_filter(visible, chosen, _today(turn), _thresholds(turn))
    where = "every group" if viewer.reads_everything else "the groups you belong to"
    context = ListContext(
        title=title,
        verb=Verb.ACTIONS_LIST,
        chosen=chosen,
        groups=groups,
        priorities=priorities,
        intro=f"Actions in {where}, most urgent first.",
        empty="Nothing here: no action matches.",
        show_overview=_sees_overview(viewer),
    )
    return Reply(
        card=action_cards.action_list_card(items, context, _today(turn), _thresholds(turn))
    )


def _unknown_scope(phrase: str, priorities: list[tuple[str, str]]) -> Reply:
    names = ", ".join(name for _code, name in priorities)
    return Reply(
        card=message_card(
            "Which priority or group?",
            f'I don\'t know a priority or group called "{phrase}". Priorities are: {names}. '
            "You can also name a group, like Learning Lessons or NSIG.",
        )
    )


# -- one action -----------------------------------------------------------------------------------


async def _detail_for(turn: Turn, reference: str) -> tuple[ActionDetail | None, Card | None]:
    """The action's detail if the person may read it; otherwise the card that says why not."""
    if not reference:
        return None, action_cards.not_found_card("(none)")
    async with turn.services.sessions() as session:
        detail = await action_store.action_detail(session, reference)
    if detail is None:
        return None, action_cards.not_found_card(reference.upper())
    s = detail.summary
    if not can_read_action(_viewer(turn), s.lead_id, s.group_id):
        return None, action_cards.not_yours_card(s.reference, s.group_name)
    return detail, None


def _may_update(viewer: Viewer, detail: ActionDetail) -> bool:
    return can_update_action(viewer, detail.summary.lead_id, detail.summary.group_id)


def _detail_card(turn: Turn, detail: ActionDetail, banner: Banner | None = None) -> Card:
    viewer = _viewer(turn)
    return action_cards.action_detail_card(
        detail,
        _today(turn),
        _thresholds(turn),
        can_update=_may_update(viewer, detail),
        banner=banner,
        show_overview=_sees_overview(viewer),
    )


async def show_action(turn: Turn, data: dict[str, Any]) -> Reply:
    detail, refusal = await _detail_for(turn, _text(data, "reference"))
    if detail is None:
        return Reply(card=refusal)
    return Reply(card=_detail_card(turn, detail))


async def edit_action(turn: Turn, data: dict[str, Any]) -> Reply:
    detail, refusal = await _detail_for(turn, _text(data, "reference"))
    if detail is None:
        return Reply(card=refusal)
    if not _may_update(_viewer(turn), detail):
        return Reply(card=action_cards.not_yours_to_update_card(detail.reference))
    return Reply(card=action_cards.update_card(detail, _today(turn)))


async def save_action(turn: Turn, data: dict[str, Any]) -> Reply:
    """The update card's Save: one transaction; the card comes back saved, or with what to fix."""
    viewer = _viewer(turn)
    reference = _text(data, "reference")
    settings = turn.services.settings
    async with turn.services.sessions() as session, session.begin():
        result = await action_store.save_action_update(
            session,
            viewer,
            reference,
            data,
            turn.now,
            allowed_email_domains=settings.partnership_email_domains,
            zone=settings.zone,
        )
        detail = await action_store.action_detail(session, result.reference)
    log.info("action save by %s on %s: %s", viewer.code, result.reference, result.outcome)
    return Reply(card=_after_save(turn, result, detail))


def _after_save(turn: Turn, result: SaveResult, detail: ActionDetail | None) -> Card:
    if detail is None or result.outcome == "not_found":
        return action_cards.not_found_card(result.reference or "(none)")
    if result.outcome == "forbidden":
        s = detail.summary
        if not can_read_action(_viewer(turn), s.lead_id, s.group_id):
            return action_cards.not_yours_card(s.reference, s.group_name)
        return action_cards.not_yours_to_update_card(s.reference)
    if result.saved:
        note = f"Saved your update of {action_cards.day(_today(turn))}."
        if result.check is not None and result.check.confirmed:
            note += " Your confirmation that it holds no personal data is recorded."
        return _detail_card(turn, detail, Banner(note))
    check = result.check
    assert check is not None  # every outcome but not_found and forbidden carries the check
    state = FormState(check.values, check.errors, check.findings, check.fingerprint)
    message = ""
    if result.outcome == "conflict":
        message = (
            f"Someone else updated {detail.reference} while this card was open. The form now "
            "shows the latest saved state with what you typed; check it and save again."
        )
    return action_cards.update_card(detail, _today(turn), state, message=message)


# -- overlaps -------------------------------------------------------------------------------------


async def link_actions(turn: Turn, data: dict[str, Any]) -> Reply:
    return await _decide_overlap(turn, data, "linked")


async def dismiss_overlap(turn: Turn, data: dict[str, Any]) -> Reply:
    return await _decide_overlap(turn, data, "dismissed")


async def _decide_overlap(turn: Turn, data: dict[str, Any], state: str) -> Reply:
    viewer = _viewer(turn)
    reference, other = _text(data, "reference").upper(), _text(data, "other").upper()
    async with turn.services.sessions() as session, session.begin():
        outcome = await action_store.decide_link(
            session,
            viewer,
            reference,
            other,
            "linked" if state == "linked" else "dismissed",
            turn.now,
        )
    detail, refusal = await _detail_for(turn, reference)
    if detail is None:
        return Reply(card=refusal)
    if outcome == "forbidden":
        return Reply(card=action_cards.not_yours_to_update_card(reference))
    banners = {
        "linked": Banner(f"Linked {reference} and {other}: the overlap now shows on both."),
        "dismissed": Banner(f"Noted: {other} is not the same work; I won't suggest it again."),
    }
    banner = banners.get(outcome, Banner(f"{other} could not be linked.", "attention"))
    return Reply(card=_detail_card(turn, detail, banner))


# -- overview and export --------------------------------------------------------------------------


async def show_overview(turn: Turn, _data: dict[str, Any]) -> Reply:
    viewer = _viewer(turn)
    if not _sees_overview(viewer):
        return Reply(card=action_cards.overview_refused_card())
    async with turn.services.sessions() as session:
        visible = await action_store.actions_visible_to(session, viewer)
        priorities = await action_store.priority_names(session)
        pairs = await action_store.overlap_pairs(session)
    if viewer.reads_everything:
        items, scope = visible, "All actions"
    else:
        items = [a for a in visible if a.group_id in viewer.chaired_group_ids]
        names = sorted({a.group_name for a in items})
        scope = "Groups you chair" + (f": {', '.join(names)}" if names else "")
    in_scope = {a.reference for a in items}
    overlaps = [
        (p.first, p.second, p.state) for p in pairs if p.first in in_scope or p.second in in_scope
    ]
    today = _today(turn)
    overview = build_overview(items, today, _thresholds(turn), priorities)
    return Reply(card=action_cards.overview_card(overview, overlaps, today, scope=scope))


async def export_actions(turn: Turn, _data: dict[str, Any]) -> Reply:
    viewer = _viewer(turn)
    if not viewer.is_admin:
        return Reply.message(
            "Exports come from the business team",
            "The business team exports the action register for the Executive and the yearly "
            'report. Type "overdue" or "my actions" to see actions here.',
        )
    async with turn.services.sessions() as session:
        total = len(await action_store.list_actions(session))
    return Reply(card=action_cards.export_help_card(total))
