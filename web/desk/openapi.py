"""The desk API's OpenAPI 3.1 document, and its routes, from one table (`OPERATIONS`).

Each operation names its path, its handler on `DeskApi`, its response model and, for the register,
its query model; `api_routes` adds the routes from the table and `document()` describes them, with
the models' JSON schemas (pydantic) as the components. A route cannot exist undocumented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from web.desk import schemas
from web.desk.api import MAX_REFERENCE_CHARS, PREFIX, DeskApi

OPENAPI_PATH = PREFIX + "/openapi.json"
REF = "#/components/schemas/{model}"
PROBLEM = "#/components/schemas/ProblemDetails"


@dataclass(frozen=True)
class Operation:
    path: str
    handler: str
    operation_id: str
    summary: str
    response: type[BaseModel]
    query: type[BaseModel] | None = None
    path_parameters: dict[str, dict[str, Any]] = field(default_factory=dict[str, dict[str, Any]])
    refusals: tuple[int, ...] = (401, 403)
    method: str = "get"
    body: type[BaseModel] | None = None


# `actions/filters` comes before `actions/{ref}`, which would otherwise take it.
OPERATIONS: tuple[Operation, ...] = (
    Operation("/me", "me", "me", "Who is signed in, their roles and what they may do", schemas.Me),
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
        path_parameters={
            "ref": {"type": "string", "minLength": 1, "maxLength": MAX_REFERENCE_CHARS}
        },
        refusals=(401, 403, 404),
    ),
    Operation(
        "/actions/{ref}",
        "update",
        "updateAction",
        "Add a progress update (the chat's update card, as JSON); answers the action as it now is",
        schemas.ActionPage,
        path_parameters={
            "ref": {"type": "string", "minLength": 1, "maxLength": MAX_REFERENCE_CHARS}
        },
        refusals=(400, 401, 403, 404, 409, 422),
        method="patch",
        body=schemas.ActionUpdate,
    ),
)

REFUSALS = {
    400: "The body is not JSON",
    401: "Missing, malformed or expired sign-in (says nothing about which)",
    403: "Not on the roster, or not allowed",
    404: "No such action, or not the viewer's to read",
    409: "The action changed since the version sent",
    422: "A query value does not fit; errors name each field",
}


def api_routes(app: web.Application, api: DeskApi) -> None:
    app.router.add_get(OPENAPI_PATH, openapi_json)
    for operation in OPERATIONS:
        app.router.add_route(
            operation.method.upper(), PREFIX + operation.path, getattr(api, operation.handler)
        )


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    properties = model.model_json_schema()["properties"]
    parameters: list[dict[str, Any]] = []
    for name, schema in properties.items():
        schema = dict(schema)
        schema.pop("title", None)
        description = schema.pop("description", None)
        # An optional value is one left out of the query, never a literal null.
        options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
        if len(options) == 1:
            schema.update(options[0])
        elif options:
            schema["anyOf"] = options
        parameter = {"name": name, "in": "query", "required": False, "schema": schema}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _responses(operation: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "content": {
                "application/json": {
                    "schema": {"$ref": REF.format(model=operation.response.__name__)}
                }
            },
        }
    }
    for status in operation.refusals:
        responses[str(status)] = {
            "description": REFUSALS[status],
            "content": {"application/problem+json": {"schema": {"$ref": PROBLEM}}},
        }
    return responses


def _operation(operation: Operation) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": schema}
        for name, schema in operation.path_parameters.items()
    ]
    if operation.query is not None:
        parameters += _query_parameters(operation.query)
    described: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "parameters": parameters,
        "responses": _responses(operation),
    }
    if operation.body is not None:
        schema = {"$ref": REF.format(model=operation.body.__name__)}
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    return described


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        paths.setdefault(PREFIX + operation.path, {})[operation.method] = _operation(operation)
    return paths


@cache
def document() -> dict[str, Any]:
    _, definitions = models_json_schema(
        [
            (model, "validation" if model is schemas.ActionUpdate else "serialization")
            for model in schemas.RESPONSE_MODELS
        ],
        ref_template=REF,
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partnership bot: the business desk",
            "version": "1",
            "description": "The desk's API. Every call sends Authorization: Bearer <token>.",
        },
        "paths": {
            **_paths(),
            OPENAPI_PATH: {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": definitions["$defs"],
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
        "security": [{"bearer": []}],
    }


async def openapi_json(_request: web.Request) -> web.Response:
    return web.json_response(document())
