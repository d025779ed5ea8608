"""Cards for the action register: lists, an action's detail, the update form, the overview.

Pure functions from `domain.action_views` data to Adaptive Card 1.5 JSON. Navigation and saving
use `Action.Execute`, so the card someone clicked is replaced in place (a list becomes the detail,
the update form becomes the saved action).

The overview draws its bars with ColumnSets of coloured Columns whose weighted widths are the
counts. That stays inside Adaptive Cards 1.5 (the card validates, Teams renders it natively in
light, dark and high-contrast themes), needs no image hosting or image library at run time, keeps
the numbers as real text for screen readers, and costs a few hundred bytes per bar, far under the
28 KB limit. A PNG data URI would need Pillow in production, is not read by screen readers, and
some Teams clients do not show data URIs.

`update_form_elements` and `save_action_button` are the update form's parts on their own, for a
reminder card that carries the form inline; its submission goes through
`usecases.actions.save_update` like the update card's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cards.common import (
    Card,
    Element,
    action_set,
    card,
    choice_input,
    column,
    columns,
    container,
    date_input,
    error_text,
    escape_markdown,
    execute,
    facts,
    heading,
    message_card,
    plain_text,
    screening_warning,
    text,
    text_input,
    titled,
    toggle_input,
)
from cards.verbs import Verb
from domain.action_updates import (
    FIELD_LABELS,
    IMPACT_LABELS,
    NOTE_MAX,
    RAG_LABELS,
    REASON_MAX,
    STATUS_LABELS,
    FieldFinding,
    StoredAction,
)
from domain.action_views import (
    BUCKETS,
    STATUS_FILTERS,
    ActionDetail,
    ActionSummary,
    LinkEntry,
    ListFilter,
    Overview,
    UpdateEntry,
    drift_of,
    drift_words,
)
from domain.actions import ActionFacts, RagThresholds, days_source_to_completion, effective_due
from domain.identifiers import KIND_LABELS
from domain.wording import shortened
from domain.working_days import working_days_between

MAX_LIST_ITEMS = 15
ANY = "any"  # the filter choice meaning "no filter"; an empty choice value confuses some clients
MAX_OVERVIEW_ITEMS = 6
MAX_LINKS_SHOWN = 5
_BUCKET_STYLE = {
    "red": "attention",
    "amber": "warning",
    "green": "good",
    "complete": "accent",
    "dropped": "emphasis",
}
_BUCKET_LABEL = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "complete": "Complete",
    "dropped": "Dropped",
}
_BUCKET_MEANING = {
    "red": "overdue, or no update for a long time",
    "amber": "at risk",
    "green": "on track",
    "complete": "complete",
    "dropped": "dropped",
}


def day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def _bucket(facts_: ActionFacts, today: date, thresholds: RagThresholds) -> str:
    if facts_.status in ("complete", "dropped"):
        return facts_.status
    return drift_of(facts_, today, thresholds).rag or "green"


def _rag_chip(bucket: str) -> Element:
    """A coloured cell with the RAG word in it, so colour is never the only signal."""
    return column(
        [text(_BUCKET_LABEL[bucket], size="Small", weight="Bolder")],
        "70px",
        style=_BUCKET_STYLE[bucket],
    )


# -- lists ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListContext:
    """What a list card needs besides its items: title, filters and where 'Apply' goes."""

    title: str
    verb: Verb
    chosen: ListFilter = field(default_factory=ListFilter)
    groups: Sequence[tuple[str, str]] = ()
    priorities: Sequence[tuple[str, str]] = ()
    intro: str = ""
    empty: str = "Nothing matches these filters."
    # False when nothing would show without filters either: then clearing them is no help.
    can_widen: bool = True
    show_overview: bool = False


def action_list_card(
    items: Sequence[ActionSummary],
    context: ListContext,
    today: date,
    thresholds: RagThresholds,
) -> Card:
    """Actions most urgent first, each opening its detail; filters at the top."""
    # The title and intro name the group or priority asked for.
    body: list[Element] = [heading(escape_markdown(context.title), size="Medium")]
    if context.intro:
        body.append(text(escape_markdown(context.intro), subtle=True))
    body.append(_filters(context))
    if not items:
        body.append(_nothing_matches(context))
    shown = items[:MAX_LIST_ITEMS]
    body.extend(action_list_item(item, today, thresholds) for item in shown)
    if len(items) > len(shown):
        body.append(
            text(
                f"{len(items) - len(shown)} more not shown: narrow the list with the filters.",
                subtle=True,
                spacing="Medium",
            )
        )
    buttons = [execute("Overview", Verb.ACTIONS_OVERVIEW)] if context.show_overview else []
    count = f"{len(items)} action{'s' if len(items) != 1 else ''}"
    return card(body, buttons, fallback_text=f"{context.title}: {count}")


def _nothing_matches(context: ListContext) -> Element:
    """An empty list says which filters hid everything and offers to clear them."""
    narrowing = _narrowing_filters(context)
    if not narrowing or not context.can_widen:
        return container([text(context.empty)], style="emphasis", spacing="Medium")
    clear = execute("Clear the filters", context.verb, group=ANY, priority=ANY, status="all")
    # This button's data is the whole choice: the form's current filters must not override it.
    clear["associatedInputs"] = "none"
    return container(
        [
            text(context.empty),
            text(
                f"Filtered by {escape_markdown(', '.join(narrowing))}. Set a filter back to "
                "Any (or the status to All) and apply, or clear them all.",
                size="Small",
            ),
            action_set([clear]),
        ],
        style="emphasis",
        spacing="Medium",
    )


def _narrowing_filters(context: ListContext) -> list[str]:
    chosen = context.chosen
    names = [
        f"group {dict(context.groups).get(chosen.group_code, chosen.group_code)}"
        if chosen.group_code
        else "",
        f"priority {chosen.priority_code}" if chosen.priority_code else "",
        f"status {STATUS_FILTERS.get(chosen.status, chosen.status)}"
        if chosen.status != "all"
        else "",
    ]
    return [name for name in names if name]


def _filters(context: ListContext) -> Element:
    chosen = context.chosen
    group_choices = [(ANY, "Any group"), *context.groups]
    priority_choices = [(ANY, "Any priority"), *((c, f"{c} {n}") for c, n in context.priorities)]
    return container(
        [
            columns(
                column(
                    [choice_input("group", "Group", group_choices, value=chosen.group_code or ANY)]
                ),
                column(
                    [
                        choice_input(
                            "priority",
                            "Priority",
                            priority_choices,
                            value=chosen.priority_code or ANY,
                        )
                    ]
                ),
                column(
                    [
                        choice_input(
                            "status", "Status", list(STATUS_FILTERS.items()), value=chosen.status
                        )
                    ]
                ),
            ),
            {"type": "ActionSet", "actions": [execute("Apply filters", context.verb)]},
        ],
        spacing="Small",
    )


def _short(value: str, limit: int = 160) -> str:
    """Long action texts cut for lists, so a full list stays well under Teams' card size limit."""
    return shortened(value, limit)


def action_list_item(item: ActionSummary, today: date, thresholds: RagThresholds) -> Element:
    """One action on a list: RAG, reference and text, group and lead, drift; it opens the action."""
    f = item.facts
    drift = drift_words(drift_of(f, today, thresholds))
    due = effective_due(f)
    who = escape_markdown(f"{item.group_name} · {item.lead_name or 'no lead'}")
    meta = f"{who} · due {day(due)}"
    if f.status in ("complete", "dropped"):
        meta = f"{who} · {STATUS_LABELS[f.status]}"
    lines = [
        {
            "type": "TextBlock",
            "text": f"**{escape_markdown(item.reference)}** {escape_markdown(_short(item.text))}",
            "wrap": True,
            "maxLines": 2,
        },
        text(meta, subtle=True, size="Small", spacing="None"),
    ]
    if drift:
        lines.append(text(drift, color="Attention", size="Small", spacing="None"))
    return container(
        [columns(_rag_chip(_bucket(f, today, thresholds)), column(lines))],
        separator=True,
        spacing="Small",
        select=execute(f"Open {item.reference}", Verb.ACTION_SHOW, reference=item.reference),
    )


# -- the detail of one action ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Banner:
    """A line at the top of a card: saved (good), a problem (attention), a note (accent)."""

    message: str
    style: str = "good"


def undone_message(reference: str, dated: date) -> str:
    """The banner after an undo."""
    return (
        f"Removed your update of {day(dated)}: {reference} is back to how it was before it. "
        "The audit log records that an update was removed, not what it said."
    )


def action_detail_card(
    detail: ActionDetail,
    today: date,
    thresholds: RagThresholds,
    *,
    can_update: bool,
    banner: Banner | None = None,
    show_overview: bool = False,
    undo_update_id: int | None = None,
) -> Card:
    """One action. `undo_update_id` names the update just saved: the card offers "Undo" (its
    author may take it back within 15 minutes, `domain.undo`)."""
    s = detail.summary
    body: list[Element] = []
    if banner is not None:
        body.append(container([text(banner.message, weight="Bolder")], style=banner.style))
    body.append(heading(escape_markdown(f"{s.reference} · {s.text}"), size="Medium"))
    drift = drift_words(drift_of(s.facts, today, thresholds))
    if drift:
        body.append(container([text(drift.capitalize(), weight="Bolder")], style="attention"))
    body.append(facts(_detail_facts(detail, today, thresholds)))
    body.extend(_impact_section(detail))
    body.extend(_history_section(detail))
    body.extend(_overlap_section(detail, can_update))
    if not can_update:
        body.append(
            text(
                "You can read this action but not update it: its lead"
                f" ({escape_markdown(s.lead_name or 'none')}), the chair of"
                f" {escape_markdown(s.group_name)} and the business team can.",
                subtle=True,
                size="Small",
                spacing="Medium",
            )
        )
    buttons: list[Element] = []
    if can_update:
        buttons.append(execute("Update", Verb.ACTION_EDIT, style="positive", reference=s.reference))
    if undo_update_id is not None:
        buttons.append(execute("Undo", Verb.ACTION_UNDO, update_id=undo_update_id))
    buttons.append(execute("My actions", Verb.ACTIONS_MINE))
    if show_overview:
        buttons.append(execute("Overview", Verb.ACTIONS_OVERVIEW))
    return card(body, buttons, fallback_text=f"{s.reference}: {s.text}")


def _detail_facts(
    detail: ActionDetail, today: date, thresholds: RagThresholds
) -> list[tuple[str, str]]:
    s, f = detail.summary, detail.summary.facts
    drift = drift_of(f, today, thresholds)
    lead = ", ".join(part for part in (s.lead_name, s.lead_agency) if part) or "No lead"
    group = s.group_name + (f" (chair: {s.chair_name})" if s.chair_name else "")
    revised = ""
    if f.revised_due_date:
        reason = detail.revised_due_reason or "no reason recorded"
        revised = f"{day(f.revised_due_date)} ({reason})"
    rags = ""
    if drift.rag:
        rags = f"{RAG_LABELS[drift.rag]} by the partnership's rules"
        lead_rag = RAG_LABELS.get(f.lead_rag or "", "none given")
        rags += f"; lead says {lead_rag}" + (" (differs)" if drift.disagreement else "")
    updated = ""
    if f.last_update:
        updated = f"{day(f.last_update)} ({_ago(drift.days_since_update)})"
    delay = days_source_to_completion(f)
    status = STATUS_LABELS.get(f.status, f.status)
    if f.status == "dropped" and detail.status_reason:
        status += f": {detail.status_reason}"
    return [
        ("Priority", f"{s.priority_code} {s.priority_name}"),
        ("Source", detail.source_title or s.source_code),
        ("Lead", lead),
        ("Owning group", group),
        ("Due", day(f.due_date)),
        ("Revised due", revised),
        ("Status", status + (" · slipping" if f.slippage else "")),
        ("RAG", rags),
        ("Last update", updated or "never"),
        ("Completed", day(f.completed_on)),
        ("Source to completion", f"{delay} days" if delay is not None else ""),
    ]


def _ago(days: int | None) -> str:
    if days is None:
        return ""
    return "today" if days == 0 else ("yesterday" if days == 1 else f"{days} days ago")


def _impact_section(detail: ActionDetail) -> list[Element]:
    f = detail.summary.facts
    if f.status != "complete":
        return []
    impact = IMPACT_LABELS.get(f.impact or "", "Not recorded")
    lines = [text(f"Impact: {impact}", weight="Bolder", spacing="Medium")]
    if detail.impact_evidence:
        lines.append(plain_text(detail.impact_evidence, spacing="None"))
    elif f.impact != "not_applicable":
        lines.append(
            text("No evidence yet of the difference it made.", color="Attention", spacing="None")
        )
    return lines


def _history_section(detail: ActionDetail) -> list[Element]:
    if not detail.updates:
        return [text("No progress updates yet.", subtle=True, spacing="Medium")]
    title = "Progress updates"
    if detail.update_count > len(detail.updates):
        title += f" (latest {len(detail.updates)} of {detail.update_count})"
    items = [text(title, weight="Bolder", spacing="Medium")]
    items.extend(_update_entry(update) for update in detail.updates)
    return items


def _update_entry(update: UpdateEntry) -> Element:
    who = update.person_name or "Business plan"
    state = STATUS_LABELS.get(update.status, update.status)
    if update.lead_rag:
        state += f", {RAG_LABELS.get(update.lead_rag, update.lead_rag)}"
    lines = [text(f"**{day(update.dated)}** · {escape_markdown(who)} · {state}", size="Small")]
    lines.append(plain_text(update.note or "(no note)", spacing="None", subtle=not update.note))
    return container(lines, separator=True, spacing="Small")


def _overlap_section(detail: ActionDetail, can_update: bool) -> list[Element]:
    if not detail.linked and not detail.suggested:
        return []
    items: list[Element] = [text("Overlapping actions", weight="Bolder", spacing="Medium")]
    items.extend(_link_entry(link) for link in detail.linked[:MAX_LINKS_SHOWN])
    for link in detail.suggested[:MAX_LINKS_SHOWN]:
        items.append(_suggestion_entry(detail.reference, link, can_update))
    hidden = max(0, len(detail.linked) - MAX_LINKS_SHOWN)
    hidden += max(0, len(detail.suggested) - MAX_LINKS_SHOWN)
    if hidden:
        items.append(text(f"and {hidden} more in the exported register", subtle=True))
    return items


def _link_entry(link: LinkEntry) -> Element:
    status = STATUS_LABELS.get(link.status, link.status)
    about = escape_markdown(f"({link.source_code}, {status}) {_short(link.text)}")
    return container(
        [text(f"Linked: **{escape_markdown(link.reference)}** {about}")],
        select=execute(f"Open {link.reference}", Verb.ACTION_SHOW, reference=link.reference),
    )


def _suggestion_entry(reference: str, link: LinkEntry, can_update: bool) -> Element:
    score = f", similarity {link.score:.0f}" if link.score is not None else ""
    lines: list[Element] = [
        text(
            f"Possibly the same work: **{escape_markdown(link.reference)}** "
            + escape_markdown(f"({link.source_code}{score}) {_short(link.text)}")
        )
    ]
    if can_update:
        lines.append(
            {
                "type": "ActionSet",
                "actions": [
                    execute(
                        "Link as overlap",
                        Verb.ACTION_LINK,
                        reference=reference,
                        other=link.reference,
                    ),
                    execute(
                        "Not the same",
                        Verb.ACTION_DISMISS_OVERLAP,
                        reference=reference,
                        other=link.reference,
                    ),
                ],
            }
        )
    return container(lines, style="emphasis", spacing="Small")


# -- the update form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormState:
    """What the form shows besides the stored action: what was typed, errors, screening."""

    values: dict[str, str] = field(default_factory=dict[str, str])
    errors: dict[str, str] = field(default_factory=dict[str, str])
    findings: Sequence[FieldFinding] = ()
    fingerprint: str = ""


def update_card(
    detail: ActionDetail, today: date, state: FormState | None = None, *, message: str = ""
) -> Card:
    """The update form for one action; errors beside their fields, what was typed kept."""
    state = state or FormState()
    s = detail.summary
    body: list[Element] = [
        heading(f"Update {s.reference}", size="Medium"),
        plain_text(s.text, subtle=True, spacing="None"),
    ]
    if message:
        body.append(container([text(message, weight="Bolder")], style="attention"))
    elif state.errors:
        body.append(
            container(
                [text("Please check the fields marked below.", weight="Bolder")], style="attention"
            )
        )
    body.extend(update_form_elements(detail.stored(), today, state))
    actions = [
        save_action_button(s.reference, s.version, state.fingerprint),
        execute("Cancel", Verb.ACTION_SHOW, reference=s.reference),
        chat_instead_button(s.reference),
    ]
    return card(body, actions, fallback_text=f"Update {s.reference}")


def chat_command(reference: str) -> str:
    """What starts the update conversation for this action, as a person would type it."""
    return f"chat update {reference}"


def chat_instead_button(reference: str) -> Element:
    """Starts the update conversation (`dialogs.chat_update`) as if the person had typed its
    command: it starts from a message, where dialog state is read, never from a card action."""
    return {
        "type": "Action.Submit",
        "title": "Chat it instead",
        "data": {"msteams": {"type": "imBack", "value": chat_command(reference)}},
        "associatedInputs": "none",
    }


def save_action_button(
    reference: str,
    version: int,
    fingerprint: str = "",
    *,
    verb: Verb = Verb.ACTION_SAVE,
    **data: Any,
) -> Element:
    """Saves through `usecases.actions.save_update`; carries the version it was built from.

    A reminder card passes its own verb (and data such as its occurrence) so that its handler can
    answer with the refreshed reminder card rather than the action's detail.
    """
    return execute(
        "Save update",
        verb,
        style="positive",
        reference=reference,
        version=version,
        screened=fingerprint,
        **data,
    )


def update_form_elements(
    stored: StoredAction, today: date, state: FormState, *, compact: bool = False
) -> list[Element]:
    """The form's inputs; `compact` keeps only status, RAG, note and due date (reminder cards).

    What screening found is shown where the eye is: under the field it is in, and, with the
    confirmation, at the end of the form, next to the Save button.
    """
    value = _prefill(stored, state.values)
    errors = state.errors
    elements: list[Element] = []

    def add(element: Element) -> None:
        elements.append(element)
        if errors.get(element["id"]):
            elements.append(error_text(errors[element["id"]]))
        elements.extend(_found_in(element["id"], state.findings))

    add(_status_input(value["status"]))
    add(_rag_input(value["rag"]))
    slipping = value["slipping"].lower() == "true"
    add(toggle_input("slipping", FIELD_LABELS["slipping"], "Yes, it is slipping", slipping))
    add(
        text_input(
            "note",
            FIELD_LABELS["note"],
            value=value["note"],
            multiline=True,
            max_length=NOTE_MAX,
            placeholder="What has happened since the last update? No names of children.",
            required=True,
        )
    )
    due_line = f"Due {day(stored.due_date)}"
    if stored.revised_due_date:
        due_line += f", revised to {day(stored.revised_due_date)}"
    elements.append(text(due_line + ".", subtle=True, size="Small", spacing="Medium"))
    add(date_input("revised_due", FIELD_LABELS["revised_due"], value=value["revised_due"]))
    add(
        text_input(
            "revised_reason",
            FIELD_LABELS["revised_reason"],
            value=value["revised_reason"],
            max_length=REASON_MAX,
            placeholder="Needed when you change the date",
        )
    )
    if compact:
        return elements + _confirmation(state.findings, value)
    elements.append(text("If the action is complete", weight="Bolder", spacing="Medium"))
    add(date_input("completed_on", FIELD_LABELS["completed_on"], value=value["completed_on"]))
    add(_impact_input(value["impact"]))
    add(
        text_input(
            "evidence",
            FIELD_LABELS["evidence"],
            value=value["evidence"],
            multiline=True,
            max_length=REASON_MAX * 4,
            placeholder="What changed for children and families? Figures, audits, feedback.",
        )
    )
    elements.append(text("If the action is dropped", weight="Bolder", spacing="Medium"))
    add(
        text_input(
            "drop_reason",
            FIELD_LABELS["drop_reason"],
            value=value["drop_reason"],
            max_length=REASON_MAX,
        )
    )
    return elements + _confirmation(state.findings, value)


def _found_in(field_id: str, findings: Sequence[FieldFinding]) -> list[Element]:
    kinds = sorted({KIND_LABELS.get(f.kind, f.kind) for f in findings if f.field == field_id})
    if not kinds:
        return []
    return [error_text(f"This may be personal data: {', '.join(kinds)}. Please remove it.")]


def _confirmation(findings: Sequence[FieldFinding], value: dict[str, str]) -> list[Element]:
    if not findings:
        return []
    return [_screening_warning(findings, value.get("confirm_not_personal", ""))]


def _prefill(stored: StoredAction, typed: dict[str, str]) -> dict[str, str]:
    """What each input shows: what was typed if anything, otherwise the stored value."""
    defaults = {
        "status": stored.status,
        "rag": stored.lead_rag or "none",
        "slipping": "true" if stored.slippage else "false",
        "note": "",
        "revised_due": stored.revised_due_date.isoformat() if stored.revised_due_date else "",
        "revised_reason": "",
        "completed_on": stored.completed_on.isoformat() if stored.completed_on else "",
        "impact": stored.impact or "",
        "evidence": stored.impact_evidence,
        "drop_reason": stored.status_reason,
        "confirm_not_personal": "false",
    }
    return {name: typed.get(name, default) for name, default in defaults.items()}


def _status_input(value: str) -> Element:
    return choice_input(
        "status", FIELD_LABELS["status"], list(STATUS_LABELS.items()), value=value, required=True
    )


def _rag_input(value: str) -> Element:
    choices = [("none", "No rating"), *RAG_LABELS.items()]
    return choice_input("rag", FIELD_LABELS["rag"] + " (open actions)", choices, value=value)


def _impact_input(value: str) -> Element:
    element = choice_input(
        "impact", FIELD_LABELS["impact"], list(IMPACT_LABELS.items()), value=value
    )
    element["placeholder"] = "Choose when complete"
    return element


SCREENING_HEADLINE = "Before I save this: it may contain personal details"
SCREENING_ADVICE = "I hold business information only."


def found_lines(findings: Sequence[FieldFinding]) -> list[str]:
    """What screening found, one markdown line each, as the warning lists it."""
    return [f'- {finding.describe()}: "{escape_markdown(finding.text)}"' for finding in findings]


def _screening_warning(findings: Sequence[FieldFinding], confirmed: str) -> Element:
    explanation = (
        f"{SCREENING_ADVICE} Please remove these details, or confirm they are not about a child, "
        "a family or anyone else (for example a service's switchboard number). "
        "Your confirmation is recorded."
    )
    return screening_warning(
        SCREENING_HEADLINE,
        [text("\n".join(found_lines(findings)), spacing="Small"), text(explanation, size="Small")],
        confirmation="I confirm these are not personal data",
        confirmed=confirmed.lower() == "true",
    )


# -- evidence of impact ---------------------------------------------------------------------------

# A card holds at most 28 KB: the first of each list, most recently completed first; the
# register export has them all.
IMPACT_EVIDENCED_SHOWN = 8
IMPACT_AWAITED_SHOWN = 12
EVIDENCE_SHOWN_CHARS = 400


def impact_card(
    evidenced: Sequence[tuple[ActionSummary, str]],
    awaited: Sequence[ActionSummary],
    *,
    scope: str,
) -> Card:
    """Completed actions with the evidence of their impact as written, then those still awaiting
    it: what the independent scrutineer asks of the plan."""
    body: list[Element] = [
        *titled(
            "Evidence of impact",
            f"{escape_markdown(scope)} · {len(evidenced)} evidenced · {len(awaited)} awaited",
        ),
    ]
    if not evidenced and not awaited:
        body.append(text("No action is complete yet, so there is no impact to show."))
    if evidenced:
        body.append(text(f"Evidenced ({len(evidenced)})", weight="Bolder", spacing="Medium"))
        body.extend(_evidenced(item, words) for item, words in evidenced[:IMPACT_EVIDENCED_SHOWN])
        body.extend(_more(len(evidenced) - IMPACT_EVIDENCED_SHOWN))
    if awaited:
        body.append(text(f"Still awaited ({len(awaited)})", weight="Bolder", spacing="Medium"))
        body.extend(_awaited(item) for item in awaited[:IMPACT_AWAITED_SHOWN])
        body.extend(_more(len(awaited) - IMPACT_AWAITED_SHOWN))
    return card(
        body,
        [execute("Overview", Verb.ACTIONS_OVERVIEW)],
        fallback_text=f"Evidence of impact: {len(evidenced)} evidenced, {len(awaited)} awaited",
    )


def _evidenced(item: ActionSummary, evidence: str) -> Element:
    # The evidence is what its lead typed: shown as plain text, never as markdown.
    written = plain_text(_short(evidence, EVIDENCE_SHOWN_CHARS) or "(no evidence written)")
    return _completed(item, item.lead_name or "no lead", [written])


def _awaited(item: ActionSummary) -> Element:
    return _completed(item, f"{item.group_name} · {item.lead_name or 'no lead'}", [])


def _completed(item: ActionSummary, who: str, more: list[Element]) -> Element:
    """A completed action on the impact card: reference and text, who and when; it opens it."""
    return container(
        [
            text(f"**{escape_markdown(item.reference)}** {escape_markdown(_short(item.text))}"),
            text(
                escape_markdown(f"{who} · completed {day(item.facts.completed_on)}"),
                subtle=True,
                size="Small",
                spacing="None",
            ),
            *more,
        ],
        separator=True,
        spacing="Small",
        select=execute(f"Open {item.reference}", Verb.ACTION_SHOW, reference=item.reference),
    )


def _more(hidden: int) -> list[Element]:
    if hidden <= 0:
        return []
    return [
        text(
            f"and {hidden} more: the register export lists them all.",
            subtle=True,
            size="Small",
        )
    ]


# -- overview -------------------------------------------------------------------------------------


def overview_card(
    overview: Overview,
    overlaps: Sequence[tuple[str, str, str]],
    today: date,
    *,
    scope: str,
) -> Card:
    """Counts by priority and RAG as bars, then the lists that need someone's attention."""
    body: list[Element] = [
        *titled(
            "Actions overview",
            f"{escape_markdown(scope)} · {overview.total} actions · at {day(today)}",
        ),
    ]
    if not overview.total:
        body.append(container([text("There are no actions to show yet.")], style="emphasis"))
        return card(body, [execute("My actions", Verb.ACTIONS_MINE)], fallback_text="No actions")
    body.append(_totals_line(overview))
    body.append(_legend())
    widest = max(bar.total for bar in overview.bars)
    for bar in overview.bars:
        label = escape_markdown(f"{bar.code} {bar.name}")
        body.append(text(f"{label} · {bar.total}", size="Small", spacing="Small"))
        body.append(_bar([(b, bar.counts[b]) for b in BUCKETS], widest))
    if overview.disagreements:
        body.append(
            text(
                f"{overview.disagreements} lead rating(s) differ from the rules' RAG.",
                subtle=True,
                size="Small",
                spacing="Small",
            )
        )
    body.extend(_attention_list("Overdue", overview.overdue, today, "overdue"))
    body.extend(_attention_list("No update for 90 days or more", overview.stale, today, "stale"))
    body.extend(
        _attention_list("Complete, impact not evidenced", overview.without_impact, today, "")
    )
    body.extend(_overlap_lines(overlaps))
    buttons = [
        execute("Overdue list", Verb.ACTIONS_LIST, status="overdue"),
        execute("My actions", Verb.ACTIONS_MINE),
    ]
    return card(body, buttons, fallback_text=_totals_sentence(overview))


def _totals_sentence(overview: Overview) -> str:
    parts = [f"{overview.totals[b]} {b}" for b in BUCKETS if overview.totals[b]]
    return f"{overview.total} actions: " + ", ".join(parts)


def _totals_line(overview: Overview) -> Element:
    return text(_totals_sentence(overview) + ".", weight="Bolder", spacing="Small")


def _legend() -> Element:
    """The colour key, a row each: side by side, five narrow columns broke words on a phone."""
    rows = [
        columns(
            column(
                [text(_BUCKET_LABEL[b], size="Small", weight="Bolder")],
                "auto",
                style=_BUCKET_STYLE[b],
            ),
            column([text(_BUCKET_MEANING[b], size="Small")], "stretch"),
            spacing="None",
        )
        for b in BUCKETS
    ]
    return {**container(rows, spacing="Small"), "id": "colour-key"}


def _bar(segments: list[tuple[str, int]], widest: int) -> Element:
    """One horizontal bar: a coloured column per bucket, as wide as its count."""
    cells: list[Element] = []
    for bucket, count in segments:
        if not count:
            continue
        cell = column(
            [
                {
                    "type": "TextBlock",
                    "text": str(count),
                    "size": "Small",
                    "weight": "Bolder",
                    "horizontalAlignment": "Center",
                }
            ],
            str(count),
            style=_BUCKET_STYLE[bucket],
        )
        cell["spacing"] = "None"
        cells.append(cell)
    rest = widest - sum(count for _bucket, count in segments)
    if rest > 0:
        cells.append({**column([text(" ", size="Small")], str(rest)), "spacing": "None"})
    return columns(*cells, spacing="None")


def _attention_list(
    title: str, items: Sequence[ActionSummary], today: date, kind: str
) -> list[Element]:
    if not items:
        return []
    lines: list[Element] = [text(f"{title} ({len(items)})", weight="Bolder", spacing="Medium")]
    for item in items[:MAX_OVERVIEW_ITEMS]:
        f = item.facts
        detail = escape_markdown(item.group_name)
        if kind == "overdue":
            # Working days, as the lists, the reminders and the digests count them.
            late = working_days_between(effective_due(f), today)
            detail = f"{late} working day{'s' if late != 1 else ''} · {detail}" if late else detail
        elif kind == "stale" and f.last_update:
            detail = f"last {day(f.last_update)} · {detail}"
        what = escape_markdown(_short(item.text, 100))
        lines.append(
            container(
                [text(f"**{escape_markdown(item.reference)}** {what} · {detail}", size="Small")],
                spacing="None",
                select=execute(
                    f"Open {item.reference}", Verb.ACTION_SHOW, reference=item.reference
                ),
            )
        )
    if len(items) > MAX_OVERVIEW_ITEMS:
        lines.append(text(f"and {len(items) - MAX_OVERVIEW_ITEMS} more", subtle=True, size="Small"))
    return lines


def _overlap_lines(overlaps: Sequence[tuple[str, str, str]]) -> list[Element]:
    if not overlaps:
        return []
    lines: list[Element] = [text("Overlaps", weight="Bolder", spacing="Medium")]
    for first, second, state in overlaps[:MAX_OVERVIEW_ITEMS]:
        label = "linked" if state == "linked" else "possible overlap, to check"
        lines.append(
            container(
                [
                    text(
                        f"**{escape_markdown(first)}** and **{escape_markdown(second)}**: {label}",
                        size="Small",
                    )
                ],
                spacing="None",
                select=execute(f"Open {first}", Verb.ACTION_SHOW, reference=first),
            )
        )
    return lines


# -- short answers --------------------------------------------------------------------------------


def not_yours_card(reference: str, group_name: str) -> Card:
    return message_card(
        f"{reference} is not yours to see",
        f"{reference} belongs to {escape_markdown(group_name)}. Only its members, its lead, "
        "the chair and the "
        "business team can see it. Ask the business team if you think you should have access.",
        [execute("My actions", Verb.ACTIONS_MINE)],
    )


def not_yours_to_update_card(reference: str) -> Card:
    return message_card(
        f"You can't update {reference}",
        "Only the action's lead, the chair of its group and the business team can update it. "
        "The independent scrutineer reads every action and changes none; Executive members "
        "read every action and change those they lead or chair.",
        [execute(f"Open {reference}", Verb.ACTION_SHOW, reference=reference)],
    )


def not_found_card(reference: str) -> Card:
    return message_card(
        f"No action {reference}",
        f'I can\'t find an action with the reference {reference}. Type "my actions" to see yours.',
        [execute("My actions", Verb.ACTIONS_MINE)],
    )


def overview_refused_card() -> Card:
    return message_card(
        "The overview is for chairs and the business team",
        'Type "my actions" to see the actions you lead, or "overdue" for overdue actions '
        "in your groups.",
        [execute("My actions", Verb.ACTIONS_MINE)],
    )


def export_help_card(total: int) -> Card:
    """Admins asking for an export: where the file comes from, since a bot can't just attach one."""
    return card(
        [
            heading("Exporting the action register", size="Medium"),
            text(
                "In Teams a bot can only send a file after you accept a file-consent prompt and "
                "it is uploaded to your OneDrive, so the spreadsheet is made by the business "
                "team's command on the bot's server instead:"
            ),
            text("python -m manage export-actions register.xlsx", weight="Bolder"),
            text(
                f"It writes all {total} actions with the latest update, both RAG ratings, drift, "
                "delay and impact; use register.csv for CSV. The same columns can be edited and "
                "loaded again with import-actions.",
                subtle=True,
            ),
        ],
        [execute("Overview", Verb.ACTIONS_OVERVIEW)],
        fallback_text="Export with: python -m manage export-actions register.xlsx",
    )
