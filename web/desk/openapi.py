"""The desk API's OpenAPI 3.1 document, and its routes, from one table (`OPERATIONS`).

`OPERATIONS` joins the operations of each part of the desk (`FEATURES`, see
web/desk/operations.py). Each operation names its path, its handler, its response model and any
query or body model; `api_routes` adds the routes from the table and `document()` describes them,
with the models' JSON schemas (pydantic) as the components. A route cannot exist undocumented.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from web.desk import schemas
from web.desk.action_work import ACTION_WORK
from web.desk.announcements import ANNOUNCEMENTS
from web.desk.api import ACTIONS, PREFIX, DeskServices
from web.desk.files import FILES
from web.desk.meetings import MEETINGS
from web.desk.operations import REFUSALS, Feature, Operation
from web.desk.reference import REFERENCE
from web.desk.training import TRAINING

OPENAPI_PATH = PREFIX + "/openapi.json"
REF = "#/components/schemas/{model}"
PROBLEM = "#/components/schemas/ProblemDetails"


# Each part of the desk adds its `Feature` here.
FEATURES: tuple[Feature, ...] = (
    ACTIONS,
    ACTION_WORK,
    ANNOUNCEMENTS,
    FILES,
    MEETINGS,
    REFERENCE,
    TRAINING,
)
OPERATIONS: tuple[Operation, ...] = tuple(op for feature in FEATURES for op in feature.operations)


def api_routes(app: web.Application, services: DeskServices) -> None:
    app.router.add_get(OPENAPI_PATH, openapi_json)
    for feature in FEATURES:
        handlers = feature.handlers(services)
        for operation in feature.operations:
            app.router.add_route(
                operation.method.upper(),
                PREFIX + operation.path,
                getattr(handlers, operation.handler),
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


FILE_MEDIA_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
)


def _ok(operation: Operation) -> dict[str, Any]:
    if operation.file_response:
        binary = {"schema": {"type": "string", "format": "binary"}}
        return {"description": "The file", "content": dict.fromkeys(FILE_MEDIA_TYPES, binary)}
    schema = {"$ref": REF.format(model=operation.response.__name__)}
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def _responses(operation: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": _ok(operation)}
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
    if operation.form is not None:
        schema = {"$ref": REF.format(model=operation.form.__name__)}
        described["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema}},
        }
    return described


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        paths.setdefault(PREFIX + operation.path, {})[operation.method] = _operation(operation)
    return paths


def _models() -> dict[type[BaseModel], JsonSchemaMode]:
    """Every model the operations answer with (as serialised) or take as a body (as validated),
    with the problem details and the development sign-in's models."""
    models: dict[type[BaseModel], JsonSchemaMode] = dict.fromkeys(
        schemas.SHARED_MODELS, "serialization"
    )
    for operation in OPERATIONS:
        if not operation.file_response:
            models.setdefault(operation.response, "serialization")
        for given in (operation.body, operation.form):
            if given is not None:
                models[given] = "validation"
    return models


@cache
def document() -> dict[str, Any]:
    _, definitions = models_json_schema(list(_models().items()), ref_template=REF)
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
