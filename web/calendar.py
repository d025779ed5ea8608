"""GET /calendar/{token}.ics: one meeting or training session as an iCalendar file.

The token is a signed, expiring link (`domain.links`) naming the meeting or session and the person
it was handed to on a card; it cannot be guessed or altered. It is served only while that person
may still see the item (`usecases.meetings.calendar_file`): a link kept or forwarded after they
left the group or the roster answers 403. A token that is malformed, altered or names something
that no longer exists answers 404, an expired one 410, a database outage 503, each with a short
plain sentence; nothing here answers 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from domain.links import LinkExpired, LinkInvalid, read_link
from usecases.context import Refusal, UnitOfWork
from usecases.meetings import CalendarRequest, calendar_file

log = logging.getLogger(__name__)

ROUTE = "/calendar/{token:[A-Za-z0-9_-]{1,200}}.ics"


class CalendarFiles:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

    async def get(self, request: web.Request) -> web.Response:
        now = self._clock()
        try:
            link = read_link(self._settings.link_secret.encode(), request.match_info["token"], now)
        except LinkExpired:
            return _plain(410, "This calendar link has expired. Ask the bot again for a new one.")
        except LinkInvalid:
            return _not_found()
        try:
            body = await self._calendar(CalendarRequest(link.kind, link.id, link.person_id), now)
        except SQLAlchemyError as error:
            log.warning("calendar link: database unavailable (%s)", type(error).__name__)
            return _plain(503, "The calendar is not available just now. Please try again.")
        if body == Refusal.NOT_ALLOWED:
            log.info("calendar link refused: its person may no longer see the %s", link.kind)
            return _plain(
                403,
                "This calendar link was given to someone who can no longer see this item. "
                "Ask the bot for your own.",
            )
        if isinstance(body, Refusal):
            return _not_found()
        log.info("calendar file served for a %s", link.kind)
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{link.kind}.ics"',
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def _calendar(self, request: CalendarRequest, now: datetime) -> bytes | Refusal:
        return await calendar_file(
            request,
            UnitOfWork(self._sessions),
            now=now,
            zone=self._settings.zone,
            admin_emails=self._settings.admin_emails,
        )


def _plain(status: int, sentence: str) -> web.Response:
    return web.Response(status=status, text=sentence, headers={"Cache-Control": "no-store"})


def _not_found() -> web.Response:
    return _plain(404, "This calendar link is not valid.")


def calendar_routes(
    app: web.Application,
    *,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    """Add GET /calendar/{token}.ics to the bot's application."""
    app.router.add_get(ROUTE, CalendarFiles(sessions, settings, clock).get)
