""" "What do I need to do?": the person's overdue and due-soon actions, the updates and evidence
they owe, their groups' drift for a chair, what is coming up, and whether reminders are held."""

from __future__ import annotations

from cards.agenda import NeedsYouView, needs_you_card
from cards.data.general import NeedsYouData
from dialogs.meetings import upcoming_item
from dialogs.registry import Registry, Reply, Turn
from usecases import agenda
from usecases.actions import ActionRules
from usecases.meetings import CalendarLinks

# Full matches on lower-cased text without its closing "?" or "!" (dialogs.teams_bot.normalise).
PATTERNS = [
    r"what (do|should|shall|must|have) i (got )?(need |have |got )?(to )?(do|be doing|work on|"
    r"look at|sort out|deal with)( today| now| next| this week| first)?",
    r"what['’]?s? (is )?(needed|outstanding|due|pending|waiting|overdue) (from|for|of|on) me",
    r"what needs (me|my attention|doing|my action|to be done)( today| now| this week)?",
    r"(show )?(me )?(my )?(to ?do|to-do|todo)s?( list)?",
    r"what['’]?s? (is )?on my (plate|list|desk)",
    r"(is there )?anything (for me|i need to do|needing me|needing my attention|i owe)"
    r"( today| now| this week)?",
    r"what do you need (me )?to do",
    r"what do i owe",
    r"what needs me",
    r"(my )?(outstanding|pending) (things|stuff|tasks|items|work)",
    r"where am i( up to)?",
]


async def needs_you(turn: Turn, _data: NeedsYouData) -> Reply:
    viewer = turn.viewer
    assert viewer is not None  # the router answers unknown people before any handler runs
    settings = turn.services.settings
    rules = ActionRules.of(settings)
    found = await agenda.what_needs_me(
        viewer,
        turn.services.work,
        now=turn.now,
        rules=rules,
        zone=settings.zone,
        links=CalendarLinks.of(settings),
    )
    parts = [
        ("Overdue", found.overdue),
        ("Due soon", found.due_soon),
        ("Updates you owe", found.updates_owed),
        ("Evidence of impact you owe", found.impact_owed),
        ("Drifting in the groups you chair", found.drifting_in_groups),
    ]
    view = NeedsYouView(
        rules.today(turn.now),
        rules.thresholds,
        parts,
        coming_up=[upcoming_item(entry) for entry in found.coming_up],
        snoozed_until=found.snoozed_until,
        paused_until=found.paused_until,
        chairs=found.chairs,
    )
    return Reply(card=needs_you_card(view, settings.zone))


def register(registry: Registry) -> None:
    registry.text(
        "what needs me",
        PATTERNS,
        needs_you,
        example="what do I need to do?",
        description="what is late or due soon, updates you owe, and what's coming up",
        data=NeedsYouData,
    )
