"""Queries and writes about announcements: drafts, audiences, the fan-out of a send,
acknowledgements and the report.

Plain persistence: every function takes an `AsyncSession` and the caller owns the unit of work.
What may happen to an announcement, when, by whom, and what the audit says is decided in
`usecases.broadcasts`, the one place that moves an announcement from state to state. The fan-out
is idempotent per send (rows are keyed by kind, announcement, recipient and send), so a send
interrupted by a crash can be queued again and adds only what is missing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.audience import (
    Audience,
    AudienceDefinition,
    AudienceNames,
    AudienceOptions,
    Candidate,
    Choice,
    resolve,
)
from domain.broadcasts import (
    LIVE,
    AnnouncementCopy,
    Content,
    Delivery,
    Draft,
    LinkedCourse,
    ReportCounts,
    Status,
)
from domain.training import BookingStatus
from storage import outbox, training
from storage.db import insert_ignoring_duplicates
from storage.models import (
    Agency,
    Announcement,
    AnnouncementAck,
    AnnouncementRecipient,
    Booking,
    ConversationRef,
    Course,
    CourseSession,
    Enrolment,
    Group,
    Membership,
    Person,
)
from storage.models.outbox import OutboxMessage

ENTITY = "announcement"
KIND = "announcement"
ACK_REMINDER_KIND = "announcement_ack_reminder"


async def audience_options(session: AsyncSession) -> AudienceOptions:
    """What a new audience may be chosen from: the groups, agencies and courses in use."""
    groups = await session.execute(
        select(Group.id, Group.name).where(Group.active.is_(True)).order_by(Group.name)
    )
    agencies = await session.execute(
        select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
    )
    return AudienceOptions(
        groups=tuple(Choice(i, n) for i, n in groups),
        agencies=tuple(Choice(i, n) for i, n in agencies),
        courses=tuple(await course_choices(session)),
    )


async def audience_names(session: AsyncSession) -> AudienceNames:
    """The name of every group, agency and course, retired ones too: an announcement already
    addressed to one still says whom it was for."""
    groups = await session.execute(select(Group.id, Group.name))
    agencies = await session.execute(select(Agency.id, Agency.name))
    courses = await session.execute(select(Course.id, Course.title))
    return AudienceNames(
        groups={i: n for i, n in groups},
        agencies={i: n for i, n in agencies},
        courses={i: n for i, n in courses},
    )


async def linked_course(
    session: AsyncSession, course_id: int | None, now: datetime
) -> LinkedCourse | None:
    if course_id is None:
        return None
    course = await training.course_by_id(session, course_id)
    if course is None:
        return None
    upcoming = await training.sessions_of_course(session, course_id, now)
    return LinkedCourse(course, tuple(s for s in upcoming if not s.cancelled and s.starts_at > now))


async def course_choices(session: AsyncSession) -> list[Choice]:
    """Training courses an announcement can carry or be addressed to."""
    return [Choice(c.id, c.title) for c in await training.active_courses(session)]


# -- audience --------------------------------------------------------------------------------------


def _reachable_clause() -> Any:
    return (
        exists()
        .where(
            ConversationRef.person_id == Person.id,
            ConversationRef.conversation_type == "personal",
            ConversationRef.active.is_(True),
        )
        .correlate(Person)
    )


async def audience_candidates(session: AsyncSession) -> list[Candidate]:
    """Every person with the facts audience resolution needs, in one statement.

    One row per person and membership (and per booking), tagged, so that the union of parts is
    decided in `domain.audience` rather than in SQL.
    """
    person_columns = (
        Person.id,
        Person.agency_id,
        Person.active,
        Person.is_guest,
        Person.is_champion,
        _reachable_clause().label("reachable"),
    )
    memberships = select(
        *person_columns, literal("group").label("tag"), Membership.group_id.label("ref")
    ).join(Membership, Membership.person_id == Person.id, isouter=True)
    statement = union_all(memberships, *_booking_selects(person_columns))
    facts: dict[int, tuple[int, bool, bool, bool, bool]] = {}
    links: dict[str, dict[int, set[int]]] = {"group": {}, "course": {}}
    for person_id, agency_id, active, guest, champion, reachable, tag, ref in await session.execute(
        statement
    ):
        facts[person_id] = (agency_id, bool(active), bool(guest), bool(champion), bool(reachable))
        if ref is not None:
            links[tag].setdefault(person_id, set()).add(ref)
    # Most people have few links and many none: share one empty set rather than build one each
    # (an audience of everyone is resolved from tens of thousands of rows).
    none: frozenset[int] = frozenset()
    groups, courses = links["group"], links["course"]
    return [
        Candidate(
            person_id,
            agency_id,
            active,
            guest,
            champion,
            reachable,
            frozenset(groups[person_id]) if person_id in groups else none,
            frozenset(courses[person_id]) if person_id in courses else none,
        )
        for person_id, (agency_id, active, guest, champion, reachable) in facts.items()
    ]


def _booking_selects(person_columns: tuple[Any, ...]) -> list[Any]:
    """People on a course, tagged 'course': booked or waiting on a session that is not
    cancelled, or enrolled on an e-learning course."""
    booked = (
        select(*person_columns, literal("course").label("tag"), CourseSession.course_id)
        .join(Booking, Booking.person_id == Person.id)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .where(
            Booking.status.in_([BookingStatus.BOOKED.value, BookingStatus.WAITING.value]),
            CourseSession.cancelled.is_(False),
        )
    )
    enrolled = select(*person_columns, literal("course").label("tag"), Enrolment.course_id).join(
        Enrolment, Enrolment.person_id == Person.id
    )
    return [booked, enrolled]


async def resolve_audience(session: AsyncSession, definition: AudienceDefinition) -> Audience:
    if definition.is_empty:
        return Audience()
    return resolve(definition, await audience_candidates(session))


# -- drafts ----------------------------------------------------------------------------------------


async def get(session: AsyncSession, announcement_id: int) -> Announcement | None:
    return await session.get(Announcement, announcement_id)


async def statuses(session: AsyncSession, announcement_ids: Iterable[int]) -> dict[int, str]:
    """The status of each announcement that still exists."""
    rows = await session.execute(
        select(Announcement.id, Announcement.status).where(
            Announcement.id.in_(sorted(set(announcement_ids)))
        )
    )
    return dict(rows.tuples().all())


async def get_for_update(session: AsyncSession, announcement_id: int) -> Announcement | None:
    """The announcement, locked against a concurrent send or cancel (PostgreSQL row lock)."""
    return await session.scalar(
        select(Announcement).where(Announcement.id == announcement_id).with_for_update()
    )


def apply_draft(announcement: Announcement, draft: Draft) -> None:
    content = draft.content
    announcement.title = content.title
    announcement.body = content.body
    announcement.image_url = content.image_url
    announcement.link_title = content.link_title
    announcement.link_url = content.link_url
    announcement.course_id = draft.course_id
    announcement.audience = draft.audience.as_json()
    announcement.ack_reminder_working_days = draft.ack_reminder_working_days


def draft_of(announcement: Announcement) -> Draft:
    return Draft(
        content=Content(
            title=announcement.title,
            body=announcement.body,
            image_url=announcement.image_url,
            link_title=announcement.link_title,
            link_url=announcement.link_url,
        ),
        audience=AudienceDefinition.from_json(announcement.audience),
        course_id=announcement.course_id,
        ack_reminder_working_days=announcement.ack_reminder_working_days,
    )


async def copy_of(
    session: AsyncSession, announcement: Announcement, now: datetime
) -> AnnouncementCopy:
    """What a recipient's copy shows now (the linked course's sessions still to come)."""
    return AnnouncementCopy(
        announcement.id,
        draft_of(announcement).content,
        announcement.started_at,
        await linked_course(session, announcement.course_id, now),
    )


async def insert_announcement(
    session: AsyncSession,
    draft: Draft,
    *,
    status: Status,
    author_id: int,
    author_user_id: str,
    now: datetime,
) -> Announcement:
    announcement = Announcement(
        author_id=author_id,
        author_user_id=author_user_id,
        status=status,
        created_at=now,
        updated_at=now,
    )
    apply_draft(announcement, draft)
    session.add(announcement)
    await session.flush()
    return announcement


def note_screening(announcement: Announcement, person_id: int | None, at: datetime) -> None:
    """Who confirmed that what identifier screening found is not personal data, and when."""
    announcement.screening_confirmed_by = person_id
    announcement.screening_confirmed_at = at


async def delete(session: AsyncSession, announcement: Announcement) -> None:
    await session.delete(announcement)
    await session.flush()


@dataclass(frozen=True)
class Listed:
    id: int
    title: str
    status: str
    scheduled_for: datetime | None
    started_at: datetime | None
    updated_at: datetime


async def recent(session: AsyncSession, limit: int = 15) -> list[Listed]:
    """Drafts, scheduled and recent sends, newest first; a cancelled draft-like row included."""
    rows = await session.execute(
        select(
            Announcement.id,
            Announcement.title,
            Announcement.status,
            Announcement.scheduled_for,
            Announcement.started_at,
            Announcement.updated_at,
        )
        .order_by(Announcement.updated_at.desc(), Announcement.id.desc())
        .limit(limit)
    )
    return [Listed(*row) for row in rows]


# -- the fan-out of a send -------------------------------------------------------------------------


async def freeze_recipients(
    session: AsyncSession, announcement_id: int, audience: Audience, send_number: int
) -> int:
    """Record who this send is for; a person already recorded keeps their row (idempotent)."""
    if not audience.person_ids:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        await _freeze_as_arrays(session, announcement_id, audience, send_number)
        return audience.count
    rows = [
        {
            "announcement_id": announcement_id,
            "person_id": person_id,
            "reachable": person_id in audience.reachable_ids,
            "send_number": send_number,
        }
        for person_id in audience.person_ids
    ]
    await insert_ignoring_duplicates(
        session, AnnouncementRecipient, rows, ["announcement_id", "person_id"]
    )
    return len(rows)


async def _freeze_as_arrays(
    session: AsyncSession, announcement_id: int, audience: Audience, send_number: int
) -> None:
    """PostgreSQL: the audience as two arrays, unnested by the server into rows (an audience of
    everyone is tens of thousands of rows: one statement, no per-row parameters)."""
    people = list(audience.person_ids)
    reachable = [person_id in audience.reachable_ids for person_id in people]
    recipients = (
        func.unnest(
            bindparam("people", people, type_=postgresql.ARRAY(Integer)),
            bindparam("reachable", reachable, type_=postgresql.ARRAY(Boolean)),
        )
        .table_valued("person_id", "reachable")
        .render_derived(name="recipients")
    )
    rows = select(
        literal(announcement_id),
        recipients.c.person_id,
        recipients.c.reachable,
        literal(send_number),
    )
    table = AnnouncementRecipient.metadata.tables[AnnouncementRecipient.__tablename__]
    await session.execute(
        postgresql.insert(table)
        .from_select(["announcement_id", "person_id", "reachable", "send_number"], rows)
        .on_conflict_do_nothing(index_elements=["announcement_id", "person_id"])
    )


async def queue_first_send(
    session: AsyncSession, announcement_id: int, audience: Audience, now: datetime
) -> int:
    """Freeze the audience and queue one outbox row per recipient (send 1); returns how many
    rows were new. Run again after a crash, it adds only what is missing."""
    await freeze_recipients(session, announcement_id, audience, 1)
    return await outbox.enqueue_for_people(
        session,
        select(AnnouncementRecipient.person_id).where(
            AnnouncementRecipient.announcement_id == announcement_id
        ),
        kind=KIND,
        subject=subject_of(announcement_id),
        occurrence=occurrence_of(1),
        not_before=now,
        payload=_payload(announcement_id, 1),
    )


def subject_of(announcement_id: int) -> str:
    return f"{ENTITY}:{announcement_id}"


def occurrence_of(send_number: int) -> str:
    return f"send:{send_number}"


def _payload(announcement_id: int, send_number: int) -> dict[str, int]:
    return {"announcement_id": announcement_id, "send_number": send_number}


def _messages(
    announcement_id: int, send_number: int, person_ids: Sequence[int], now: datetime
) -> Iterator[outbox.NewMessage]:
    subject = subject_of(announcement_id)
    occurrence = occurrence_of(send_number)
    payload = _payload(announcement_id, send_number)
    for person_id in person_ids:
        yield outbox.NewMessage.to_person(KIND, subject, person_id, occurrence, now, payload)


async def due_scheduled(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.scalars(
        select(Announcement.id)
        .where(Announcement.status == Status.SCHEDULED, Announcement.scheduled_for <= now)
        .order_by(Announcement.scheduled_for, Announcement.id)
    )
    return list(rows)


async def queue_resend(
    session: AsyncSession,
    announcement_id: int,
    person_ids: Sequence[int],
    send_number: int,
    now: datetime,
) -> None:
    """Another send for these recipients only: their rows move to the new send number, and one
    outbox row each is queued for it."""
    for start in range(0, len(person_ids), 500):
        await session.execute(
            update(AnnouncementRecipient)
            .where(
                AnnouncementRecipient.announcement_id == announcement_id,
                AnnouncementRecipient.person_id.in_(person_ids[start : start + 500]),
            )
            .values(send_number=send_number)
            .execution_options(synchronize_session=False)
        )
    await outbox.enqueue(session, _messages(announcement_id, send_number, person_ids, now))


async def failed_recipients(session: AsyncSession, announcement: Announcement) -> list[int]:
    """The people whose copy failed in the send that last tried them."""
    return [
        row.person_id
        for row in await recipient_rows(session, announcement)
        if row.delivery == Delivery.FAILED
    ]


async def cancel_queued(session: AsyncSession, announcement_id: int) -> int:
    """Cancel the copies not yet sent (and pending "Got it" reminders); returns how many copies
    will not be sent, counting those a dispatcher has claimed (they render as nothing)."""
    in_flight = await _waiting(session, announcement_id, [outbox.SENDING])
    return in_flight + await outbox.cancel_pending(
        session,
        subject=subject_of(announcement_id),
        kinds=[KIND, ACK_REMINDER_KIND],
        reason="announcement_cancelled",
    )


async def waiting(session: AsyncSession, announcement_id: int) -> int:
    """Copies not yet settled: pending, or claimed and in flight."""
    return await _waiting(session, announcement_id, [outbox.PENDING, outbox.SENDING])


async def last_sent_at(session: AsyncSession, announcement_id: int) -> datetime | None:
    return await session.scalar(
        select(func.max(OutboxMessage.sent_at)).where(
            OutboxMessage.kind == KIND, OutboxMessage.subject == subject_of(announcement_id)
        )
    )


async def _waiting(session: AsyncSession, announcement_id: int, statuses: list[str]) -> int:
    """Copies of the announcement in these outbox states (pending, or claimed and in flight)."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.kind == KIND,
                OutboxMessage.subject == subject_of(announcement_id),
                OutboxMessage.status.in_(statuses),
            )
        )
        or 0
    )


async def sending_ids(session: AsyncSession) -> list[int]:
    return list(
        await session.scalars(select(Announcement.id).where(Announcement.status == Status.SENDING))
    )


# -- the report ------------------------------------------------------------------------------------

_DELIVERY = {
    outbox.PENDING: Delivery.PENDING,
    outbox.SENDING: Delivery.PENDING,
    outbox.SENT: Delivery.SENT,
    outbox.FAILED: Delivery.FAILED,
    outbox.UNREACHABLE: Delivery.UNREACHABLE,
    outbox.CANCELLED: Delivery.CANCELLED,
}


def delivery_of(outbox_status: str | None) -> Delivery:
    return _DELIVERY.get(outbox_status or "", Delivery.PENDING)


def _recipient_join(announcement_id: int) -> Any:
    """Recipients, each with the outbox row of the send that last tried them, and their ack."""
    recipient_key = literal(outbox.PERSON_PREFIX) + cast(AnnouncementRecipient.person_id, String)
    occurrence = literal("send:") + cast(AnnouncementRecipient.send_number, String)
    return (
        select(AnnouncementRecipient)
        .join(
            OutboxMessage,
            and_(
                OutboxMessage.kind == KIND,
                OutboxMessage.subject == subject_of(announcement_id),
                OutboxMessage.recipient == recipient_key,
                OutboxMessage.occurrence == occurrence,
            ),
            isouter=True,
        )
        .join(
            AnnouncementAck,
            and_(
                AnnouncementAck.announcement_id == AnnouncementRecipient.announcement_id,
                AnnouncementAck.person_id == AnnouncementRecipient.person_id,
            ),
            isouter=True,
        )
        .where(AnnouncementRecipient.announcement_id == announcement_id)
    )


async def report_counts(session: AsyncSession, announcement: Announcement) -> ReportCounts:
    statement = (
        _recipient_join(announcement.id)
        .with_only_columns(
            OutboxMessage.status,
            OutboxMessage.last_error,
            func.count(),
            func.count(AnnouncementAck.id),
        )
        .group_by(OutboxMessage.status, OutboxMessage.last_error)
    )
    tally: dict[Delivery, int] = defaultdict(int)
    reasons: Counter[str] = Counter()
    acknowledged = installing = 0
    for status, error, count, acks in await session.execute(statement):
        delivery = delivery_of(status)
        tally[delivery] += count
        acknowledged += acks
        if delivery == Delivery.PENDING and error == outbox.INSTALLING:
            installing += count
        elif delivery in (Delivery.FAILED, Delivery.UNREACHABLE):
            reasons[error or "unknown"] += count
    ordered = tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    return replace(ReportCounts.of(tally, acknowledged), installing=installing, reasons=ordered)


@dataclass(frozen=True)
class RecipientRow:
    """One line of the export: who, where their copy stands, when it was sent and acknowledged."""

    person_id: int
    name: str
    email: str
    agency: str
    delivery: Delivery
    sent_at: datetime | None
    acknowledged_at: datetime | None
    send_number: int
    error: str


def _recipient_rows_statement(announcement_id: int) -> Select[Any]:
    """Every recipient of an announcement with what the report shows of them, by name."""
    return (
        _recipient_join(announcement_id)
        .join(Person, Person.id == AnnouncementRecipient.person_id)
        .join(Agency, Agency.id == Person.agency_id)
        .with_only_columns(
            Person.id,
            Person.name,
            Person.email,
            Agency.name,
            OutboxMessage.status,
            OutboxMessage.sent_at,
            AnnouncementAck.acknowledged_at,
            AnnouncementRecipient.send_number,
            OutboxMessage.last_error,
        )
        .order_by(Person.name, Person.id)
    )


async def _recipient_rows_of(session: AsyncSession, statement: Select[Any]) -> list[RecipientRow]:
    return [
        RecipientRow(
            pid, name, email, agency, delivery_of(state), sent_at, acked, number, error or ""
        )
        for pid, name, email, agency, state, sent_at, acked, number, error in (
            await session.execute(statement)
        )
    ]


async def recipient_rows(session: AsyncSession, announcement: Announcement) -> list[RecipientRow]:
    return await _recipient_rows_of(session, _recipient_rows_statement(announcement.id))


# The report's filters (the desk): a delivery, or whether a sent copy was acknowledged.
REPORT_FILTERS = (
    "pending",
    "sent",
    "failed",
    "unreachable",
    "cancelled",
    "acknowledged",
    "not_acknowledged",
)


def _report_filter(status: str) -> Any:
    """The condition on the recipient join for one of REPORT_FILTERS ('' for everyone)."""
    if status == "pending":
        return OutboxMessage.status.is_(None) | OutboxMessage.status.in_(
            [outbox.PENDING, outbox.SENDING]
        )
    if status == "acknowledged":
        return AnnouncementAck.id.is_not(None)
    if status == "not_acknowledged":
        return (OutboxMessage.status == outbox.SENT) & AnnouncementAck.id.is_(None)
    if status in ("sent", "failed", "unreachable", "cancelled"):
        return OutboxMessage.status == status
    return literal(True)


@dataclass(frozen=True)
class RecipientPage:
    rows: list[RecipientRow]
    total: int


async def recipient_page(
    session: AsyncSession,
    announcement_id: int,
    *,
    status: str,
    offset: int,
    limit: int,
    total: int | None = None,
) -> RecipientPage:
    """One page of the report's recipients by name, filtered in the database, with how many
    match the filter (counted here unless the caller knows it from the report's counts).

    The page's recipients are chosen first (joined to their outbox rows only when the filter
    is about them), and only that page's rows are then joined to everything the report shows:
    the first page of a 10,000-person report reads 50 outbox rows, not 10,000."""
    condition = _report_filter(status)
    if total is None:
        total = await session.scalar(
            _recipient_join(announcement_id).with_only_columns(func.count()).where(condition)
        )
    chosen = (
        _recipient_join(announcement_id)
        if status
        else select(AnnouncementRecipient).where(
            AnnouncementRecipient.announcement_id == announcement_id
        )
    )
    page_ids = (
        chosen.join(Person, Person.id == AnnouncementRecipient.person_id)
        .with_only_columns(AnnouncementRecipient.id)
        .where(condition)
        .order_by(Person.name, Person.id)
        .offset(offset)
        .limit(limit)
        .scalar_subquery()
    )
    statement = _recipient_rows_statement(announcement_id).where(
        AnnouncementRecipient.id.in_(page_ids)
    )
    rows = await _recipient_rows_of(session, statement)
    return RecipientPage(rows, total or 0)


async def status_counts(session: AsyncSession) -> dict[str, int]:
    """How many announcements are in each state."""
    rows = await session.execute(
        select(Announcement.status, func.count()).group_by(Announcement.status)
    )
    return {str(status): int(count) for status, count in rows}


async def listed_in(session: AsyncSession, status: str, limit: int) -> list[Listed]:
    """The announcements in one state, newest first."""
    rows = await session.execute(
        select(
            Announcement.id,
            Announcement.title,
            Announcement.status,
            Announcement.scheduled_for,
            Announcement.started_at,
            Announcement.updated_at,
        )
        .where(Announcement.status == status)
        .order_by(Announcement.updated_at.desc(), Announcement.id.desc())
        .limit(limit)
    )
    return [Listed(*row) for row in rows]


@dataclass(frozen=True)
class AckCandidate:
    """A recipient sent an announcement that asks for a reminder, who has not acknowledged it and
    has not been reminded yet."""

    announcement_id: int
    working_days: int
    person_id: int
    sent_at: datetime


async def ack_reminder_candidates(session: AsyncSession) -> list[AckCandidate]:
    sent = aliased(OutboxMessage)
    reminded = aliased(OutboxMessage)
    subject = literal(f"{ENTITY}:") + cast(Announcement.id, String)
    recipient_key = literal(outbox.PERSON_PREFIX) + cast(AnnouncementRecipient.person_id, String)
    statement = (
        select(
            Announcement.id,
            Announcement.ack_reminder_working_days,
            AnnouncementRecipient.person_id,
            sent.sent_at,
        )
        .join(AnnouncementRecipient, AnnouncementRecipient.announcement_id == Announcement.id)
        .join(
            sent,
            and_(
                sent.kind == KIND,
                sent.subject == subject,
                sent.recipient == recipient_key,
                sent.occurrence
                == literal("send:") + cast(AnnouncementRecipient.send_number, String),
                sent.status == outbox.SENT,
            ),
        )
        .join(
            AnnouncementAck,
            and_(
                AnnouncementAck.announcement_id == Announcement.id,
                AnnouncementAck.person_id == AnnouncementRecipient.person_id,
            ),
            isouter=True,
        )
        .join(
            reminded,
            and_(
                reminded.kind == ACK_REMINDER_KIND,
                reminded.subject == subject,
                reminded.recipient == recipient_key,
            ),
            isouter=True,
        )
        .where(
            Announcement.ack_reminder_working_days.is_not(None),
            Announcement.status.in_(sorted(LIVE)),
            AnnouncementAck.id.is_(None),
            reminded.id.is_(None),
        )
    )
    return [AckCandidate(*row) for row in await session.execute(statement)]


def ack_reminder_message(candidate: AckCandidate, not_before: datetime) -> outbox.NewMessage:
    return outbox.NewMessage.to_person(
        ACK_REMINDER_KIND,
        subject_of(candidate.announcement_id),
        candidate.person_id,
        "ack-reminder",
        not_before,
        {"announcement_id": candidate.announcement_id},
    )


# -- acknowledgements ------------------------------------------------------------------------------


async def acknowledge(
    session: AsyncSession, announcement_id: int, person_id: int, now: datetime
) -> datetime:
    """Record a "Got it" once; returns when this person first acknowledged."""
    await insert_ignoring_duplicates(
        session,
        AnnouncementAck,
        [{"announcement_id": announcement_id, "person_id": person_id, "acknowledged_at": now}],
        ["announcement_id", "person_id"],
    )
    first = await acknowledged_at(session, announcement_id, person_id)
    assert first is not None
    return first


async def acknowledged_at(
    session: AsyncSession, announcement_id: int, person_id: int
) -> datetime | None:
    return await session.scalar(
        select(AnnouncementAck.acknowledged_at).where(
            AnnouncementAck.announcement_id == announcement_id,
            AnnouncementAck.person_id == person_id,
        )
    )


async def acknowledged_people(
    session: AsyncSession, announcement_id: int, person_ids: Iterable[int]
) -> set[int]:
    """Which of these people have clicked "Got it" on the announcement."""
    ids = sorted(set(person_ids))
    found: set[int] = set()
    for start in range(0, len(ids), outbox.ID_CHUNK):
        found.update(
            await session.scalars(
                select(AnnouncementAck.person_id).where(
                    AnnouncementAck.announcement_id == announcement_id,
                    AnnouncementAck.person_id.in_(ids[start : start + outbox.ID_CHUNK]),
                )
            )
        )
    return found


async def is_recipient(session: AsyncSession, announcement_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(AnnouncementRecipient.id).where(
            and_(
                AnnouncementRecipient.announcement_id == announcement_id,
                AnnouncementRecipient.person_id == person_id,
            )
        )
    )
    return found is not None
