"""The desk's reference data API (`REFERENCE`): priorities, sources, agencies, groups, courses
and people under /reference/<kind>: list, add, edit, retire or reinstate (a person: deactivate,
after reassigning the open actions they lead).

The rules and the permission checks are the use cases' (`usecases/reference_desk.py`), which
reuse the imports' checks; this module only reads the forms and answers the items or problem
details (422 with an error per field, 409 for a stale version or actions still led).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from domain.permissions import Viewer
from usecases import reference_desk as usecase
from usecases.people import NotPermitted
from web.desk import reference_schemas as s
from web.desk.api import DeskHandlers, answer
from web.desk.operations import Feature, Operation, text_parameter
from web.desk.problems import Problem, forbidden, not_found

CODE_PARAMETER = {"code": text_parameter(32)}
PEOPLE = usecase.PEOPLE

# Each kind: its item, list and form models, and the word for one of it.
KINDS: dict[str, tuple[type[BaseModel], type[BaseModel], type[s.Form], str]] = {
    "priorities": (s.PriorityItem, s.PriorityList, s.PriorityForm, "priority"),
    "sources": (s.SourceItem, s.SourceList, s.SourceForm, "source"),
    "agencies": (s.AgencyItem, s.AgencyList, s.AgencyForm, "agency"),
    "groups": (s.GroupItem, s.GroupList, s.GroupForm, "group"),
    "courses": (s.CourseItem, s.CourseList, s.CourseForm, "course"),
}
RETIRED = tuple(KINDS)  # every kind but people, who are deactivated instead


def _problem(error: Exception) -> Problem:
    if isinstance(error, NotPermitted):
        return forbidden("Only the business team changes reference data.")
    if isinstance(error, usecase.NotFound):
        return not_found("There is no such item.")
    if isinstance(error, usecase.Conflict):
        return Problem(
            409,
            "conflict",
            "Changed since you opened it",
            "Someone else changed this since you opened it. Reload it and try again.",
        )
    if isinstance(error, usecase.StillLeads):
        count = len(error.references)
        return Problem(
            409,
            "still-leads",
            "Reassign their actions first",
            f"{error.name} still leads {count} open action{'s' if count != 1 else ''}: "
            f"{', '.join(error.references)}. Give each a new lead, then deactivate them.",
            extensions={"actions": error.references},
        )
    assert isinstance(error, usecase.Invalid)
    errors = [{"field": name, "message": message} for name, message in error.errors.items()]
    return Problem(
        422, "invalid-request", "Check what was sent", "Some values are not valid.", errors
    )


_EXPECTED = (
    NotPermitted,
    usecase.NotFound,
    usecase.Conflict,
    usecase.StillLeads,
    usecase.Invalid,
)


async def _refusing(call: Awaitable[Any]) -> Any:
    try:
        return await call
    except _EXPECTED as error:
        raise _problem(error) from None


Handler = Callable[[web.Request], Awaitable[web.Response]]


class ReferenceApi(DeskHandlers):
    """One handler per verb; `list_<kind>`, `add_<kind>`, ... are those bound to each kind."""

    def __init__(self, services: Any) -> None:
        super().__init__(services)
        for kind in (*KINDS, PEOPLE):
            for verb in ("list", "add", "edit"):
                setattr(self, f"{verb}_{kind}", partial(getattr(self, verb), kind=kind))
        for kind in RETIRED:
            setattr(self, f"retire_{kind}", partial(self.set_active, kind=kind, active=False))
            setattr(self, f"reinstate_{kind}", partial(self.set_active, kind=kind, active=True))

    def _code(self, request: web.Request) -> str:
        code = request.match_info["code"]
        if len(code) > 32 or not code.isprintable():
            raise not_found()
        return code

    async def list(self, request: web.Request, *, kind: str) -> web.Response:
        viewer = await self.viewer(request)
        items = await _refusing(usecase.list_items(viewer, kind, self.services.work))
        item_model, list_model = _models(kind)
        return answer(
            list_model.model_validate(
                {
                    "items": [item_model.model_validate(i) for i in items],
                    "can_edit": viewer.is_admin,
                }
            )
        )

    async def add(self, request: web.Request, *, kind: str) -> web.Response:
        return await self._save(request, kind, editing=False)

    async def edit(self, request: web.Request, *, kind: str) -> web.Response:
        return await self._save(request, kind, editing=True)

    async def _save(self, request: web.Request, kind: str, *, editing: bool) -> web.Response:
        viewer = await self.viewer(request)  # first: a request without sign-in learns nothing
        code = self._code(request) if editing else None
        if kind == PEOPLE:
            return answer(await self._save_person(request, viewer, code))
        form = await self.body(request, KINDS[kind][2])
        change = usecase.Change(
            values=form.values(),
            code=code,
            version=form.version,
            confirm_not_personal=form.confirm_not_personal,
            allowed_email_domains=tuple(self.services.settings.partnership_email_domains),
        )
        saved = await _refusing(usecase.save_item(viewer, kind, change, self.services.work))
        if kind == "groups":
            self.services.viewers.forget()  # a new chair's rights hold at once
        return answer(KINDS[kind][0].model_validate(saved))

    async def _save_person(
        self, request: web.Request, viewer: Viewer, code: str | None
    ) -> BaseModel:
        form = await self.body(request, s.PersonForm)
        change = usecase.PersonChange(**form.model_dump(), code=code)
        saved = await _refusing(usecase.save_person(viewer, change, self.services.work))
        self.services.viewers.forget()  # changed roles hold at once, not when the cache expires
        return s.PersonItem.model_validate(saved)

    async def set_active(self, request: web.Request, *, kind: str, active: bool) -> web.Response:
        viewer = await self.viewer(request)
        code = self._code(request)
        form = await self.body(request, s.VersionForm)
        work = self.services.work
        saved = await _refusing(usecase.set_active(viewer, kind, code, active, form.version, work))
        return answer(KINDS[kind][0].model_validate(saved))

    async def open_actions(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        code = self._code(request)
        found = await _refusing(usecase.open_actions_of(viewer, code, self.services.work))
        return answer(
            s.OpenActions(items=[s.OpenAction(ref=a.reference, title=a.title) for a in found])
        )

    async def deactivate(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        code = self._code(request)
        form = await self.body(request, s.Deactivation)
        saved = await _refusing(
            usecase.deactivate_person(viewer, code, form.version, form.reassign, self.services.work)
        )
        self.services.viewers.forget()  # someone who has left is refused at once
        return answer(s.PersonItem.model_validate(saved))


def _models(kind: str) -> tuple[type[BaseModel], type[BaseModel]]:
    if kind == PEOPLE:
        return s.PersonItem, s.PersonList
    return KINDS[kind][0], KINDS[kind][1]


def _kind_operations(kind: str) -> list[Operation]:
    item, listed = _models(kind)
    form: type[BaseModel] = s.PersonForm if kind == PEOPLE else KINDS[kind][2]
    one = "person" if kind == PEOPLE else KINDS[kind][3]
    path = f"/reference/{kind}"
    title = kind.capitalize()
    changes = (400, 401, 403, 404, 409, 422)
    operations = [
        Operation(path, f"list_{kind}", f"list{title}", f"Every {one}, retired too", listed),
        Operation(
            path,
            f"add_{kind}",
            f"add{title}",
            f"Add a {one} (the business team's)",
            item,
            method="post",
            body=form,
            refusals=(400, 401, 403, 409, 422),
        ),
        Operation(
            f"{path}/{{code}}",
            f"edit_{kind}",
            f"edit{title}",
            f"Change a {one} from the version listed",
            item,
            path_parameters=CODE_PARAMETER,
            method="put",
            body=form,
            refusals=changes,
        ),
    ]
    if kind in RETIRED:
        for verb in ("retire", "reinstate"):
            operations.append(
                Operation(
                    f"{path}/{{code}}/{verb}",
                    f"{verb}_{kind}",
                    f"{verb}{title}",
                    f"{verb.capitalize()} a {one}: it stays on everything that uses it",
                    item,
                    path_parameters=CODE_PARAMETER,
                    method="post",
                    body=s.VersionForm,
                    refusals=changes,
                )
            )
    return operations


REFERENCE = Feature(
    ReferenceApi,
    (
        *(op for kind in (*KINDS, PEOPLE) for op in _kind_operations(kind)),
        Operation(
            "/reference/people/{code}/open-actions",
            "open_actions",
            "personOpenActions",
            "The open actions a person leads (to reassign before deactivating them)",
            s.OpenActions,
            path_parameters=CODE_PARAMETER,
            refusals=(401, 403, 404),
        ),
        Operation(
            "/reference/people/{code}/deactivate",
            "deactivate",
            "deactivatePerson",
            "Deactivate a person, giving each open action they lead a new lead first; "
            "refused (409) while any is left without one",
            s.PersonItem,
            path_parameters=CODE_PARAMETER,
            method="post",
            body=s.Deactivation,
            refusals=(400, 401, 403, 404, 409, 422),
        ),
    ),
)
