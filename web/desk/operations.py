"""What a desk API operation is, and how the parts of the desk declare theirs.

Each part of the desk (the register and actions, reference data, files, ...) is a `Feature`: a
class of handlers built on `DeskHandlers` (web/desk/api.py) and the table of its operations. The
table is the one source for both the routes and the OpenAPI document (web/desk/openapi.py), so a
route cannot exist undocumented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

MAX_REFERENCE_CHARS = 16

REFUSALS = {
    400: "The body is not JSON",
    401: "Missing, malformed or expired sign-in (says nothing about which)",
    403: "Not on the roster, or not allowed",
    404: "No such thing, or not the viewer's to read",
    409: "It changed since the version sent, or it clashes with what is there",
    413: "The upload is larger than the limit",
    415: "The upload is not a kind of file the desk reads",
    422: "A value does not fit; errors name each field",
}


def text_parameter(max_length: int = MAX_REFERENCE_CHARS) -> dict[str, Any]:
    """A path parameter's schema: a short printable code such as an action's reference."""
    return {"type": "string", "minLength": 1, "maxLength": max_length}


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
    # A multipart/form-data body (an upload), described by this model (bytes: a file part).
    form: type[BaseModel] | None = None
    # The answer is a file (XLSX or CSV), not JSON.
    file_response: bool = False


@dataclass(frozen=True)
class Feature:
    """One part of the desk's API: its handler class (constructed with the `DeskServices`) and its
    operations, in the order their routes are added (a fixed path before a `{parameter}` one)."""

    handlers: type[Any]
    operations: tuple[Operation, ...]
