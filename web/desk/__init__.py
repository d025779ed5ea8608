"""The business desk (issue 17): a Teams personal tab with single sign-on, its JSON API under
/desk/api/v1, and its page under /desk/.

- `sso.py`: checking Teams SSO tokens (and development tokens);
- `api.py`: the API's handlers; `schemas.py`: its pydantic models; `openapi.py`: its routes and
  OpenAPI document from one table; `problems.py`: RFC 9457 problem details;
- `dev.py`: the development sign-in ("sign in as"), only where `Settings.dev_routes_enabled`;
- `static.py`: the built front end (desk/dist), or a page saying it is not built.

What a person may read or change is decided in the use cases (`usecases/desk.py`,
`usecases/actions.py`), never here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from delivery.doorbell import Doorbell
from usecases.context import ReferenceNames, UnitOfWork
from usecases.people import ViewerCache
from web.desk.api import PREFIX, DeskServices, TokenCheck
from web.desk.dev import DEV_PREFIX, DevSignIn, dev_sign_in_routes
from web.desk.openapi import api_routes
from web.desk.problems import problem_middleware
from web.desk.sso import DevTokens, SigningKeys, SsoTokens, audiences_for
from web.desk.static import DIST, page_routes

__all__ = ["desk_routes", "metadata_url", "token_check"]


def metadata_url(settings: Settings) -> str:
    """The OpenID metadata of the bot's tenant (whose keys sign every tenant's tokens)."""
    tenant = settings.app_tenant_id or "common"
    return f"{settings.login_base_url}/{tenant}/v2.0/.well-known/openid-configuration"


def token_check(settings: Settings) -> TokenCheck:
    """Development tokens where the development routes exist; Teams SSO tokens everywhere else."""
    if settings.dev_routes_enabled:
        return DevTokens(settings.link_secret)
    return SsoTokens(
        SigningKeys(metadata_url(settings)),
        tenants=settings.desk_tenants,
        audiences=audiences_for(settings.app_id, settings.desk_domain),
    )


def desk_routes(
    app: web.Application,
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
    viewers: ViewerCache,
    reference_names: ReferenceNames | None = None,
    dist: Path = DIST,
    doorbell: Doorbell | None = None,
) -> None:
    """The desk's API, its development sign-in (development only) and its page. With the bot's
    `reference_names`, what the desk writes (an import) is seen by the bot's next turn."""
    tokens = token_check(settings)
    work = UnitOfWork(sessions, reference_names)
    app.middlewares.append(problem_middleware((PREFIX + "/", DEV_PREFIX + "/")))
    services = DeskServices(settings, work, clock, viewers, tokens, doorbell or Doorbell())
    api_routes(app, services)
    if isinstance(tokens, DevTokens):
        dev_sign_in_routes(app, DevSignIn(work, tokens, settings.admin_emails))
    if isinstance(tokens, SsoTokens):
        keys = tokens.keys

        async def close_keys(_app: web.Application) -> AsyncIterator[None]:
            yield
            await keys.close()

        app.cleanup_ctx.append(close_keys)
    page_routes(app, dist)
