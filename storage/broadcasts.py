"""Queries about announcements: drafts, audiences, sends, acknowledgements and the report.

Every function takes an `AsyncSession`; the caller owns the unit of work
(`async with sessions() as session, session.begin():`). Sending is split so that each step is one
transaction and can be repeated safely: `start_send` freezes the audience and queues one outbox row
per recipient; the dispatcher sends them; `finish_if_done` closes the send.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
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
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.audience import (
    Audience,
    AudienceDefinition,
    AudienceOptions,
    Candidate,
    Choice,
    resolve,
)
from domain.broadcasts import Content, Delivery, Draft, ReportCounts, Status
from domain.training import BookingStatus, CourseFacts, SessionFacts
from storage import outbox, training
from storage.activity_log import record_audit
from storage.db import changed_rows
from storage.models import (
    Agency,
    Announcement,
    AnnouncementAck,
    AnnouncementRecipient,
    Booking,
    ConversationRef,
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


def _audit(
    session: AsyncSession,
    announcement: Announcement,
    person_id: int | None,
    event: str,
    changes: dict[str, tuple[object, object]] | None = None,
) -> None:
    """One announcement's audit rows (storage.activity_log.record_audit, keyed by its id)."""
    record_audit(
        session,
        person_id=person_id,
        entity=ENTITY,
        entity_id=str(announcement.id),
        event=event,
        changes=changes,
    )


async def audience_options(session: AsyncSession) -> AudienceOptions:
    groups = await session.execute(select(Group.id, Group.name).order_by(Group.name))
    agencies = await session.execute(select(Agency.id, Agency.name).order_by(Agency.name))
    return AudienceOptions(
        groups=tuple(Choice(i, n) for i, n in groups),
        agencies=tuple(Choice(i, n) for i, n in agencies),
        courses=tuple(await course_choices(session)),
    )


@dataclass(frozen=True)
class LinkedCourse:
    """The course an announcement carries, with its sessions still to come."""

    course: CourseFacts
    sessions: tuple[SessionFacts, ...] = ()


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


def _apply(announcement: Announcement, draft: Draft) -> None:
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


async def create_draft(
    session: AsyncSession,
    draft: Draft,
    *,
    author_id: int,
    author_user_id: str,
    now: datetime,
    screening_confirmed: bool = False,
) -> Announcement:
    announcement = Announcement(
        author_id=author_id,
        author_user_id=author_user_id,
        status=Status.DRAFT,
        created_at=now,
        updated_at=now,
    )
    _apply(announcement, draft)
    _note_screening(announcement, author_id, now, screening_confirmed)
    session.add(announcement)
    await session.flush()
    _audit(session, announcement, author_id, "created")
    _audit_screening(session, announcement, author_id, screening_confirmed)
    return announcement


async def update_draft(
    session: AsyncSession,
    announcement: Announcement,
    draft: Draft,
    *,
    editor_id: int,
    now: datetime,
    screening_confirmed: bool = False,
) -> None:
    before = draft_of(announcement)
    _apply(announcement, draft)
    announcement.updated_at = now
    _note_screening(announcement, editor_id, now, screening_confirmed)
    changes = {
        name: (getattr(before.content, name), getattr(draft.content, name))
        for name in ("title", "body", "image_url", "link_title", "link_url")
        if getattr(before.content, name) != getattr(draft.content, name)
    }
    if before.audience != draft.audience:
        changes["audience"] = (before.audience.as_json(), draft.audience.as_json())
    if before.course_id != draft.course_id:
        changes["course_id"] = (before.course_id, draft.course_id)
    if before.ack_reminder_working_days != draft.ack_reminder_working_days:
        changes["ack_reminder_working_days"] = (
            before.ack_reminder_working_days,
            draft.ack_reminder_working_days,
        )
    # Free text is audited by field name only; its words stay in the announcement itself.
    for name in ("title", "body", "link_title"):
        if name in changes:
            changes[name] = ("(text)", "(text changed)")
    if changes:
        _audit(
            session,
            announcement,
            editor_id,
            "edited",
            changes,
        )
    _audit_screening(session, announcement, editor_id, screening_confirmed)


def _note_screening(
    announcement: Announcement, person_id: int, now: datetime, confirmed: bool
) -> None:
    if confirmed:
        announcement.screening_confirmed_by = person_id
        announcement.screening_confirmed_at = now


def _audit_screening(
    session: AsyncSession, announcement: Announcement, person_id: int, confirmed: bool
) -> None:
    if confirmed:
        _audit(
            session,
            announcement,
            person_id,
            "screening_confirmed",
        )


async def duplicate(
    session: AsyncSession,
    original: Announcement,
    *,
    author_id: int,
    author_user_id: str,
    now: datetime,
) -> Announcement:
    """A new draft with the same content and audience; screening is not carried over."""
    draft = draft_of(original)
    title = draft.content.title
    copy_title = title if title.startswith("Copy of ") else f"Copy of {title}"
    content = Content(**{**draft.content.__dict__, "title": copy_title[:200]})
    copy = await create_draft(
        session,
        Draft(content, draft.audience, draft.course_id, draft.ack_reminder_working_days),
        author_id=author_id,
        author_user_id=author_user_id,
        now=now,
    )
    if original.screening_confirmed_at is not None:
        # The same words were already confirmed as not personal data by someone.
        copy.screening_confirmed_by = original.screening_confirmed_by
        copy.screening_confirmed_at = original.screening_confirmed_at
    return copy


async def delete_draft(
    session: AsyncSession, announcement: Announcement, *, person_id: int
) -> None:
    _audit(
        session,
        announcement,
        person_id,
        "deleted",
        {"title": ("(text)", None)},
    )
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


# -- scheduling, sending, cancelling ---------------------------------------------------------------


async def schedule(
    session: AsyncSession,
    announcement: Announcement,
    *,
    send_at: datetime,
    person_id: int,
    audience: Audience,
    now: datetime,
) -> None:
    """Mark the announcement to go out at `send_at`; `start_due_sends` starts it then."""
    announcement.status = Status.SCHEDULED
    announcement.scheduled_for = send_at
    announcement.updated_at = now
    _audit(
        session,
        announcement,
        person_id,
        "scheduled",
        {
            "audience": (None, announcement.audience),
            "people": (None, audience.count),
            "reachable": (None, audience.reachable),
            "scheduled_for": (None, send_at.isoformat()),
        },
    )


async def unschedule(
    session: AsyncSession, announcement: Announcement, *, person_id: int, now: datetime
) -> None:
    """Back to a draft: a scheduled announcement that has not started can be edited again."""
    _audit(
        session,
        announcement,
        person_id,
        "unscheduled",
        {"scheduled_for": (_iso(announcement.scheduled_for), None)},
    )
    announcement.status = Status.DRAFT
    announcement.scheduled_for = None
    announcement.updated_at = now


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def claim_for_sending(session: AsyncSession, announcement_id: int, now: datetime) -> bool:
    """Move a scheduled announcement to sending, once: true for the one caller that did it.

    The conditional UPDATE is the claim, so two instances starting due sends never both fan out.
    """
    result = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status == Status.SCHEDULED)
        .values(
            status=Status.SENDING,
            started_at=now,
            send_number=Announcement.send_number + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return changed_rows(result) == 1


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
    await session.execute(
        postgresql.insert(AnnouncementRecipient.__table__)
        .from_select(["announcement_id", "person_id", "reachable", "send_number"], rows)
        .on_conflict_do_nothing(index_elements=["announcement_id", "person_id"])
    )


async def insert_ignoring_duplicates(
    session: AsyncSession,
    model: type,
    rows: list[dict[str, Any]],
    keys: list[str],
    batch: int = 1000,
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, in batches, on PostgreSQL and SQLite alike."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # On the table, not the ORM class: compiled once and sent in batches ("insertmanyvalues");
    # an ORM insert with `.values(rows)` compiled a bind parameter per value.
    statement = insert(model.__table__).on_conflict_do_nothing(index_elements=keys)
    for start in range(0, len(rows), batch):
        await session.execute(statement, rows[start : start + batch])


async def start_send(
    session: AsyncSession,
    announcement: Announcement,
    audience: Audience,
    *,
    now: datetime,
    person_id: int | None,
) -> int:
    """Freeze the audience and queue one outbox row per recipient: the first send.

    Idempotent per send number (rows are keyed by kind, announcement, recipient and send), so a
    fan-out interrupted by a crash can be run again and adds only what is missing.
    """
    announcement.status = Status.SENDING
    announcement.send_number = 1
    announcement.started_at = now
    announcement.finished_at = None
    announcement.updated_at = now
    await freeze_recipients(session, announcement.id, audience, 1)
    queued = await outbox.enqueue_for_people(
        session,
        select(AnnouncementRecipient.person_id).where(
            AnnouncementRecipient.announcement_id == announcement.id
        ),
        kind=KIND,
        subject=subject_of(announcement.id),
        occurrence=occurrence_of(1),
        not_before=now,
        payload=_payload(announcement.id, 1),
    )
    _audit(
        session,
        announcement,
        person_id,
        "send_started",
        {
            "author_id": (None, announcement.author_id),
            "audience": (None, json.dumps(announcement.audience, sort_keys=True)),
            "people": (None, audience.count),
            "reachable": (None, audience.reachable),
            "left_out_guests": (None, audience.left_out_guests),
            "left_out_inactive": (None, audience.left_out_inactive),
            "scheduled_for": (None, _iso(announcement.scheduled_for)),
            "started_at": (None, now.isoformat()),
        },
    )
    if not audience.count:
        await finish_if_done(session, announcement, now=now)
    return queued


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


async def start_if_due(session: AsyncSession, announcement_id: int, now: datetime) -> int | None:
    """Start a scheduled send whose time has come; None when another instance already did.

    The row lock (PostgreSQL) or the write lock (SQLite) serialises instances; the status check
    after taking it is what makes the fan-out happen once.
    """
    announcement = await get_for_update(session, announcement_id)
    if (
        announcement is None
        or announcement.status != Status.SCHEDULED
        or announcement.scheduled_for is None
        or announcement.scheduled_for > now
    ):
        return None
    audience = await resolve_audience(session, AudienceDefinition.from_json(announcement.audience))
    await start_send(session, announcement, audience, now=now, person_id=None)
    return audience.count


async def cancel_send(
    session: AsyncSession, announcement: Announcement, *, person_id: int, now: datetime
) -> int:
    """Stop a running send: copies not yet sent are cancelled; returns how many."""
    previous = announcement.status
    announcement.status = Status.CANCELLED
    announcement.cancelled_at = now
    announcement.updated_at = now
    # Copies already claimed by a dispatcher are stopped when they render (as nothing).
    in_flight = await _waiting(session, announcement.id, [outbox.SENDING])
    stopped = in_flight + await outbox.cancel_pending(
        session,
        subject=subject_of(announcement.id),
        kinds=[KIND, ACK_REMINDER_KIND],
        reason="announcement_cancelled",
    )
    _audit(
        session,
        announcement,
        person_id,
        "send_cancelled",
        {
            "status": (previous, Status.CANCELLED),
            "not_sent": (None, stopped),
            "cancelled_at": (None, now.isoformat()),
        },
    )
    return stopped


async def resend_failed(
    session: AsyncSession, announcement: Announcement, *, now: datetime, person_id: int
) -> int:
    """A new send for the recipients whose copy failed, and for nobody else."""
    failed = [
        row.person_id
        for row in await recipient_rows(session, announcement)
        if row.delivery == Delivery.FAILED
    ]
    if not failed:
        return 0
    send_number = announcement.send_number + 1
    for start in range(0, len(failed), 500):
        await session.execute(
            update(AnnouncementRecipient)
            .where(
                AnnouncementRecipient.announcement_id == announcement.id,
                AnnouncementRecipient.person_id.in_(failed[start : start + 500]),
            )
            .values(send_number=send_number)
            .execution_options(synchronize_session=False)
        )
    await outbox.enqueue(session, _messages(announcement.id, send_number, failed, now))
    announcement.send_number = send_number
    announcement.status = Status.SENDING
    announcement.finished_at = None
    announcement.updated_at = now
    _audit(
        session,
        announcement,
        person_id,
        "resent_to_failed",
        {
            "send_number": (send_number - 1, send_number),
            "people": (None, len(failed)),
            "started_at": (None, now.isoformat()),
        },
    )
    return len(failed)


async def finish_if_done(
    session: AsyncSession, announcement: Announcement, *, now: datetime
) -> bool:
    """Close a send once nothing of it is waiting: status sent, finish time and counts audited."""
    if announcement.status != Status.SENDING:
        return False
    if await _waiting(session, announcement.id, [outbox.PENDING, outbox.SENDING]):
        return False
    last_sent = await session.scalar(
        select(func.max(OutboxMessage.sent_at)).where(
            OutboxMessage.kind == KIND, OutboxMessage.subject == subject_of(announcement.id)
        )
    )
    counts = await report_counts(session, announcement)
    announcement.status = Status.SENT
    finished_at = last_sent or now
    announcement.finished_at = finished_at
    announcement.updated_at = now
    _audit(
        session,
        announcement,
        None,
        "send_finished",
        {
            "recipients": (None, counts.recipients),
            "sent": (None, counts.sent),
            "failed": (None, counts.failed),
            "unreachable": (None, counts.unreachable),
            "finished_at": (None, finished_at.isoformat()),
        },
    )
    return True


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
            func.count(),
            func.count(AnnouncementAck.id),
        )
        .group_by(OutboxMessage.status)
    )
    tally: dict[Delivery, int] = defaultdict(int)
    acknowledged = 0
    for status, count, acks in await session.execute(statement):
        tally[delivery_of(status)] += count
        acknowledged += acks
    return ReportCounts.of(tally, acknowledged)


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


async def recipient_rows(session: AsyncSession, announcement: Announcement) -> list[RecipientRow]:
    statement = (
        _recipient_join(announcement.id)
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
    result = await session.execute(statement)
    return [
        RecipientRow(
            pid, name, email, agency, delivery_of(status), sent_at, acked, number, error or ""
        )
        for pid, name, email, agency, status, sent_at, acked, number, error in result
    ]


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
            Announcement.status.in_([Status.SENDING, Status.SENT]),
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
