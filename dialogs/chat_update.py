"""Chatting an update, for people on a phone: one line, or a short conversation.

- **One line**: "A14 amber: 45 of 60 trained" (also "A14 is amber - ...", "update A14 green:
  done the audit", "A14 red revised date 31 Jan: waiting on the venue") is checked exactly as the
  update card's form is (`usecases.actions.preview_update`: permission, the form's rules and the
  identifier screen) and shown back (`cards.chat_update.confirm_update_card`); nothing is saved
  until Save is pressed. A revised date's reason is the note itself.
- **A conversation**: "chat update A14" (or the update card's "Chat it instead") asks in turn for
  the progress note, the RAG, a revised date and its reason, and whether it is complete (then the
  evidence of impact), shows the update back and saves it when the person says so.

Both save through the update card's own handler (`dialogs.actions.save_action`, which calls
`usecases.actions.save_update`), so the permission, the checks and the audit are the card's. Each
typed answer is screened with `domain.action_updates.screen_fields`, the card's screen, and a
flagged answer is asked again with nothing kept. The conversation is a waterfall whose state
lives in the conversation state (`storage.bot_state.SqlStorage`), so it survives a restart; it
runs in a personal chat only. "cancel" and "help" at any step are the router's
(`dialogs.teams_bot`); each step's help is registered with its prompt.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.dialogs import (
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext, TextPrompt
from botbuilder.schema import ActionTypes, Activity, CardAction

from cards.actions import FormState, day, update_card
from cards.chat_update import confirm_update_card, screening_card
from cards.data import ActionReference, CardData, Word
from cards.data.actions import ActionSaveData
from dialogs import actions as action_handlers
from dialogs.registry import PersonalChatOnly, Registry, Reply, Turn
from dialogs.replies import send_card
from dialogs.teams_bot import turn_of
from domain.action_updates import RAG_LABELS, screen_fields
from domain.permissions import OfferedTo
from domain.when import parse_day
from usecases import actions as cases
from usecases.actions import ActionRefused, ActionRules, UpdateRequest

log = logging.getLogger(__name__)

DIALOG = "chat_update"
NOTE = "chat_update.note"
RAG = "chat_update.rag"
REVISED = "chat_update.revised"
REASON = "chat_update.reason"
COMPLETE = "chat_update.complete"
EVIDENCE = "chat_update.evidence"
CONFIRM = "chat_update.confirm"

NO_CHANGE = "No change"
YES, NO = "Yes", "No"
SAVE = "Save"
AWAITED_WORDS = {"awaited", "not yet", "too early", "too early to tell", "none yet"}
NO_CHANGE_WORDS = {"no change", "no", "none", "same", "no new date", "keep it", "unchanged"}
YES_WORDS = {"yes", "y", "yeah", "yep", "yes it is", "it is", "complete", "done"}
NO_WORDS = {"no", "n", "nope", "not yet", "no it isn't", "no it is not"}
SAVE_WORDS = {"save", "yes", "y", "save it", "yes save it", "confirm", "ok", "go ahead"}

_REFERENCE = r"(?P<reference>[a-z]{1,4}-?\d{1,4})"
_RAG = r"(?P<rag>red|amber|green)"
# "revised date 31 jan:" / "new due date to 31/01/2027:" before the note (the colon is needed:
# without it a date's words and the note's cannot be told apart).
_REVISED = r" (revised|new) (due )?(date )?(to |of |is |now )?(?P<revised>[^:]{1,40}):"
_ONE_LINE = (
    rf"((add )?(an )?update( on| to| for)? |progress on )?(action )?{_REFERENCE}"
    rf"( is| now| is now| status| rag)?( rated| rating)? {_RAG}( now)?(:|{_REVISED})? (?P<note>.+)"
)
_CHAT = (
    rf"(chat|talk)( me)?( an| the| my)? (update|through (an |the |my )?update)"
    rf"( on| to| for| of)? (action )?{_REFERENCE}",
    rf"(update|progress) (action )?{_REFERENCE} (by|in|over|via) (chat|conversation|talking)",
    rf"(chat|talk)( to me)? about (updating )?(action )?{_REFERENCE}",
)
_RAG_WORD = re.compile(r"\b(red|amber|green)\b", re.IGNORECASE)

STEP_HELP = {
    NOTE: "Tell me in a sentence or two what has happened on this action since the last update "
    "(for example: 45 of 60 staff trained). Leave out names and anything about a child or family.",
    RAG: "Your RAG rating: green if it is on track, amber if it is at risk, red if it is off "
    "track.",
    REVISED: 'Type the new due date (like 31/01/2027 or 31 Jan) if it has moved, or "No change".',
    REASON: "Say briefly why the due date is moving; it is kept with the action.",
    COMPLETE: "Yes if the action is finished; No if work is still going on.",
    EVIDENCE: "Describe the difference it has made (for example: audit shows 90% of referrals now "
    'have a plan in 10 days). Type "awaited" if it is too early to tell.',
    CONFIRM: 'Type "Save" to save this update, or "cancel" to stop with nothing saved.',
}


class OneLineUpdateData(CardData):
    """What a one-line update's words carry: the action, the RAG and any revised date."""

    reference: ActionReference
    rag: Word
    revised: Word = ""


class ChatUpdateData(CardData):
    """The action the update conversation is about."""

    reference: ActionReference


def register(registry: Registry) -> None:
    registry.text(
        "one line update",
        [_ONE_LINE],
        one_line_update,
        data=OneLineUpdateData,
        example="A07 amber: 45 of 60 trained",
        description="update an action in one line: its RAG and a progress note, to confirm",
        offered_to=OfferedTo.UPDATERS,
    )
    registry.text(
        "chat update",
        list(_CHAT),
        chat_update,
        data=ChatUpdateData,
        example="chat update A07",
        description="update an action by answering a few questions, here in our chat",
        offered_to=OfferedTo.UPDATERS,
    )
    registry.dialog(WaterfallDialog(DIALOG, STEPS))
    registry.dialog(TextPrompt(NOTE, _screened("note")), help=STEP_HELP[NOTE])
    registry.dialog(TextPrompt(RAG, _one_of(set(RAG_LABELS))), help=STEP_HELP[RAG])
    registry.dialog(TextPrompt(REVISED, _revised_date), help=STEP_HELP[REVISED])
    registry.dialog(TextPrompt(REASON, _screened("revised_reason")), help=STEP_HELP[REASON])
    registry.dialog(TextPrompt(COMPLETE, _one_of(YES_WORDS | NO_WORDS)), help=STEP_HELP[COMPLETE])
    registry.dialog(TextPrompt(EVIDENCE, _screened("evidence")), help=STEP_HELP[EVIDENCE])
    registry.dialog(TextPrompt(CONFIRM, _one_of(SAVE_WORDS | NO_WORDS)), help=STEP_HELP[CONFIRM])


def _rules(turn: Turn) -> ActionRules:
    return ActionRules.of(turn.services.settings)


# -- one line -------------------------------------------------------------------------------------


def note_as_typed(original: str, *, after_colon: bool) -> str:
    """The note in the person's own words (the pattern saw them lower-cased and tidied): what
    follows the RAG, or the colon after a revised date."""
    found = _RAG_WORD.search(original)
    rest = original[found.end() :] if found else original
    if after_colon and ":" in rest:
        rest = rest.split(":", 1)[1]
    else:
        rest = re.sub(r"^\s*now\b", "", rest, flags=re.IGNORECASE)
    return rest.strip().lstrip(":-–—,").strip()


async def one_line_update(turn: Turn, data: OneLineUpdateData) -> Reply:
    viewer = turn.viewer
    assert viewer is not None  # the router answers unknown people before any handler runs
    original = TurnContext.remove_recipient_mention(turn.context.activity) or ""
    form = {"rag": data.rag, "note": note_as_typed(original, after_colon=bool(data.revised))}
    answers = [("RAG", RAG_LABELS.get(data.rag, data.rag)), ("Progress note", form["note"])]
    if data.revised:
        revised = parse_day(data.revised, _rules(turn).today(turn.now))
        if revised is None:
            return Reply.message(
                "Which date?",
                "I couldn't read the revised date. Write it like 31/01/2027 or 31 Jan, "
                f'or type "chat update {data.reference}" and I\'ll ask you for each part.',
            )
        form.update(revised_due=revised.isoformat(), revised_reason=form["note"])
        answers.append(("Revised due date", day(revised)))
    return await _shown_back(turn, data.reference, form, answers)


async def _shown_back(
    turn: Turn, reference: str, form: dict[str, str], answers: list[tuple[str, str]]
) -> Reply:
    """The update checked as Save would check it: the confirm card, the update form with what
    to fix (errors, screening's findings), or the refusal."""
    assert turn.viewer is not None
    request = UpdateRequest(reference, form)
    preview = await cases.preview_update(
        turn.viewer, request, turn.services.work, now=turn.now, rules=_rules(turn)
    )
    if isinstance(preview, ActionRefused):
        return Reply(card=action_handlers.refusal_card(preview))
    detail, check = preview.detail, preview.check
    if check.outcome != "ok":
        state = FormState(check.values, check.errors, check.findings, check.fingerprint)
        return Reply(card=update_card(detail, _rules(turn).today(turn.now), state))
    summary = detail.summary
    card = confirm_update_card(
        summary.reference, summary.text, answers, form, version=summary.version
    )
    return Reply(card=card)


# -- the conversation -----------------------------------------------------------------------------


async def chat_update(turn: Turn, data: ChatUpdateData) -> Reply:
    """Start the conversation, if this person may update the action; in a personal chat only."""
    if turn.shared:
        raise PersonalChatOnly(DIALOG)
    assert turn.viewer is not None
    shown = await cases.open_update_form(turn.viewer, data.reference, turn.services.work)
    if isinstance(shown, ActionRefused):
        return Reply(card=action_handlers.refusal_card(shown))
    summary = shown.detail.summary
    options = {"reference": summary.reference, "text": summary.text}
    await turn.begin_dialog(DIALOG, options)
    return Reply.nothing()


def _question(sentence: str, choices: list[str] | None = None) -> Activity:
    if not choices:
        return MessageFactory.text(sentence)
    buttons = [CardAction(type=ActionTypes.im_back, title=c, value=c) for c in choices]
    return MessageFactory.suggested_actions(buttons, sentence)


async def _ask(
    step: WaterfallStepContext, prompt_id: str, sentence: str, choices: list[str] | None = None
) -> DialogTurnResult:
    question = _question(sentence, choices)
    retry = _question(f"Sorry, I need an answer to that. {sentence}", choices)
    return await step.prompt(prompt_id, PromptOptions(prompt=question, retry_prompt=retry))


async def ask_note(step: WaterfallStepContext) -> DialogTurnResult:
    options = step.options if isinstance(step.options, dict) else {}
    step.values.update(
        reference=str(options.get("reference", "")), text=str(options.get("text", ""))
    )
    reference = step.values["reference"]
    await step.context.send_activity(
        f'Let\'s update {reference}. Type "cancel" at any point to stop (nothing is saved until '
        'the end) or "help" for help.'
    )
    return await _ask(step, NOTE, f"What has happened on {reference} since the last update?")


async def ask_rag(step: WaterfallStepContext) -> DialogTurnResult:
    step.values["note"] = str(step.result).strip()
    return await _ask(step, RAG, "What's its RAG now?", list(RAG_LABELS.values()))


async def ask_revised(step: WaterfallStepContext) -> DialogTurnResult:
    step.values["rag"] = str(step.result).strip().lower()
    return await _ask(
        step,
        REVISED,
        'Has the due date moved? Type the new date (like 31/01/2027) or "No change".',
        [NO_CHANGE],
    )


async def ask_reason(step: WaterfallStepContext) -> DialogTurnResult:
    revised = _revised_or_none(step.context, str(step.result))
    step.values["revised"] = revised.isoformat() if revised else ""
    if revised is None:
        return await step.next(None)
    return await _ask(step, REASON, f"Why is it moving to {day(revised)}?")


async def ask_complete(step: WaterfallStepContext) -> DialogTurnResult:
    if step.values.get("revised"):
        step.values["revised_reason"] = str(step.result).strip()
    return await _ask(step, COMPLETE, "Is it complete?", [YES, NO])


async def ask_evidence(step: WaterfallStepContext) -> DialogTurnResult:
    complete = str(step.result).strip().lower() in YES_WORDS
    step.values["complete"] = complete
    if not complete:
        return await step.next(None)
    return await _ask(
        step,
        EVIDENCE,
        'What evidence is there of the difference it made? (Type "awaited" if it is too early '
        "to tell.)",
        ["Awaited"],
    )


async def confirm(step: WaterfallStepContext) -> DialogTurnResult:
    if step.values.get("complete"):
        step.values["evidence"] = str(step.result).strip()
    form, answers = _form_and_answers(step.values)
    # The card shows the answers; saving is the next answer here, so it has no buttons.
    values = step.values
    card = confirm_update_card(str(values["reference"]), str(values["text"]), answers, form)
    await send_card(step.context, card)
    return await _ask(step, CONFIRM, "Shall I save it?", [SAVE, "Cancel"])


async def save(step: WaterfallStepContext) -> DialogTurnResult:
    if str(step.result).strip().lower() not in SAVE_WORDS:
        await step.context.send_activity("OK, I've stopped that. Nothing was saved.")
        return await step.end_dialog()
    form, _answers = _form_and_answers(step.values)
    turn = turn_of(step.context)
    data = ActionSaveData.model_validate({"reference": step.values["reference"], **form})
    reply = await action_handlers.save_action(turn, data)
    card = reply.as_card()
    if card is not None:
        await send_card(step.context, card)
    return await step.end_dialog()


STEPS = [ask_note, ask_rag, ask_revised, ask_reason, ask_complete, ask_evidence, confirm, save]


def _form_and_answers(values: dict[str, Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The update form's fields from the answers, and the answers as the person will read them."""
    form = {"note": values["note"], "rag": values["rag"]}
    answers = [("Progress note", values["note"]), ("RAG", RAG_LABELS[values["rag"]])]
    if values.get("revised"):
        form.update(revised_due=values["revised"], revised_reason=values["revised_reason"])
        answers.append(("Revised due date", day(date.fromisoformat(values["revised"]))))
        answers.append(("Reason for the new date", values["revised_reason"]))
    if values.get("complete"):
        evidence = values.get("evidence", "")
        awaited = evidence.lower() in AWAITED_WORDS
        form.update(status="complete", impact="awaited" if awaited else "evidenced")
        answers.append(("Complete", "Yes"))
        if awaited:
            answers.append(("Impact", "Awaited"))
        else:
            form["evidence"] = evidence
            answers.append(("Evidence of impact", evidence))
    return form, answers


# -- checking each answer -------------------------------------------------------------------------


Validator = Callable[[PromptValidatorContext], Awaitable[bool]]


def _one_of(accepted: set[str]) -> Validator:
    async def validate(prompt: PromptValidatorContext) -> bool:
        said = str(prompt.recognized.value or "").strip().lower()
        return prompt.recognized.succeeded and said in accepted

    return validate


def _screened(field: str) -> Validator:
    """A typed answer the card would save in `field`: it must have words, and screening must
    find nothing; otherwise the finding is shown in the card's words and the question asked
    again, nothing kept."""

    async def validate(prompt: PromptValidatorContext) -> bool:
        said = str(prompt.recognized.value or "").strip()
        if not said:
            return False
        turn = turn_of(prompt.context)
        findings = screen_fields({field: said}, _rules(turn).allowed_email_domains)
        if findings:
            log.info("chatted %s flagged by screening: %s finding(s)", field, len(findings))
            await send_card(prompt.context, screening_card(findings))
            await _ask_again(prompt)
            return False
        return True

    return validate


async def _ask_again(prompt: PromptValidatorContext) -> None:
    """The question again, after a validator said what was wrong (the SDK re-asks only when
    nothing was sent this turn)."""
    question = prompt.options.prompt if prompt.options else None
    if question is not None:
        await prompt.context.send_activity(question)


def _revised_or_none(context: TurnContext, said: str) -> date | None:
    if said.strip().lower() in NO_CHANGE_WORDS:
        return None
    turn = turn_of(context)
    return parse_day(said, _rules(turn).today(turn.now))


async def _revised_date(prompt: PromptValidatorContext) -> bool:
    said = str(prompt.recognized.value or "").strip()
    if said.lower() in NO_CHANGE_WORDS:
        return True
    turn = turn_of(prompt.context)
    today = _rules(turn).today(turn.now)
    revised = parse_day(said, today)
    if revised is None or revised < today:
        await prompt.context.send_activity(
            "I couldn't read that as a date from today on. Write it like 31/01/2027 or 31 Jan."
        )
        await _ask_again(prompt)
        return False
    return True
