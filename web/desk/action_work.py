"""The desk's action work beyond progress updates: creating an action and editing its facts,
deciding a possible overlap (the chat's link and dismiss), and the drift overview.

The use cases decide who may: `usecases.action_facts` (admins; chairs for their groups),
`usecases.actions.decide_overlap` (the chat's own, as its overlap card calls it) and
`usecases.action_drift` (the chat's overview rule). A change answers the action's page as
`GET /actions/{ref}` does, so the desk shows what was saved.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from domain.action_views import BUCKETS, Bucket
from usecases import action_drift, action_facts, desk
from usecases.actions import (
    ActionRefused,
    NotAllowed,
    OverlapRequest,
    decide_overlap,
)
from web.desk import action_work_schemas as s
from web.desk import schemas
from web.desk.api import DeskHandlers, _action_page, answer  # pyright: ignore[reportPrivateUsage]
from web.desk.operations import MAX_REFERENCE_CHARS, Feature, Operation, text_parameter
from web.desk.problems import Problem, forbidden, not_found, not_saved


def _reference(request: web.Request, name: str = "ref") -> str:
    reference = request.match_info[name]
    if len(reference) > MAX_REFERENCE_CHARS or not reference.isprintable():
        raise not_found()
    return reference


def _not_saved(result: action_facts.FactsResult) -> Problem:
    return not_saved(
        result.outcome, result.reference, result.findings, result.fingerprint, result.errors
    )


def _counts(counts: Mapping[Bucket, int]) -> s.BucketCounts:
    return s.BucketCounts(**{bucket: counts.get(bucket, 0) for bucket in BUCKETS})


class ActionWork(DeskHandlers):
    """Create and edit actions' facts, decide overlaps, and the drift overview."""

    async def _page(self, request: web.Request, reference: str) -> web.Response:
        viewer = await self.viewer(request)
        services = self.services
        page = await desk.action_page(
            viewer, reference, services.work, now=services.clock(), rules=services.rules
        )
        if isinstance(page, ActionRefused):
            raise not_found(f"There is no action {reference} that you can see.")
        return answer(_action_page(page))

    async def choices(self, request: web.Request) -> web.Response:
        found = await action_facts.fact_choices(await self.viewer(request), self.services.work)
        if isinstance(found, NotAllowed):
            raise forbidden("Only the business team and chairs add actions.")

        def choices(pairs: list[tuple[str, str]]) -> list[schemas.Choice]:
            return [schemas.Choice(code=code, name=name) for code, name in pairs]

        return answer(
            s.FactChoices(
                groups=choices(found.groups),
                priorities=choices(found.priorities),
                sources=choices(found.sources),
                people=[schemas.LeadChoice(id=code, name=name) for code, name in found.people],
                agencies=choices(found.agencies),
                next_reference=found.next_reference,
            )
        )

    async def create(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        sent = await self.body(request, s.ActionFactsBody)
        result = await action_facts.create_action(
            viewer, sent.form(), self.services.work, rules=self.services.rules
        )
        if isinstance(result, NotAllowed):
            raise forbidden("Only the business team and chairs add actions.")
        if result.outcome != "saved":
            raise _not_saved(result)
        return await self._page(request, result.reference)

    async def form(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        found = await action_facts.facts_form(viewer, _reference(request), self.services.work)
        if isinstance(found, ActionRefused):
            raise not_found(f"There is no action {found.reference} that you can see.")
        return answer(
            s.ActionFactsForm(
                ref=found.reference,
                values=s.FactValues(**found.values),
                version=found.version,
                can_edit=found.can_edit,
            )
        )

    async def edit(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        reference = _reference(request)
        sent = await self.body(request, s.ActionFactsBody)
        result = await action_facts.edit_action(
            viewer,
            reference,
            sent.form(),
            sent.version,
            self.services.work,
            rules=self.services.rules,
        )
        if isinstance(result, ActionRefused):
            if result.reason == "not_yours_to_update":
                raise forbidden(
                    f"Only the business team and the group's chair change {result.reference}'s "
                    "facts."
                )
            raise not_found(f"There is no action {result.reference} that you can see.")
        if result.outcome != "saved":
            raise _not_saved(result)
        return await self._page(request, result.reference)

    async def overlap(self, request: web.Request) -> web.Response:
        """The chat's overlap decision (`decide_overlap`), as its Link and Dismiss buttons."""
        viewer = await self.viewer(request)
        reference = _reference(request)
        sent = await self.body(request, s.OverlapDecision)
        state = "linked" if sent.decision == "link" else "dismissed"
        decided = await decide_overlap(
            viewer,
            OverlapRequest(reference, sent.other, state),
            self.services.work,
            now=self.services.clock(),
        )
        if isinstance(decided, ActionRefused):
            if decided.reason == "not_yours_to_update":
                raise forbidden(f"You can read {decided.reference} but not change its overlaps.")
            raise not_found(f"There is no action {decided.reference} that you can see.")
        if decided.outcome == "other_not_found":
            raise not_found(f"There is no action {decided.other} that you can see.")
        if decided.outcome == "same":
            raise Problem(
                422,
                "invalid-request",
                "Check what was sent",
                "An action cannot overlap itself.",
                [{"field": "other", "message": "is this action itself"}],
            )
        return await self._page(request, decided.shown.reference)

    async def drift(self, request: web.Request) -> web.Response:
        services = self.services
        found = await action_drift.drift_overview(
            await self.viewer(request), services.work, now=services.clock(), rules=services.rules
        )
        if isinstance(found, NotAllowed):
            raise forbidden("The drift overview is for chairs and those who read every action.")
        overview = found.overview
        return answer(
            s.DriftOverview(
                everything=found.everything,
                group_names=found.group_names,
                by_group=[
                    s.DriftRow(code=g.code, name=g.name, counts=_counts(g.counts))
                    for g in found.by_group
                ],
                by_priority=[
                    s.DriftRow(code=b.code, name=b.name, counts=_counts(b.counts))
                    for b in overview.bars
                ],
                overdue_bands=[s.Band(label=label, count=n) for label, n in found.overdue_bands],
                totals=s.DriftTotals(
                    open=found.open_count,
                    overdue=len(overview.overdue),
                    stale=len(overview.stale),
                    due_soon=len(overview.due_soon),
                    without_impact=len(overview.without_impact),
                    disagreements=overview.disagreements,
                ),
            )
        )


_REF = {"ref": text_parameter()}
_CHANGE = (400, 401, 403, 404, 409, 422)

ACTION_WORK = Feature(
    ActionWork,
    (
        Operation(
            "/action-facts/choices",
            "choices",
            "actionFactChoices",
            "What a new or edited action's facts may be, for this viewer",
            s.FactChoices,
        ),
        Operation(
            "/action-facts",
            "create",
            "createAction",
            "Add an action (admins anywhere; chairs in the groups they chair); answers its page",
            schemas.ActionPage,
            refusals=(400, 401, 403, 422),
            method="post",
            body=s.ActionFactsBody,
        ),
        Operation(
            "/action-facts/{ref}",
            "form",
            "getActionFacts",
            "An action's facts as codes, its version, and whether the viewer may edit them",
            s.ActionFactsForm,
            path_parameters=_REF,
            refusals=(401, 403, 404),
        ),
        Operation(
            "/action-facts/{ref}",
            "edit",
            "editActionFacts",
            "Change an action's facts; answers its page",
            schemas.ActionPage,
            path_parameters=_REF,
            refusals=_CHANGE,
            method="patch",
            body=s.ActionFactsBody,
        ),
        Operation(
            "/actions/{ref}/overlaps",
            "overlap",
            "decideOverlap",
            "Link a possible overlap as the same work, or dismiss it (the chat's overlap card)",
            schemas.ActionPage,
            path_parameters=_REF,
            refusals=(400, 401, 403, 404, 422),
            method="post",
            body=s.OverlapDecision,
        ),
        Operation(
            "/drift",
            "drift",
            "driftOverview",
            "The drift figures: derived RAG per group and priority, overdue by working days, "
            "stale, without evidence of impact",
            s.DriftOverview,
        ),
    ),
)
