"""The announcements part of the desk's API (issue 18, items 3 and 4): the lists with their
counts, one announcement, its delivery report by name (filtered and paged), compose and edit a
draft, its preview (the exact card: `cards.broadcasts.recipient_card`, as the chat's preview),
send now, schedule, cancel, resend to failed, and the reach report (`ANNOUNCEMENTS`).

Every verb is the chat's use case (`usecases.broadcasts`), so the desk does exactly what the
cards do: the business team composes and sends; the scrutineer reads the lists and reports
(`usecases.announcement_desk`) and is refused every change.
"""

from __future__ import annotations

from aiohttp import web

from cards.broadcasts import recipient_card
from cards.data.broadcasts import AnnouncementRef, BroadcastSaveData, BroadcastScheduleData
from cards.reach import FIXES
from domain import broadcasts as rules
from domain.audience import describe
from domain.broadcasts import MARKDOWN_HELP, ReportCounts, SendingHours, Status, why_not_reached
from domain.identifiers import KIND_LABELS
from domain.permissions import Viewer
from domain.reach import WORDS, ReachCount
from domain.training import BookingRules
from usecases import announcement_desk as desk_reads
from usecases import broadcasts as usecases
from usecases.broadcasts import (
    HeldForScreening,
    Invalid,
    NotFound,
    OutsideHours,
    Overview,
    Refused,
    ReportCardPlace,
    ScheduleRefused,
    Shown,
)
from usecases.reach import ReachReport, reach_report
from web.desk import announcements_schemas as s
from web.desk.api import DeskHandlers, answer
from web.desk.operations import Feature, Operation
from web.desk.problems import Problem, forbidden, not_found

NOT_THE_BUSINESS_TEAMS = "Announcements are composed and sent by the business team only."


def _refused() -> Problem:
    return forbidden(NOT_THE_BUSINESS_TEAMS)


def _gone() -> Problem:
    return not_found("There is no such announcement.")


def _announcement_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or not 1 <= int(raw) <= s.MAX_ID:
        raise _gone()
    return int(raw)


class AnnouncementsApi(DeskHandlers):
    """Announcements and reach, on the chat's use cases."""

    @property
    def _hours(self) -> SendingHours:
        settings = self.services.settings
        start, end = settings.broadcast_hours
        return SendingHours.parse(start, end, settings.timezone)

    async def lists(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        found = await desk_reads.announcement_lists(viewer, self.services.work)
        if isinstance(found, Refused):
            raise forbidden("Announcements are followed by the business team and the scrutineer.")

        def listed(state: Status) -> list[s.ListedAnnouncement]:
            return [
                s.ListedAnnouncement(
                    id=item.id,
                    title=item.title,
                    status=item.status,  # type: ignore[arg-type]
                    scheduled_for=item.scheduled_for,
                    started_at=item.started_at,
                    updated_at=item.updated_at,
                )
                for item in found.items[state]
            ]

        return answer(
            s.AnnouncementLists(
                counts=s.AnnouncementCounts(**{str(k): v for k, v in found.counts.items()}),
                draft=listed(Status.DRAFT),
                scheduled=listed(Status.SCHEDULED),
                sending=listed(Status.SENDING),
                sent=listed(Status.SENT),
                cancelled=listed(Status.CANCELLED),
                can_compose=viewer.is_admin,
            )
        )

    async def options(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        found = await usecases.compose_options(viewer, self.services.work)
        if isinstance(found, Refused):
            raise _refused()
        return answer(
            s.ComposeOptions(
                groups=[s.AudienceChoice(id=c.id, name=c.name) for c in found.groups],
                agencies=[s.AudienceChoice(id=c.id, name=c.name) for c in found.agencies],
                courses=[s.AudienceChoice(id=c.id, name=c.name) for c in found.courses],
                sending_hours=self._hours.describe(),
                markdown_help=MARKDOWN_HELP,
            )
        )

    async def create(self, request: web.Request) -> web.Response:
        return await self._save(request, None)

    async def edit(self, request: web.Request) -> web.Response:
        return await self._save(request, _announcement_id(request))

    async def _save(self, request: web.Request, announcement_id: int | None) -> web.Response:
        viewer = await self.viewer(request)
        sent = await self.body(request, s.AnnouncementIn)
        services = self.services
        outcome = await usecases.save_draft(
            viewer,
            _save_data(sent, announcement_id),
            services.work,
            now=services.clock(),
            author_user_id="",
            allowed_email_domains=services.settings.partnership_email_domains,
        )
        if isinstance(outcome, Invalid):
            errors = [{"field": k, "message": v} for k, v in outcome.errors.items()]
            raise Problem(
                422, "invalid-request", "Check the fields", "Nothing was saved yet.", errors
            )
        if isinstance(outcome, HeldForScreening):
            raise _held(outcome)
        return self._shown(viewer, outcome)

    async def one(self, request: web.Request) -> web.Response:
        announcement_id = _announcement_id(request)
        viewer = await self.viewer(request)
        ref = AnnouncementRef(announcement_id=announcement_id)
        now = self.services.clock()
        if viewer.is_admin:
            return self._shown(
                viewer, await usecases.open_announcement(viewer, ref, self.services.work, now=now)
            )
        found = await usecases.read_announcement(viewer, ref, self.services.work, now=now)
        if isinstance(found, Refused):
            raise forbidden("Announcements are followed by the business team and the scrutineer.")
        if isinstance(found, NotFound):
            raise _gone()
        return answer(_announcement(found, announcement_id, viewer))

    async def preview(self, request: web.Request) -> web.Response:
        """The card each recipient will get, with the preview banner: the chat's preview."""
        announcement_id = _announcement_id(request)
        viewer = await self.viewer(request)
        services = self.services
        now = services.clock()
        copy = await usecases.preview(
            viewer, AnnouncementRef(announcement_id=announcement_id), services.work, now=now
        )
        if isinstance(copy, Refused):
            raise _refused()
        if isinstance(copy, NotFound):
            raise _gone()
        settings = services.settings
        rules_ = BookingRules(
            settings.booking_closes_working_days, settings.free_cancellation_working_days
        )
        card = recipient_card(
            copy, now, rules_, settings.zone, preview=True, partnership=settings.partnership_name
        )
        return answer(s.Preview(card=dict(card)))

    async def report(self, request: web.Request) -> web.Response:
        announcement_id = _announcement_id(request)
        viewer = await self.viewer(request)
        params = self.query(request, s.ReportParams)
        found = await desk_reads.delivery_report(
            viewer,
            AnnouncementRef(announcement_id=announcement_id),
            self.services.work,
            status=params.status,
            page=params.page,
            page_size=params.page_size,
        )
        if isinstance(found, Refused):
            raise forbidden("Announcements are followed by the business team and the scrutineer.")
        if isinstance(found, NotFound):
            raise _gone()
        return answer(
            s.ReportOut(
                id=found.announcement_id,
                title=found.title,
                status=found.status.value,  # type: ignore[arg-type]
                counts=_counts(found.counts),
                items=[
                    s.RecipientLine(
                        name=line.name,
                        email=line.email,
                        agency=line.agency,
                        status=line.delivery.value,  # type: ignore[arg-type]
                        reason=line.reason,
                        sent_at=line.sent_at,
                        acknowledged_at=line.acknowledged_at,
                        send_number=line.send_number,
                    )
                    for line in found.lines
                ],
                total=found.total,
                page=found.page,
                page_size=found.page_size,
            )
        )

    async def send(self, request: web.Request) -> web.Response:
        announcement_id = _announcement_id(request)
        viewer = await self.viewer(request)
        services = self.services
        hours = self._hours
        outcome = await usecases.send_now(
            viewer,
            AnnouncementRef(announcement_id=announcement_id),
            services.work,
            now=services.clock(),
            hours=hours,
            doorbell=services.doorbell,
            report_card=ReportCardPlace(),
        )
        if isinstance(outcome, OutsideHours):
            suggestion = outcome.next_time.astimezone(hours.tz)
            raise Problem(
                409,
                "outside-sending-hours",
                "Outside sending hours",
                f"Announcements go out {hours.describe()}, and it is outside those hours now. "
                f"Schedule it instead: the next time is {suggestion:%A %d %B at %H:%M}.",
                extensions={
                    "next_date": suggestion.date().isoformat(),
                    "next_time": suggestion.strftime("%H:%M"),
                },
            )
        return self._shown(viewer, outcome)

    async def schedule(self, request: web.Request) -> web.Response:
        announcement_id = _announcement_id(request)
        viewer = await self.viewer(request)
        sent = await self.body(request, s.ScheduleIn)
        services = self.services
        outcome = await usecases.schedule(
            viewer,
            BroadcastScheduleData(
                announcement_id=announcement_id, send_date=sent.date, send_time=sent.time
            ),
            services.work,
            now=services.clock(),
            hours=self._hours,
            report_card=ReportCardPlace(),
        )
        if isinstance(outcome, ScheduleRefused):
            field = "time" if "time" in outcome.problem.lower() else "date"
            raise Problem(
                422,
                "invalid-request",
                "Choose another time",
                outcome.problem,
                [{"field": field, "message": outcome.problem}],
            )
        return self._shown(viewer, outcome)

    async def cancel(self, request: web.Request) -> web.Response:
        announcement_id = _announcement_id(request)
        viewer = await self.viewer(request)
        outcome = await usecases.cancel(
            viewer,
            AnnouncementRef(announcement_id=announcement_id),
            self.services.work,
            now=self.services.clock(),
        )
        return self._shown(viewer, outcome)

    async def resend(self, request: web.Request) -> web.Response:
        announcement_id = _announcement_id(request)
        viewer = await self.viewer(request)
        outcome = await usecases.resend_failed(
            viewer,
            AnnouncementRef(announcement_id=announcement_id),
            self.services.work,
            now=self.services.clock(),
            doorbell=self.services.doorbell,
        )
        return self._shown(viewer, outcome)

    async def reach(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        installs_on = self.services.settings.graph.proactive_install
        found = await reach_report(viewer, self.services.work, installs_on=installs_on)
        if not isinstance(found, ReachReport):
            raise forbidden("The reach report is for the business team.")
        return answer(_reach(found))

    @staticmethod
    def _shown(viewer: Viewer, outcome: Shown | NotFound | Refused) -> web.Response:
        if isinstance(outcome, Refused):
            raise _refused()
        if isinstance(outcome, NotFound):
            raise _gone()
        shown = _announcement(outcome.overview, outcome.overview.copy.id, viewer)
        return answer(shown.model_copy(update={"event": outcome.event, "affected": outcome.count}))


def _save_data(sent: s.AnnouncementIn, announcement_id: int | None) -> BroadcastSaveData:
    """The desk's draft as the compose card's data, so the chat's use case reads it as is."""

    def joined(ids: list[int]) -> str:
        return ",".join(str(i) for i in ids)

    return BroadcastSaveData(
        announcement_id=announcement_id,
        title=sent.title,
        body=sent.body,
        image_url=sent.image_url,
        link_title=sent.link_title,
        link_url=sent.link_url,
        course="" if sent.course is None else str(sent.course),
        everyone=sent.everyone,
        groups=joined(sent.groups),
        agencies=joined(sent.agencies),
        champions=sent.champions,
        booked_on=joined(sent.booked_on),
        ack_days="" if sent.ack_days is None else str(sent.ack_days)[:12],
        confirm_not_personal=sent.confirm_not_personal,
    )


def _held(outcome: HeldForScreening) -> Problem:
    findings = [
        {"field": "body", "kind": kind, "label": KIND_LABELS.get(kind, kind)}
        for kind in outcome.kinds
    ]
    return Problem(
        422,
        "needs-confirmation",
        "Check for personal details",
        "The text looks like it may hold "
        + ", ".join(f["label"] for f in findings)
        + ". Remove it, or confirm it is not personal data (confirm_not_personal). "
        "Nothing was saved yet.",
        extensions={"findings": findings, "screened": outcome.redacted[:2000]},
    )


def _counts(counts: ReportCounts) -> s.DeliveryCounts:
    return s.DeliveryCounts(
        recipients=counts.recipients,
        pending=counts.pending,
        sent=counts.sent,
        failed=counts.failed,
        unreachable=counts.unreachable,
        cancelled=counts.cancelled,
        acknowledged=counts.acknowledged,
        installing=counts.installing,
        reasons=[
            s.Reason(code=code, words=why_not_reached(rules.Delivery.FAILED, code), count=n)
            for code, n in counts.reasons
        ],
    )


def _reach_of(overview: Overview) -> s.Reach | None:
    resolved, reach = overview.resolved, overview.reach
    if resolved is None:
        return None
    count = reach or ReachCount()
    return s.Reach(
        people=resolved.count,
        now=count.now,
        install_first=count.install_first,
        cannot=[
            s.Reason(code=reason.value, words=WORDS.get(reason, reason.value), count=n)
            for reason, n in count.cannot
        ],
        left_out_guests=resolved.left_out_guests,
        left_out_inactive=resolved.left_out_inactive,
    )


def _announcement(overview: Overview, announcement_id: int, viewer: Viewer) -> s.AnnouncementOut:
    content, status, audience = overview.copy.content, overview.status, overview.audience
    admin = viewer.is_admin
    counts = overview.counts
    course = overview.copy.course
    return s.AnnouncementOut(
        id=announcement_id,
        title=content.title,
        body=content.body,
        image_url=content.image_url,
        link_title=content.link_title,
        link_url=content.link_url,
        course=course.course.id if course else None,
        ack_days=overview.ack_days,
        status=status.value,  # type: ignore[arg-type]
        audience=s.AudienceOut(
            everyone=audience.everyone,
            groups=sorted(audience.group_ids),
            agencies=sorted(audience.agency_ids),
            champions=audience.champions,
            booked_on=sorted(audience.course_ids),
            words=describe(audience, overview.names),
        ),
        scheduled_for=overview.scheduled_for,
        started_at=overview.started_at,
        finished_at=overview.finished_at,
        cancelled_at=overview.cancelled_at,
        send_number=overview.send_number,
        counts=None if counts is None else _counts(counts),
        reach=_reach_of(overview),
        may=s.Allowed(
            edit=admin and status in rules.EDITABLE,
            preview=admin,
            send=admin and status in rules.SENDABLE,
            schedule=admin and status in rules.SENDABLE,
            cancel=admin and status in rules.CANCELLABLE,
            resend=admin and status in rules.RESENDABLE and bool(counts and counts.failed),
        ),
    )


def _reach(report: ReachReport) -> s.ReachReportOut:
    installable_fix = FIXES["installable_on" if report.installs_on else "installable_off"]
    rows = [
        ("reachable", "Can be reached now (the bot is installed)", report.installed, ""),
        ("installable", "Installable", report.installable, installable_fix),
        ("installing", "Being installed", report.installing, ""),
        ("blocked", "Blocked by a Teams app policy", report.blocked, FIXES["blocked"]),
        (
            "not_found",
            "Not found (no Teams licence, or not in Entra)",
            report.not_found,
            FIXES["not_found"],
        ),
        ("not_linked", "Not linked to Entra", report.not_linked, FIXES["not_linked"]),
        ("failed", "Install failed", report.failed, FIXES["failed"]),
        ("removed", "Removed or blocked the bot", report.removed, FIXES["removed"]),
    ]
    return s.ReachReportOut(
        on_roster=report.on_roster,
        reachable=report.installed,
        guests=report.guests,
        installs_on=report.installs_on,
        rows=[s.ReachRow(reason=r, label=label, count=n, fix=fix) for r, label, n, fix in rows],
    )


_ID = {"id": s.id_parameter()}
_CHANGE = (400, 401, 403, 404, 409, 422)

# `announcements/options` comes before `announcements/{id}`, which would otherwise take it.
ANNOUNCEMENTS = Feature(
    AnnouncementsApi,
    (
        Operation(
            "/announcements",
            "lists",
            "listAnnouncements",
            "Drafts, scheduled, sending, sent and cancelled announcements, with counts",
            s.AnnouncementLists,
        ),
        Operation(
            "/announcements",
            "create",
            "createAnnouncement",
            "Save a new draft (the chat's compose card): checked, and screened for identifiers",
            s.AnnouncementOut,
            refusals=(400, 401, 403, 422),
            method="post",
            body=s.AnnouncementIn,
        ),
        Operation(
            "/announcements/options",
            "options",
            "announcementOptions",
            "What a draft's audience and course can be chosen from",
            s.ComposeOptions,
        ),
        Operation(
            "/announcements/{id}",
            "one",
            "getAnnouncement",
            "One announcement: its content, audience and reach, or its delivery counts",
            s.AnnouncementOut,
            path_parameters=_ID,
            refusals=(401, 403, 404),
        ),
        Operation(
            "/announcements/{id}",
            "edit",
            "editAnnouncement",
            "Save an edited draft",
            s.AnnouncementOut,
            path_parameters=_ID,
            refusals=_CHANGE,
            method="put",
            body=s.AnnouncementIn,
        ),
        Operation(
            "/announcements/{id}/preview",
            "preview",
            "previewAnnouncement",
            "The exact card recipients get, as Adaptive Card JSON (the chat's preview)",
            s.Preview,
            path_parameters=_ID,
            refusals=(401, 403, 404),
        ),
        Operation(
            "/announcements/{id}/recipients",
            "report",
            "announcementReport",
            "One page of the delivery report: every recipient by name, with their status",
            s.ReportOut,
            query=s.ReportParams,
            path_parameters=_ID,
            refusals=(401, 403, 404, 422),
        ),
        Operation(
            "/announcements/{id}/send",
            "send",
            "sendAnnouncement",
            "Send a draft now (in sending hours only: 409 otherwise, with the next time)",
            s.AnnouncementOut,
            path_parameters=_ID,
            refusals=(401, 403, 404, 409),
            method="post",
        ),
        Operation(
            "/announcements/{id}/schedule",
            "schedule",
            "scheduleAnnouncement",
            "Send a draft at a London date and time within sending hours",
            s.AnnouncementOut,
            path_parameters=_ID,
            refusals=_CHANGE,
            method="post",
            body=s.ScheduleIn,
        ),
        Operation(
            "/announcements/{id}/cancel",
            "cancel",
            "cancelAnnouncement",
            "A scheduled one becomes a draft again; a running send stops",
            s.AnnouncementOut,
            path_parameters=_ID,
            refusals=(401, 403, 404),
            method="post",
        ),
        Operation(
            "/announcements/{id}/resend",
            "resend",
            "resendAnnouncement",
            "Send again to the recipients whose copy failed, and to nobody else",
            s.AnnouncementOut,
            path_parameters=_ID,
            refusals=(401, 403, 404),
            method="post",
        ),
        Operation(
            "/reach",
            "reach",
            "reachReport",
            "How many on the roster the bot can reach now, and why the others cannot be reached",
            s.ReachReportOut,
        ),
    ),
)
