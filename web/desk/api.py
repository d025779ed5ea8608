"""The desk's JSON API under /desk/api/v1: what every part builds on (`DeskHandlers`), and the
first part: who is signed in, the register, one action and its updates (`ACTIONS`).

Every request names its person with a bearer token (`web/desk/sso.py`); the use cases
(`usecases/desk.py`) decide what that person may read. Answers are the models of
`web/desk/schemas.py`; refusals are problem details (`web/desk/problems.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from config import Settings
from delivery.doorbell import Doorbell
from domain.action_facts import may_create_actions
from domain.permissions import Viewer
from usecases import desk
from usecases.actions import (
    ActionRefused,
    ActionRules,
    SaveResult,
    UpdateRequest,
    may_see_overview,
    save_update,
)
from usecases.context import UnitOfWork
from usecases.people import Recognition, ViewerCache
from web.desk import schemas
from web.desk.operations import MAX_REFERENCE_CHARS, Feature, Operation, text_parameter
from web.desk.problems import (
    Problem,
    bad_json,
    forbidden,
    invalid,
    not_found,
    not_on_roster,
    not_saved,
    sign_in_again,
    unavailable,
)
from web.desk.sso import SignedIn, Unavailable

PREFIX = "/desk/api/v1"


M = TypeVar("M", bound=BaseModel)


class TokenCheck(Protocol):
    async def verify(self, token: str) -> SignedIn | None: ...


@dataclass(frozen=True)
class DeskServices:
    settings: Settings
    work: UnitOfWork
    clock: Callable[[], datetime]
    viewers: ViewerCache
    tokens: TokenCheck
    # Rung by what queues messages to go now (an announcement's send), as the chat's turns do.
    doorbell: Doorbell = field(default_factory=Doorbell)

    @property
    def rules(self) -> ActionRules:
        return ActionRules.of(self.settings)

    @property
    def recognition(self) -> Recognition:
        return Recognition(self.settings.admin_emails, self.viewers)


def answer(model: BaseModel) -> web.Response:
    return web.json_response(model.model_dump(mode="json", by_alias=True))


def bearer_token(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class DeskHandlers:
    """What every part of the desk's API starts from: the services, the signed-in person, and
    reading a query or a JSON body into its pydantic model (a 400 or 422 problem otherwise)."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services

    async def viewer(self, request: web.Request) -> Viewer:
        """The roster person behind the request, or the problem to answer with."""
        try:
            signed_in = await self.services.tokens.verify(bearer_token(request))
        except Unavailable:
            raise unavailable() from None
        if signed_in is None:
            raise sign_in_again()
        viewer = await desk.person_signed_in(
            object_id=signed_in.object_id,
            emails=signed_in.emails,
            person_code=signed_in.person_code,
            work=self.services.work,
            known=self.services.recognition,
        )
        if viewer is None:
            raise not_on_roster(self.services.settings.business_team_email)
        return viewer

    @staticmethod
    def query(request: web.Request, model: type[M]) -> M:
        try:
            return model.model_validate({key: request.query.getone(key) for key in request.query})
        except ValidationError as error:
            raise invalid(error) from None

    @staticmethod
    async def body(request: web.Request, model: type[M]) -> M:
        try:
            sent = json.loads(await request.read() or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad_json() from None
        try:
            return model.model_validate(sent)
        except ValidationError as error:
            raise invalid(error) from None


class DeskApi(DeskHandlers):
    """The register, one action, and its progress updates."""

    async def me(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        person = desk.who_am_i(viewer)
        return answer(
            schemas.Me(
                id=person.code,
                name=person.name,
                roles=list(person.roles),
                is_admin=person.is_admin,
                is_scrutineer=person.is_scrutineer,
                can=schemas.Abilities(
                    edit_actions=person.can.edit_actions,
                    edit_reference=person.can.edit_reference,
                    import_files=person.can.import_files,
                    see_drift=may_see_overview(viewer),
                    create_actions=may_create_actions(viewer),
                ),
                partnership=self.services.settings.partnership_name,
            )
        )

    async def actions(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        params = self.query(request, schemas.RegisterParams)
        query = desk.RegisterQuery(
            **params.model_dump(exclude={"order"}), descending=params.order == "desc"
        )
        page = await desk.register(
            viewer,
            query,
            self.services.work,
            now=self.services.clock(),
            rules=self.services.rules,
        )
        return answer(
            schemas.RegisterPage(
                items=[_item(row) for row in page.items],
                total=page.total,
                page=page.page,
                page_size=page.page_size,
            )
        )

    async def filters(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        found = await desk.register_filters(viewer, self.services.work)

        def choices(pairs: list[tuple[str, str]]) -> list[schemas.Choice]:
            return [schemas.Choice(code=code, name=name) for code, name in pairs]

        return answer(
            schemas.RegisterFilters(
                groups=choices(found.groups),
                priorities=choices(found.priorities),
                sources=choices(found.sources),
                leads=[schemas.LeadChoice(id=code, name=name) for code, name in found.leads],
                agencies=choices(found.agencies),
                statuses=list(found.statuses),
                rags=list(found.rags),
                lead_rags=list(found.lead_rags),
            )
        )

    async def action(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        reference = request.match_info["ref"]
        if len(reference) > MAX_REFERENCE_CHARS or not reference.isprintable():
            raise not_found()
        page = await desk.action_page(
            viewer,
            reference,
            self.services.work,
            now=self.services.clock(),
            rules=self.services.rules,
        )
        if isinstance(page, ActionRefused):
            raise not_found(f"There is no action {page.reference} that you can see.")
        return answer(_action_page(page))

    async def update(self, request: web.Request) -> web.Response:
        """PATCH an action: the chat's own update use case (permission, screening, version,
        audit), so the desk can do exactly what the update card does, and no more."""
        viewer = await self.viewer(request)
        reference = request.match_info["ref"]
        if len(reference) > MAX_REFERENCE_CHARS or not reference.isprintable():
            raise not_found()
        sent = await self.body(request, schemas.ActionUpdate)
        services = self.services
        result = await save_update(
            viewer,
            UpdateRequest(reference, sent.form(), sent.version),
            services.work,
            now=services.clock(),
            rules=services.rules,
        )
        if isinstance(result, ActionRefused):
            raise _refusal(result)
        if not result.saved:
            raise _not_saved(result)
        page = await desk.action_page(
            viewer, reference, services.work, now=services.clock(), rules=services.rules
        )
        assert not isinstance(page, ActionRefused)  # the viewer has just updated it
        return answer(_action_page(page))


def _refusal(refused: ActionRefused) -> Problem:
    if refused.reason == "not_yours_to_update":
        return forbidden(f"You can read {refused.reference} but not update it.")
    return not_found(f"There is no action {refused.reference} that you can see.")


def _not_saved(result: SaveResult) -> Problem:
    check = result.check
    return not_saved(
        result.outcome, result.reference, check.findings, check.fingerprint, check.errors
    )


def _item(row: desk.RegisterRow) -> schemas.RegisterItem:
    s, facts = row.summary, row.summary.facts
    return schemas.RegisterItem(
        ref=s.reference,
        title=s.text,
        group=s.group_code,
        group_name=s.group_name,
        priority=s.priority_code,
        priority_name=s.priority_name,
        source=s.source_code,
        lead=s.lead_name,
        lead_id=row.lead_code,
        agency=s.lead_agency,
        status=facts.status,
        rag=_rag(row.rag),
        lead_rag=facts.lead_rag,
        due=facts.due_date,
        revised_due=facts.revised_due_date,
        overdue_working_days=row.overdue_working_days,
        last_update_at=facts.last_update,
        can_update=row.can_update,
    )


def _rag(rag: str | None) -> schemas.LeadRag | None:
    return rag if rag in ("red", "amber", "green") else None  # type: ignore[return-value]


def _action_page(page: desk.ActionPage) -> schemas.ActionPage:
    detail = page.shown.detail
    item = _item(page.row)
    facts = detail.summary.facts
    action = schemas.ActionFacts(
        **item.model_dump(exclude={"can_update"}),
        description=detail.summary.text,
        source_title=detail.source_title,
        status_reason=detail.status_reason,
        at_risk=facts.at_risk,
        slippage=facts.slippage,
        revised_due_reason=detail.revised_due_reason,
        completed_on=facts.completed_on,
        impact=facts.impact,
        impact_evidence=detail.impact_evidence,
        version=detail.summary.version,
        links=[
            schemas.Link(
                ref=link.reference,
                title=link.text,
                source=link.source_code,
                status=link.status,
                state=link.state,
            )
            for link in detail.links
        ],
    )
    return schemas.ActionPage(
        action=action,
        updates=[
            schemas.UpdateItem(
                at=u.at,
                dated=u.dated,
                by=u.person_name,
                rag=_rag(u.lead_rag),
                note=u.note,
                status=u.status,
                complete=u.status == "complete",
            )
            for u in page.updates
        ],
        history=[
            schemas.HistoryItem(
                at=h.at,
                actor=h.person_name or h.actor,
                event=h.event,
                field=h.field,
                from_=h.old_value,
                to=h.new_value,
            )
            for h in page.history
        ],
        can_update=page.shown.can_update,
    )


# `actions/filters` comes before `actions/{ref}`, which would otherwise take it.
ACTIONS = Feature(
    DeskApi,
    (
        Operation(
            "/me", "me", "me", "Who is signed in, their roles and what they may do", schemas.Me
        ),
        Operation(
            "/actions",
            "actions",
            "listActions",
            "One page of the actions the viewer may read, filtered, searched and sorted",
            schemas.RegisterPage,
            query=schemas.RegisterParams,
            refusals=(401, 403, 422),
        ),
        Operation(
            "/actions/filters",
            "filters",
            "actionFilters",
            "The choices the register's filters offer",
            schemas.RegisterFilters,
        ),
        Operation(
            "/actions/{ref}",
            "action",
            "getAction",
            "One action: its facts, updates and audit history",
            schemas.ActionPage,
            path_parameters={"ref": text_parameter()},
            refusals=(401, 403, 404),
        ),
        Operation(
            "/actions/{ref}",
            "update",
            "updateAction",
            "Add a progress update (the chat's update card, as JSON); "
            "answers the action as it is now",
            schemas.ActionPage,
            path_parameters={"ref": text_parameter()},
            refusals=(400, 401, 403, 404, 409, 422),
            method="patch",
            body=schemas.ActionUpdate,
        ),
    ),
)
