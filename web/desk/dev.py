"""Development only: "sign in as" any demo person, for the desk in a browser without Teams.

GET /desk/dev says the development sign-in is offered (the page's cheap probe);
GET /desk/dev/people lists the roster; POST /desk/dev/sign-in {"person_id": "P03"} answers a token
the API accepts (`web/desk/sso.DevTokens`). `desk_routes` adds them only where
`Settings.dev_routes_enabled` holds, where the API takes these tokens instead of Teams' ones; from
an address other than loopback they are refused all the same.
"""

from __future__ import annotations

import json

from aiohttp import web
from pydantic import ValidationError

from usecases import desk
from usecases.context import UnitOfWork
from usecases.people import Recognition, ViewerCache
from web.desk import schemas
from web.desk.problems import Problem, forbidden, invalid, not_found
from web.desk.sso import DevTokens
from web.dev import is_loopback

DEV_PREFIX = "/desk/dev"


class DevSignIn:
    def __init__(self, work: UnitOfWork, tokens: DevTokens, admin_emails: tuple[str, ...]) -> None:
        self.work = work
        self.tokens = tokens
        self.admin_emails = admin_emails

    async def offered(self, request: web.Request) -> web.Response:
        """The front end's probe: answers where the sign-in is, without reading the roster."""
        _loopback_only(request)
        return web.json_response(
            {"people": f"{DEV_PREFIX}/people", "sign_in": f"{DEV_PREFIX}/sign-in"}
        )

    async def people(self, request: web.Request) -> web.Response:
        _loopback_only(request)
        everyone = await desk.desk_people(self.work, self.admin_emails)
        return web.json_response(
            [
                schemas.DevPerson(id=p.code, name=p.name, roles=list(p.roles)).model_dump()
                for p in everyone
            ]
        )

    async def sign_in(self, request: web.Request) -> web.Response:
        _loopback_only(request)
        try:
            body = json.loads(await request.read() or b"null")
            chosen = schemas.DevSignIn.model_validate(body)
        except ValidationError as error:
            raise invalid(error) from None
        except (ValueError, UnicodeDecodeError):
            raise Problem(400, "bad-request", "Not JSON", 'Send {"person_id": "P03"}.') from None
        found = await desk.person_signed_in(
            object_id="",
            emails=(),
            person_code=chosen.person_id.upper(),
            work=self.work,
            known=_no_cache(self.admin_emails),
        )
        if found is None:
            raise not_found(f"Nobody active on the roster has the code {chosen.person_id}.")
        return web.json_response(schemas.DevToken(token=self.tokens.issue(found.code)).model_dump())


def _no_cache(admin_emails: tuple[str, ...]) -> Recognition:
    return Recognition(admin_emails, ViewerCache(0))


def _loopback_only(request: web.Request) -> None:
    if not is_loopback(request.remote):
        raise forbidden("Development routes answer on loopback only.")


def dev_sign_in_routes(app: web.Application, sign_in: DevSignIn) -> None:
    app.router.add_get(DEV_PREFIX, sign_in.offered)
    app.router.add_get(f"{DEV_PREFIX}/people", sign_in.people)
    app.router.add_post(f"{DEV_PREFIX}/sign-in", sign_in.sign_in)
