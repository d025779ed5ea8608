"""Renderers for the reminder kinds: each reads the current data behind a reminder and builds its
card, or returns None when the reminder no longer applies (so it is cancelled, not sent).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cards.action_reminders import action_reminder_card
from cards.common import Card, first_name
from cards.meetings import TIME_ZONE_NOTE, when_text, where_text
from cards.reminder_digests import (
    ActionLine,
    ExceptionReport,
    GroupSection,
    chair_digest_card,
    exception_report_card,
    personal_digest_card,
)
from cards.reminders import EventReminder, event_reminder_card, rapid_review_card
from cards.session_changes import ChangeView, session_changed_card
from cards.training import place_offered_card
from cards.verbs import Verb
from config import Settings
from config.reminder_rules import reminder_rules
from delivery.renderers import Renderers
from domain.action_views import ActionSummary, drift_of, drift_words
from domain.actions import RagThresholds, effective_due, impact_missing, is_open, is_stale
from domain.links import calendar_link, calendar_link_expiry
from domain.reminders import (
    DIGESTIBLE,
    ClockView,
    Kind,
    is_for_start,
    needs_attention,
    plan_action,
    promotion_key,
    still_applies,
    working_days_left,
)
from domain.send_times import local_date
from domain.session_changes import ChangeNotice, SessionTimes, is_still_news
from domain.training import BookingRules, BookingStatus, SessionView, session_choice
from domain.when import format_day
from domain.working_days import add_working_days
from storage import actions as action_store
from storage import meetings, outbox, reminders, session_changes, training
from storage.outbox import ClaimedMessage

MEETING_LINK, SESSION_LINK = "meeting", "session"


def subject_id(subject: str, prefix: str) -> int | None:
    """The number in a subject such as "clock:7"; None when it is of another kind."""
    kind, _, identifier = subject.partition(":")
    return int(identifier) if kind == prefix and identifier.isdigit() else None


def days_away(today: date, day: date) -> str:
    days = (day - today).days
    if days <= 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"


class ReminderRenderers:
    """The renderers, with the settings they need (zone, link secret, booking rules)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._zone = settings.zone
        self._rules = reminder_rules(settings)
        self._thresholds = RagThresholds(settings.stale_days, settings.due_soon_days)
        self._booking_rules = BookingRules(
            settings.booking_closes_working_days, settings.free_cancellation_working_days
        )

    def _calendar_url(
        self, kind: str, ident: int, ends_at: datetime, now: datetime, person_id: int | None
    ) -> str:
        """The recipient's own "Add to calendar" link; none for a message to no one person."""
        if not self._settings.link_secret or person_id is None:
            return ""
        expires = calendar_link_expiry(now, ends_at)
        secret = self._settings.link_secret.encode()
        return calendar_link(self._settings.public_url, secret, kind, ident, person_id, expires)

    async def rapid_review(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        clock_id = subject_id(message.subject, "clock")
        clock = await reminders.find_clock(session, clock_id) if clock_id else None
        today = local_date(now, self._zone)
        if clock is None or clock.closed_on is not None or clock.due_on < today:
            return None
        view = ClockView(
            clock.id,
            clock.reference,
            clock.notified_on,
            clock.due_on,
            working_days_left(today, clock.due_on),
        )
        total = self._settings.reminders.rapid_review_working_days
        return rapid_review_card(view, message_id=message.id, working_days_total=total)

    async def meeting(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        meeting_id = subject_id(message.subject, "meeting")
        meeting = await meetings.meeting_by_id(session, meeting_id) if meeting_id else None
        if meeting is None or meeting.cancelled or now >= meeting.starts_at:
            return None
        if not is_for_start(message.occurrence, meeting.starts_at):
            return None  # moved: the reminder for the new time is its own row
        start = meeting.starts_at.astimezone(self._zone)
        if message.kind == Kind.MEETING_MORNING:
            headline = f"Today at {start:%H:%M}"
        else:
            headline = f"Reminder: {days_away(local_date(now, self._zone), start.date())}"
        event = EventReminder(
            headline=headline,
            title=meeting.title,
            subtitle=meeting.group_name if meeting.group_name != meeting.title else "",
            when=f"{when_text(meeting.starts_at, meeting.ends_at, self._zone)} ({TIME_ZONE_NOTE})",
            how=meeting.mode.label,
            where=where_text(meeting.mode, meeting.venue),
            join_url=meeting.online_url if meeting.mode.has_link else "",
            calendar_url=self._calendar_url(
                MEETING_LINK, meeting.id, meeting.ends_at, now, message.person_id
            ),
            open_verb=Verb.MEETING_OPEN,
            open_data={"meeting_id": meeting.id},
            notes=(meeting.notes,) if meeting.notes else (),
        )
        return event_reminder_card(event, message_id=message.id)

    async def training_session(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        session_id = subject_id(message.subject, "session")
        facts = await training.session_facts(session, session_id) if session_id else None
        if facts is None or facts.cancelled or now >= facts.starts_at:
            return None
        if not is_for_start(message.occurrence, facts.starts_at) or message.person_id is None:
            return None
        statuses = await training.statuses_for(session, message.person_id, [facts.id])
        status = statuses.get(facts.id)
        if status is None or status not in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
            return None  # they cancelled, or are still on the waiting list
        today = local_date(now, self._zone)
        day = local_date(facts.starts_at, self._zone)
        joining = message.kind == Kind.JOINING_INSTRUCTIONS
        event = EventReminder(
            headline="Joining instructions"
            if joining
            else f"Your training {days_away(today, day)}",
            title=facts.course_title,
            subtitle=f"Course {facts.course_code}",
            when=f"{when_text(facts.starts_at, facts.ends_at, self._zone)} ({TIME_ZONE_NOTE})",
            how=facts.mode.label,
            where=where_text(facts.mode, facts.venue),
            join_url=facts.online_url if joining and facts.mode.has_link else "",
            calendar_url=self._calendar_url(
                SESSION_LINK, facts.id, facts.ends_at, now, message.person_id
            ),
            open_verb=Verb.COURSE_OPEN,
            open_data={"course_id": facts.course_id},
            notes=self._joining_notes(facts.mode.has_link, day, today) if joining else (),
        )
        return event_reminder_card(event, message_id=message.id)

    async def waiting_list_place(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        """The place that came free, if it is still this person's from that promotion and the
        session is still to come."""
        booking_id = subject_id(message.subject, "booking")
        promotion = await training.promotion_of(session, booking_id) if booking_id else None
        if promotion is None or promotion.person_id != message.person_id:
            return None  # they cancelled (or the booking is gone)
        if promotion_key(promotion.promoted_at) != message.occurrence.split("/snoozed-", 1)[0]:
            return None  # promoted again since: that promotion has its own row
        facts = promotion.session
        if facts.cancelled or now >= facts.starts_at:
            return None
        view = SessionView(
            facts,
            session_choice(facts, BookingStatus.BOOKED, now, self._booking_rules, self._zone),
            calendar_url=self._calendar_url(
                SESSION_LINK, facts.id, facts.ends_at, now, message.person_id
            ),
            promoted=True,
        )
        return place_offered_card(view, self._zone, self._booking_rules)

    async def session_changed(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        """A session this person is on moved, was cancelled or is back on. None when that is no
        longer news: changed again since (the newer notice says so), over, or the person left
        the session or joined it after the change."""
        session_id = subject_id(message.subject, "session")
        notice = ChangeNotice.of(message.payload)
        if session_id is None or notice is None or message.person_id is None:
            return None
        facts = await training.session_facts(session, session_id)
        if facts is None:
            return None
        current = SessionTimes(facts.starts_at, facts.ends_at, facts.cancelled)
        if not is_still_news(notice, current, now):
            return None
        place = await session_changes.place_on(session, facts.id, message.person_id)
        if place is None or place.queued_at > notice.changed_at:
            return None  # they cancelled, or booked knowing the new time
        view = SessionView(
            facts,
            session_choice(facts, place.status, now, self._booking_rules, self._zone),
            position=place.position,
            calendar_url=self._calendar_url(
                SESSION_LINK, facts.id, facts.ends_at, now, message.person_id
            ),
        )
        return session_changed_card(
            ChangeView(notice.change, notice.known, view), self._zone, self._booking_rules
        )

    def _joining_notes(self, online: bool, day: date, today: date) -> tuple[str, ...]:
        notes = []
        if online:
            notes.append(
                "Join from a private space with your camera on; sessions are not recorded."
            )
        else:
            notes.append("Please arrive ten minutes before the start.")
        free_until = add_working_days(day, -self._settings.free_cancellation_working_days)
        if free_until >= today:
            notes.append(f"If you can't come, cancel by {format_day(free_until)} at no charge.")
        else:
            notes.append("If you can't come, please cancel now so someone else can go.")
        return tuple(notes)

    # -- actions ----------------------------------------------------------------------------------

    async def action(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        """A single action nudge, with the update form; None once the action no longer calls for
        it (updated, completed, given a new date) so the planned nudge is cancelled."""
        kind, _, reference = message.subject.partition(":")
        if kind != "action" or not reference or message.person_id is None:
            return None
        detail = await action_store.action_detail(session, reference)
        today = local_date(now, self._zone)
        if detail is None or not still_applies(
            detail.summary, message.kind, message.person_id, today, self._rules
        ):
            return None
        return action_reminder_card(message.kind, detail, today, message_id=message.id)

    def _line(self, item: ActionSummary, today: date) -> ActionLine:
        drift = drift_words(drift_of(item.facts, today, self._thresholds)) or (
            f"due {format_day(effective_due(item.facts))}"
        )
        overdue = is_open(item.facts) and today > effective_due(item.facts)
        colour = "Attention" if overdue else "Warning"
        return ActionLine(
            item.reference, item.text, item.lead_name, drift[:1].upper() + drift[1:], colour
        )

    async def personal_digest(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        """Every action for which this person would have had a single nudge today."""
        person, today = message.person_id, local_date(now, self._zone)
        if person is None:
            return None

        def nudged(item: ActionSummary) -> bool:
            planned = plan_action(item, today, self._rules)
            return any(r.recipient_id == person and r.kind in DIGESTIBLE for r in planned)

        items = [
            item
            for item in await action_store.actions_led_or_chaired_by(session, person)
            if nudged(item)
        ]
        if not items:
            return None
        name = first_name(await reminders.name_of(session, person))
        lines = [self._line(item, today) for item in items]
        return personal_digest_card(name, lines, week_of=today, message_id=message.id)

    async def chair_digest(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        """The drift in the groups this person chairs, group by group."""
        person, today = message.person_id, local_date(now, self._zone)
        if person is None:
            return None
        by_group: dict[str, list[ActionLine]] = {}
        for item in await action_store.actions_led_or_chaired_by(session, person):
            if (
                item.chair_id == person
                and is_open(item.facts)
                and needs_attention(item.facts, today, self._rules)
            ):
                by_group.setdefault(item.group_name, []).append(self._line(item, today))
        if not by_group:
            return None
        sections = [GroupSection(name, lines) for name, lines in sorted(by_group.items())]
        name = first_name(await reminders.name_of(session, person))
        return chair_digest_card(name, sections, week_of=today, message_id=message.id)

    async def exception_report(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        """The month's drift across the partnership, for the business team."""
        today = local_date(now, self._zone)
        everything = await action_store.list_actions(session)
        open_ = [a for a in everything if is_open(a.facts)]
        overdue = [a for a in open_ if today > effective_due(a.facts)]
        stale = [
            a
            for a in open_
            if today <= effective_due(a.facts) and is_stale(a.facts, today, self._rules.stale_days)
        ]
        awaiting = [a for a in everything if impact_missing(a.facts)]
        since = now - timedelta(days=31)
        report = ExceptionReport(
            month=today,
            open_count=len(open_),
            overdue=[self._line(a, today) for a in overdue],
            stale=[self._line(a, today) for a in stale],
            impact_missing=[self._line(a, today) for a in awaiting],
            unreachable_people=await outbox.unreachable_people(session, since),
        )
        return exception_report_card(report, message_id=message.id)


def register(renderers: Renderers, settings: Settings) -> None:
    found = ReminderRenderers(settings)
    for kind in (
        Kind.ACTION_DUE_SOON,
        Kind.ACTION_OVERDUE,
        Kind.ACTION_STALE,
        Kind.IMPACT_AWAITED,
        Kind.ESCALATION,
    ):
        renderers.register(kind, found.action)
    renderers.register(Kind.PERSONAL_DIGEST, found.personal_digest)
    renderers.register(Kind.CHAIR_DIGEST, found.chair_digest)
    renderers.register(Kind.EXCEPTION_REPORT, found.exception_report)
    renderers.register(Kind.RAPID_REVIEW, found.rapid_review)
    renderers.register(Kind.MEETING, found.meeting)
    renderers.register(Kind.MEETING_MORNING, found.meeting)
    renderers.register(Kind.TRAINING, found.training_session)
    renderers.register(Kind.JOINING_INSTRUCTIONS, found.training_session)
    renderers.register(Kind.WAITING_LIST_PLACE, found.waiting_list_place)
    renderers.register(Kind.SESSION_CHANGED, found.session_changed)
