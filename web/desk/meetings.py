"""The desk's meetings and sessions (`MEETINGS`): the calendar and its filters, one meeting or
session, and creating, changing, moving, cancelling and reinstating them.

Everything is decided by `usecases.calendar_desk` (who may read and change what, the import's
checks, the notices to people on a moved session); this module reads the request into its
models (`web/desk/meetings_schemas.py`) and answers in London time.
"""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from config.reminder_rules import send_rules
from domain.meetings import Mode
from domain.permissions import Viewer
from domain.send_times import local_date
from usecases import calendar_desk as uc
from usecases.people import NotPermitted
from web.desk.api import DeskHandlers, answer
from web.desk.meetings_schemas import (
    CalendarChoice,
    CalendarChoices,
    CalendarEntry,
    CalendarPage,
    CalendarParams,
    MeetingForm,
    Saved,
    SessionForm,
)
from web.desk.operations import Feature, Operation, text_parameter
from web.desk.problems import Problem, forbidden, not_found

DEFAULT_DAYS = 35
SESSION_PAGE = "/desk/sessions/{id}"
MEETING_PAGE = "/desk/calendar/meetings/{id}"


def _entry(entry: uc.Entry, zone: ZoneInfo) -> CalendarEntry:
    start, end = entry.starts_at.astimezone(zone), entry.ends_at.astimezone(zone)
    page = SESSION_PAGE if entry.kind == "session" else MEETING_PAGE
    return CalendarEntry(
        kind=entry.kind,
        id=entry.id,
        code=entry.code,
        name=entry.name,
        title=entry.title,
        day=start.date(),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        mode=entry.mode.value,
        venue=entry.venue,
        link=entry.link,
        agenda=entry.agenda,
        notes=entry.notes,
        cancelled=entry.cancelled,
        can_edit=entry.can_edit,
        series_id=entry.series_id,
        changed_on_its_own=entry.changed_on_its_own,
        capacity=entry.capacity,
        booked=entry.booked,
        waiting=entry.waiting,
        href=page.format(id=entry.id),
    )


def _identifier(request: web.Request) -> int:
    """The path's id: digits only, else nothing here."""
    text = request.match_info["id"]
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise not_found()
    return int(text)


def _refused(refusal: uc.FormRefused) -> Problem:
    errors = [{"field": name, "message": message} for name, message in refusal.errors]
    return Problem(
        422, "invalid-request", "Check what was sent", "Nothing was saved; see each field.", errors
    )


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _form(sent: MeetingForm | SessionForm) -> uc.EventForm:
    meeting = isinstance(sent, MeetingForm)
    return uc.EventForm(
        code=sent.group if isinstance(sent, MeetingForm) else sent.course,
        day=sent.day,
        start=_clock(sent.start),
        end=_clock(sent.end),
        mode=Mode(sent.mode) if sent.mode else None,
        venue=sent.venue,
        link=sent.link,
        agenda=sent.agenda if meeting else "",
        title=sent.title if meeting else "",
        notes=sent.notes if meeting else "",
        capacity=None if meeting else sent.capacity,
        cancelled=sent.cancelled,
        confirm_not_personal=sent.confirm_not_personal,
    )


class MeetingsApi(DeskHandlers):
    """The calendar, and meetings and sessions made and changed at the desk."""

    @property
    def zone(self) -> ZoneInfo:
        return self.services.settings.zone

    def terms(self) -> uc.EditTerms:
        settings = self.services.settings
        return uc.EditTerms(
            now=self.services.clock(),
            zone=settings.zone,
            send=send_rules(settings),
            allowed_email_domains=settings.partnership_email_domains,
        )

    async def calendar(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        params = self.query(request, CalendarParams)
        today = local_date(self.services.clock(), self.zone)
        since = params.since or today
        until = params.until or since + timedelta(days=DEFAULT_DAYS - 1)
        if until < since or (until - since).days >= uc.MAX_DAYS:
            raise Problem(
                422,
                "invalid-request",
                "Check what was sent",
                "Some values are not valid.",
                [
                    {
                        "field": "until",
                        "message": f"must be on or after since, within {uc.MAX_DAYS} days",
                    }
                ],
            )
        query = uc.CalendarQuery(
            since,
            until,
            group=params.group or None,
            course=params.course or None,
            kind=params.kind or None,
        )
        found = await uc.calendar(
            viewer, query, self.services.work, now=self.services.clock(), zone=self.zone
        )
        page = CalendarPage(since=since, until=until, items=[_entry(e, self.zone) for e in found])
        return answer(page)

    async def choices(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        found = await uc.calendar_choices(viewer, self.services.work)
        return answer(
            CalendarChoices(
                groups=[CalendarChoice(code=c, name=n, active=a) for c, n, a in found.groups],
                courses=[CalendarChoice(code=c, name=n, active=a) for c, n, a in found.courses],
                can_edit=viewer.is_admin,
            )
        )

    async def meeting(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        found = await uc.one_meeting(viewer, _identifier(request), self.services.work)
        if found is None:
            raise not_found("There is no such meeting.")
        return answer(_entry(found, self.zone))

    async def session(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        found = await self._session(viewer, _identifier(request))
        if found is None:
            raise not_found("There is no such training session that you can see.")
        return answer(_entry(found, self.zone))

    async def _session(self, viewer: Viewer, session_id: int) -> uc.Entry | None:
        return await uc.one_session(
            viewer, session_id, self.services.work, now=self.services.clock()
        )

    async def add_meeting(self, request: web.Request) -> web.Response:
        return await self._save_meeting(request, new=True)

    async def change_meeting(self, request: web.Request) -> web.Response:
        return await self._save_meeting(request, new=False)

    async def add_session(self, request: web.Request) -> web.Response:
        return await self._save_session(request, new=True)

    async def change_session(self, request: web.Request) -> web.Response:
        return await self._save_session(request, new=False)

    async def _save_meeting(self, request: web.Request, *, new: bool) -> web.Response:
        viewer = await self.viewer(request)
        meeting_id = None if new else _identifier(request)
        sent = await self.body(request, MeetingForm)
        try:
            saved = await uc.save_meeting(
                viewer, meeting_id, _form(sent), self.services.work, self.terms(), sent.scope
            )
        except NotPermitted:
            raise forbidden("Only the business team changes meetings.") from None
        except uc.FormRefused as refusal:
            raise _refused(refusal) from None
        if saved is None:
            raise not_found("There is no such meeting.")
        entry = await uc.one_meeting(viewer, saved.id, self.services.work)
        assert entry is not None  # just written, in a committed transaction
        return self._saved(saved, entry)

    async def _save_session(self, request: web.Request, *, new: bool) -> web.Response:
        viewer = await self.viewer(request)
        session_id = None if new else _identifier(request)
        sent = await self.body(request, SessionForm)
        try:
            saved = await uc.save_session(
                viewer, session_id, _form(sent), self.services.work, self.terms()
            )
        except NotPermitted:
            raise forbidden("Only the business team changes training sessions.") from None
        except uc.FormRefused as refusal:
            raise _refused(refusal) from None
        if saved is None:
            raise not_found("There is no such training session.")
        entry = await self._session(viewer, saved.id)
        assert entry is not None  # the business team sees every session
        return self._saved(saved, entry)

    def _saved(self, saved: uc.Saved, entry: uc.Entry) -> web.Response:
        return answer(
            Saved(
                entry=_entry(entry, self.zone),
                change=saved.change,  # type: ignore[arg-type]
                people_told=saved.people_told,
                series_changed=saved.series_changed,
                meetings_changed=saved.meetings_changed,
            )
        )


ID = {"id": text_parameter(12)}
CHANGE_REFUSALS = (400, 401, 403, 404, 422)

MEETINGS = Feature(
    MeetingsApi,
    (
        Operation(
            "/calendar",
            "calendar",
            "listCalendar",
            "Meetings and training sessions starting on some days (London), of a group or course",
            CalendarPage,
            query=CalendarParams,
            refusals=(401, 403, 422),
        ),
        Operation(
            "/calendar/choices",
            "choices",
            "calendarChoices",
            "The groups and courses the calendar can be filtered by, and whether the viewer edits",
            CalendarChoices,
        ),
        Operation(
            "/calendar/meetings",
            "add_meeting",
            "addMeeting",
            "Create a meeting (the business team's), with the calendar import's checks",
            Saved,
            refusals=(400, 401, 403, 422),
            method="post",
            body=MeetingForm,
        ),
        Operation(
            "/calendar/meetings/{id}",
            "meeting",
            "getMeeting",
            "One meeting",
            CalendarEntry,
            path_parameters=ID,
            refusals=(401, 403, 404),
        ),
        Operation(
            "/calendar/meetings/{id}",
            "change_meeting",
            "changeMeeting",
            "Change, move, cancel or reinstate a meeting, or its series",
            Saved,
            path_parameters=ID,
            refusals=CHANGE_REFUSALS,
            method="patch",
            body=MeetingForm,
        ),
        Operation(
            "/calendar/sessions",
            "add_session",
            "addSession",
            "Create a training session (the business team's), with the calendar import's checks",
            Saved,
            refusals=(400, 401, 403, 422),
            method="post",
            body=SessionForm,
        ),
        Operation(
            "/calendar/sessions/{id}",
            "session",
            "getCalendarSession",
            "One training session as the calendar shows it",
            CalendarEntry,
            path_parameters=ID,
            refusals=(401, 403, 404),
        ),
        Operation(
            "/calendar/sessions/{id}",
            "change_session",
            "changeSession",
            "Change, move, cancel or reinstate a session; the people booked or waiting are told "
            "as by a calendar re-import",
            Saved,
            path_parameters=ID,
            refusals=CHANGE_REFUSALS,
            method="patch",
            body=SessionForm,
        ),
    ),
)
