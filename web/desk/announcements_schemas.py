"""The announcements part of the desk's API: its request and response models (pydantic), from
which the OpenAPI document describes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from web.desk.schemas import Out

AnnouncementStatus = Literal["draft", "scheduled", "sending", "sent", "cancelled"]
DeliveryStatus = Literal["pending", "sent", "failed", "unreachable", "cancelled"]
ReportFilter = Literal[
    "", "pending", "sent", "failed", "unreachable", "cancelled", "acknowledged", "not_acknowledged"
]
MAX_ID = 2**31 - 1


def id_parameter() -> dict[str, Any]:
    """An announcement's id in the path."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


# -- lists ----------------------------------------------------------------------------------------


class ListedAnnouncement(Out):
    id: int
    title: str
    status: AnnouncementStatus
    scheduled_for: datetime | None
    started_at: datetime | None
    updated_at: datetime


class AnnouncementCounts(Out):
    draft: int
    scheduled: int
    sending: int
    sent: int
    cancelled: int


class AnnouncementLists(Out):
    """Every state's count, and the newest 50 of each."""

    counts: AnnouncementCounts
    draft: list[ListedAnnouncement]
    scheduled: list[ListedAnnouncement]
    sending: list[ListedAnnouncement]
    sent: list[ListedAnnouncement]
    cancelled: list[ListedAnnouncement]
    can_compose: bool


# -- one announcement -----------------------------------------------------------------------------


class Reason(Out):
    code: str
    words: str
    count: int


class DeliveryCounts(Out):
    recipients: int
    pending: int
    sent: int
    failed: int
    unreachable: int
    cancelled: int
    acknowledged: int
    installing: int
    reasons: list[Reason] = Field(description="Why copies failed or were not reachable")


class AudienceChoice(Out):
    id: int
    name: str


class AudienceOut(Out):
    everyone: bool
    groups: list[int]
    agencies: list[int]
    champions: bool
    booked_on: list[int]
    words: str = Field(description="The audience in words, as the chat's cards say it")


class Reach(Out):
    """Of a draft's audience now: reachable now, installed for first, and who cannot be."""

    people: int
    now: int
    install_first: int
    cannot: list[Reason]
    left_out_guests: int
    left_out_inactive: int


class Allowed(Out):
    edit: bool
    preview: bool
    send: bool
    schedule: bool
    cancel: bool
    resend: bool


class AnnouncementOut(Out):
    id: int
    title: str
    body: str
    image_url: str
    link_title: str
    link_url: str
    course: int | None
    ack_days: int | None
    status: AnnouncementStatus
    audience: AudienceOut
    scheduled_for: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    cancelled_at: datetime | None
    send_number: int
    counts: DeliveryCounts | None = Field(description="Once it has gone out")
    reach: Reach | None = Field(description="While it is a draft or scheduled")
    may: Allowed
    event: str = Field("opened", description="What the last step did (the chat's events)")
    affected: int = Field(0, description="How many copies a cancel stopped or a resend queued")


class ComposeOptions(Out):
    groups: list[AudienceChoice]
    agencies: list[AudienceChoice]
    courses: list[AudienceChoice]
    sending_hours: str
    markdown_help: str


class Preview(Out):
    """The exact card recipients get (the chat's preview), as Adaptive Card JSON."""

    card: dict[str, Any]


class AnnouncementIn(BaseModel):
    """A draft, as the compose card sends it (ids as lists). Nothing is saved while a field has
    a problem, or while screening questions the text and `confirm_not_personal` is not set."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field("", max_length=4000)
    body: str = Field("", max_length=4000)
    image_url: str = Field("", max_length=4000)
    link_title: str = Field("", max_length=4000)
    link_url: str = Field("", max_length=4000)
    course: int | None = Field(None, ge=1, le=MAX_ID)
    everyone: bool = False
    groups: list[int] = Field(default_factory=list[int], max_length=500)
    agencies: list[int] = Field(default_factory=list[int], max_length=500)
    champions: bool = False
    booked_on: list[int] = Field(default_factory=list[int], max_length=500)
    ack_days: int | None = Field(None, ge=0, le=MAX_ID)
    confirm_not_personal: bool = False


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: str = Field(max_length=20, description="A London date, 2027-01-31")
    time: str = Field(max_length=20, description="A London time, 09:30")


# -- the report -----------------------------------------------------------------------------------


class ReportParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: ReportFilter = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class RecipientLine(Out):
    name: str
    email: str
    agency: str
    status: DeliveryStatus
    reason: str = Field(description="Why it failed or was not reachable, in words")
    sent_at: datetime | None
    acknowledged_at: datetime | None
    send_number: int


class ReportOut(Out):
    id: int
    title: str
    status: AnnouncementStatus
    counts: DeliveryCounts
    items: list[RecipientLine]
    total: int
    page: int
    page_size: int


# -- reach at a glance ----------------------------------------------------------------------------


class ReachRow(Out):
    reason: str
    label: str
    count: int
    fix: str


class ReachReportOut(Out):
    on_roster: int
    reachable: int
    guests: int
    installs_on: bool
    rows: list[ReachRow] = Field(
        description="Everyone on the roster, by whether they can be reached"
    )
