"""Errors as RFC 9457 problem details: every answer of the desk's API that is not a success.

Handlers raise `Problem`; `problem_middleware` turns it (and aiohttp's own 404 and 405, and any
other failure, as a plain 500 that says nothing of its cause) into `application/problem+json`
for paths under the API's prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware
from pydantic import ValidationError

from domain.action_updates import KIND_LABELS, FieldFinding

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://partnership-bot/problems/"
CONTENT_TYPE = "application/problem+json"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Problem(Exception):
    """A refusal with its status, a type word (appended to PROBLEM_BASE), a title and detail."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(kind)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions or {}

    def response(self) -> web.Response:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extensions)
        response = web.json_response(body, status=self.status, headers=self.headers)
        response.content_type = CONTENT_TYPE
        return response


def sign_in_again() -> Problem:
    """A missing, malformed, expired or foreign token: never told apart."""
    return Problem(
        401,
        "sign-in",
        "Sign in again",
        "Your sign-in could not be checked. Close the desk and open it again from Teams.",
        headers={"WWW-Authenticate": 'Bearer realm="desk"'},
    )


def not_on_roster(business_team_email: str) -> Problem:
    return Problem(
        403,
        "not-on-roster",
        "You are not on the partnership's roster",
        "The desk is for people on the partnership's roster. To be added, email the business "
        f"team at {business_team_email} with your name, role and agency.",
    )


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", "Not allowed", detail)


def not_found(detail: str = "There is nothing here, or it is not yours to see.") -> Problem:
    return Problem(404, "not-found", "Not found", detail)


def invalid(error: ValidationError) -> Problem:
    """A request whose values do not fit: each problem named by its field."""
    # A field's first problem is the one to fix (a union would list one per alternative).
    by_field: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        name = str(item["loc"][0]) if item["loc"] else "request"
        by_field.setdefault(name, item["msg"])
    errors = [{"field": name, "message": message} for name, message in by_field.items()]
    return Problem(
        422, "invalid-request", "Check what was sent", "Some values are not valid.", errors
    )


def not_saved(
    outcome: str,
    reference: str,
    findings: Sequence[FieldFinding],
    fingerprint: str,
    errors: Mapping[str, str],
) -> Problem:
    """Why a change to an action was not saved: a newer version (409), text screening questions
    (422 needs-confirmation, with what it found and the screened value to confirm), or values
    that are not valid (422, an error per field)."""
    if outcome == "conflict":
        return Problem(
            409,
            "conflict",
            "Changed since you opened it",
            f"{reference} was changed by someone else. Reload it and try again.",
        )
    if outcome == "needs_confirmation":
        found = [
            {"field": f.field, "kind": f.kind, "label": KIND_LABELS.get(f.kind, f.kind)}
            for f in findings
        ]
        return Problem(
            422,
            "needs-confirmation",
            "Check for personal details",
            "This looks like it may hold personal details. Remove them, or confirm they are not "
            "personal data (send confirm_not_personal with this screened value).",
            extensions={"findings": found, "screened": fingerprint},
        )
    listed = [{"field": name, "message": message} for name, message in errors.items()]
    return Problem(
        422, "invalid-request", "Check what was sent", "Some values are not valid.", listed
    )


def bad_json() -> Problem:
    return Problem(400, "bad-request", "Not JSON", "Send the body as a JSON object.")


def unavailable() -> Problem:
    return Problem(
        503,
        "unavailable",
        "Try again shortly",
        "Sign-in cannot be checked just now. Try again in a minute.",
    )


def problem_middleware(prefixes: tuple[str, ...]) -> Middleware:
    @web.middleware
    async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(prefixes):
            return await handler(request)
        try:
            return await handler(request)
        except Problem as problem:
            return problem.response()
        except web.HTTPException as http_error:
            if http_error.status < 400:
                raise
            return Problem(
                http_error.status, "http", http_error.reason, http_error.reason
            ).response()
        except Exception as error:
            log.exception("desk API failure: %s", type(error).__name__)
            return Problem(
                500, "server", "Something went wrong", "The desk could not answer. Try again."
            ).response()

    return problems
