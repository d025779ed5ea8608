"""GET /calendar/{token}.ics: one meeting or training session as an iCalendar file.

The token is a signed, expiring link (`domain.links`) naming the meeting or session, handed out on
cards only to people who may see it; it cannot be guessed or altered. A token that is malformed,
altered or names something that no longer exists answers 404, an expired one 410, a database
outage 503, each with a short plain sentence; nothing here answers 500.
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
from fileformats.calendar_files import render_calendar
from storage.models import CourseSession, Meeting
from usecases.calendar_import import meeting_entry, session_entry

log = logging.getLogger(__name__)

MEETING_LINK, SESSION_LINK = "meeting", "session"
# meetings.id and course_sessions.id are INTEGER columns: PostgreSQL refuses to compare one with a
# larger number (an error, not "no row"), so a signed link past this names nothing.
LARGEST_ID = 2**31 - 1
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
            body = await self._calendar(link.kind, link.id, now)
        except SQLAlchemyError as error:
            log.warning("calendar link: database unavailable (%s)", type(error).__name__)
            return _plain(503, "The calendar is not available just now. Please try again.")
        if body is None:
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

    async def _calendar(self, kind: str, ident: int, now: datetime) -> bytes | None:
        if ident > LARGEST_ID:
            return None
        async with self._sessions() as session:
            if kind == MEETING_LINK:
                meeting = await session.get(Meeting, ident)
                entry = None if meeting is None else meeting_entry(meeting)
            elif kind == SESSION_LINK:
                row = await session.get(CourseSession, ident)
                entry = None if row is None else session_entry(row)
            else:
                entry = None
        if entry is None:
            return None
        return render_calendar([entry], self._settings.zone, now)


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
