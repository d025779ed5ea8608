"""Announcements' rules: what may be written in one, when it may go out, and how it stands.

Content limits and the Teams markdown subset, https-only links, sending hours (London wall time on
working days), the announcement's life (draft, scheduled, sending, sent, cancelled: the states,
the moves between them and what each state allows, applied by `usecases.broadcasts` alone), who
may read and acknowledge a sent one, what every recipient's copy shows, and how a recipient's
delivery is summarised for the author's report. Pure: "now" is passed in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from domain.audience import AudienceDefinition
from domain.training import CourseFacts, SessionFacts
from domain.working_days import add_working_days, is_working_day

TITLE_MAX = 120
BODY_MAX = 2000
LINK_TITLE_MAX = 40
URL_MAX = 2048
ACK_REMINDER_MAX_WORKING_DAYS = 20

MARKDOWN_HELP = (
    "**bold**, _italic_, lists (lines starting with - or 1.) and [links](https://...) work; "
    "headings, tables, images and HTML do not"
)

# Markdown Teams does not render in a card's TextBlock, with what to say about each.
_UNSUPPORTED_MARKDOWN: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s{0,3}#{1,6}\s", re.MULTILINE), "headings (#)"),
    (re.compile(r"!\[[^\]]*\]\("), "images (use the image field)"),
    (re.compile(r"^\s*\|?\s*:?-{3,}:?\s*\|", re.MULTILINE), "tables"),
    (re.compile(r"```"), "code blocks"),
    (re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?/?>"), "HTML tags"),
)
_MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]*)\)")


class Status(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


# What each state allows. Only a draft is edited, deleted, sent or scheduled: a scheduled one goes
# back to being a draft (cancel) first.
EDITABLE = frozenset({Status.DRAFT})
SENDABLE = frozenset({Status.DRAFT})
CANCELLABLE = frozenset({Status.SCHEDULED, Status.SENDING})
RESENDABLE = frozenset({Status.SENT})
# Shown to its author as a draft (with its audience), not as a delivery report.
PLANNED = frozenset({Status.DRAFT, Status.SCHEDULED})
# Copies are still going out: the dispatcher renders them (a cancelled send renders as nothing).
LIVE = frozenset({Status.SENDING, Status.SENT})
# Copies have gone out: a recipient may have one, and may read and acknowledge it.
RECEIVED = frozenset({Status.SENDING, Status.SENT, Status.CANCELLED})

# The announcement's life: from each state, the states it may move to. A sent announcement moves
# back to sending when its failed copies are sent again.
MOVES: Mapping[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SCHEDULED, Status.SENDING}),
    Status.SCHEDULED: frozenset({Status.DRAFT, Status.SENDING}),
    Status.SENDING: frozenset({Status.SENT, Status.CANCELLED}),
    Status.SENT: frozenset({Status.SENDING}),
    Status.CANCELLED: frozenset(),
}


def can_move(current: Status, to: Status) -> bool:
    return to in MOVES[current]


def is_due(status: Status, scheduled_for: datetime | None, now: datetime) -> bool:
    """A scheduled announcement whose time has come."""
    return status == Status.SCHEDULED and scheduled_for is not None and scheduled_for <= now


def recipient_may_see(status: Status, is_recipient: bool) -> bool:
    """Whether someone who is not in the business team may see (and acknowledge) it: only a
    recipient, and only once copies have gone out. A draft is nobody's but the business team's."""
    return is_recipient and status in RECEIVED


class Delivery(StrEnum):
    """Where one recipient's copy stands, as the report shows it."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Content:
    """What the author typed; every field is plain text as it came from the card."""

    title: str = ""
    body: str = ""
    image_url: str = ""
    link_title: str = ""
    link_url: str = ""

    def cleaned(self) -> Content:
        return Content(
            title=" ".join(self.title.split()),
            body=self.body.strip().replace("\r\n", "\n"),
            image_url=self.image_url.strip(),
            link_title=" ".join(self.link_title.split()),
            link_url=self.link_url.strip(),
        )

    def screened_text(self) -> str:
        """The free text to screen for identifiers, one field per line."""
        return "\n".join(part for part in (self.title, self.body, self.link_title) if part)


@dataclass(frozen=True)
class LinkedCourse:
    """The course an announcement carries, with its sessions still to come."""

    course: CourseFacts
    sessions: tuple[SessionFacts, ...] = ()


@dataclass(frozen=True)
class AnnouncementCopy:
    """What every recipient's copy shows, and its preview to the author: the same card."""

    id: int
    content: Content
    started_at: datetime | None = None
    course: LinkedCourse | None = None


@dataclass(frozen=True)
class Draft:
    """Everything an author sets on an announcement before it is sent."""

    content: Content
    audience: AudienceDefinition
    course_id: int | None = None
    ack_reminder_working_days: int | None = None


def content_problems(content: Content) -> dict[str, str]:
    """Problems by field name; empty when the content can be saved."""
    problems: dict[str, str] = {}
    if not content.title:
        problems["title"] = "A title is required."
    elif len(content.title) > TITLE_MAX:
        problems["title"] = f"The title is {len(content.title)} characters; at most {TITLE_MAX}."
    body_problem = _body_problem(content.body)
    if body_problem:
        problems["body"] = body_problem
    image_problem = url_problem(content.image_url)
    if image_problem:
        problems["image_url"] = image_problem
    problems.update(_link_problems(content))
    return problems


def _body_problem(body: str) -> str:
    if not body:
        return "A message is required."
    if len(body) > BODY_MAX:
        return f"The message is {len(body)} characters; at most {BODY_MAX}."
    unsupported = [label for pattern, label in _UNSUPPORTED_MARKDOWN if pattern.search(body)]
    if unsupported:
        return "Teams will not show " + ", ".join(unsupported) + " in an announcement."
    for target in _MARKDOWN_LINK.findall(body):
        if url_problem(target):
            return f"The link {target[:60]!r} must be a full https:// address."
    return ""


def _link_problems(content: Content) -> dict[str, str]:
    problems: dict[str, str] = {}
    if content.link_url:
        problem = url_problem(content.link_url)
        if problem:
            problems["link_url"] = problem
        if not content.link_title:
            problems["link_title"] = "Give the button a label, e.g. 'Book on the LMS'."
    elif content.link_title:
        problems["link_url"] = "The button needs an https:// address."
    if len(content.link_title) > LINK_TITLE_MAX:
        problems["link_title"] = f"The label is {len(content.link_title)} characters; at most " + (
            f"{LINK_TITLE_MAX}."
        )
    return problems


def url_problem(url: str) -> str:
    """Why a URL cannot be used ('' when it can, or when none was given)."""
    if not url:
        return ""
    if len(url) > URL_MAX:
        return f"The address is longer than {URL_MAX} characters."
    if any(ch.isspace() for ch in url):
        return "The address must not contain spaces."
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        return "Only https:// addresses can be used."
    if not parts.hostname or "." not in parts.hostname:
        return "That is not a complete web address."
    return ""


def ack_reminder_problem(raw: str) -> tuple[int | None, str]:
    """The working days after which to remind people to acknowledge (None for no reminder)."""
    raw = raw.strip()
    if not raw or raw == "0":
        return None, ""
    # ASCII digits only: "²" passes `str.isdigit` and `int` refuses it.
    if not (raw.isascii() and raw.isdigit()):
        return None, "Give a whole number of working days, or leave it empty."
    # A long string of digits is too many days whatever it says (and `int` refuses past 4,300).
    if len(raw) > 9 or int(raw) > ACK_REMINDER_MAX_WORKING_DAYS:
        return None, f"At most {ACK_REMINDER_MAX_WORKING_DAYS} working days."
    return int(raw), ""


# -- sending hours ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendingHours:
    """When announcements may go out: London wall-clock hours on working days."""

    start: time = time(8, 0)
    end: time = time(18, 0)
    zone: str = "Europe/London"

    @classmethod
    def parse(cls, start: str, end: str, zone: str = "Europe/London") -> SendingHours:
        """From settings: "08:00", "18:00"."""
        return cls(time.fromisoformat(start), time.fromisoformat(end), zone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def describe(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M} on working days"


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime | None:
    """A London wall-clock time as a UTC instant; None when the clocks skip it (spring forward).

    An ambiguous time (the autumn hour that happens twice) is taken as the first of the two.
    """
    aware = local.replace(tzinfo=zone, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def within_hours(instant: datetime, hours: SendingHours) -> bool:
    local = instant.astimezone(hours.tz)
    return is_working_day(local.date()) and hours.start <= local.time() < hours.end


def schedule_problem(
    local: datetime, now: datetime, hours: SendingHours
) -> tuple[datetime | None, str]:
    """The UTC instant for a requested London time, or why it cannot be used."""
    instant = local_to_utc(local, hours.tz)
    if instant is None:
        return None, "That time does not exist in London: the clocks go forward then."
    if instant <= now:
        return None, "That time has passed; choose a time in the future."
    if not is_working_day(local.date()):
        return None, f"{local:%A %d %B %Y} is not a working day (weekend or bank holiday)."
    if not hours.start <= local.time() < hours.end:
        return None, f"Announcements go out {hours.describe()}; choose a time in those hours."
    return instant, ""


def next_sending_time(now: datetime, hours: SendingHours) -> datetime:
    """Now, when it is within sending hours; else the next start of sending hours (UTC)."""
    if within_hours(now, hours):
        return now
    local = now.astimezone(hours.tz)
    day = local.date()
    if local.time() >= hours.start:
        day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    start = datetime.combine(day, hours.start)
    # A start time inside the hour the clocks skip moves on by that hour.
    instant = local_to_utc(start, hours.tz) or local_to_utc(start + timedelta(hours=1), hours.tz)
    assert instant is not None
    return instant


# -- report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientState:
    delivery: Delivery
    acknowledged: bool = False


@dataclass(frozen=True)
class ReportCounts:
    recipients: int = 0
    pending: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    cancelled: int = 0
    acknowledged: int = 0
    # Of the pending: waiting while the bot is installed for them (GRAPH_PROACTIVE_INSTALL).
    installing: int = 0
    # The failed and unreachable copies by reason code (why_not_reached), commonest first.
    reasons: tuple[tuple[str, int], ...] = ()

    @property
    def finished(self) -> bool:
        """Nothing left to send (every copy sent, failed, unreachable or cancelled)."""
        return self.pending == 0

    @property
    def done(self) -> int:
        return self.recipients - self.pending

    def percent(self, part: int) -> int:
        return round(100 * part / self.recipients) if self.recipients else 0

    @classmethod
    def of(cls, tally: Mapping[Delivery, int], acknowledged: int) -> ReportCounts:
        """The counts from copies tallied by where they stand."""
        return cls(
            recipients=sum(tally.values()),
            pending=tally.get(Delivery.PENDING, 0),
            sent=tally.get(Delivery.SENT, 0),
            failed=tally.get(Delivery.FAILED, 0),
            unreachable=tally.get(Delivery.UNREACHABLE, 0),
            cancelled=tally.get(Delivery.CANCELLED, 0),
            acknowledged=acknowledged,
        )


def count_states(states: Iterable[RecipientState]) -> ReportCounts:
    tally: Counter[Delivery] = Counter()
    acknowledged = 0
    for state in states:
        tally[state.delivery] += 1
        acknowledged += state.acknowledged
    return ReportCounts.of(tally, acknowledged)


def ack_reminder_due(sent_on: date, working_days: int, today: date) -> bool:
    """Whether an unacknowledged announcement sent on `sent_on` is due its one reminder."""
    return add_working_days(sent_on, working_days) <= today


# Why a copy did not reach someone, in words for its author (the outbox keeps a short code).
_UNREACHED_WORDS = {
    "not_installed": "has not installed the bot",
    "uninstalled": "removed or blocked the bot",
    "no_recipient": "is not on the roster any more",
    "person_inactive": "is no longer active on the roster",
    "http_403": "Teams refused it (blocked by policy, or the bot was removed)",
    "http_404": "the chat no longer exists (the bot was removed)",
    "http_429": "Teams kept asking the bot to slow down",
    # Installing the bot for them through Microsoft Graph (docs/deploy.md, "Reaching everyone").
    "install_blocked": "the bot could not be installed: blocked by a Teams app policy",
    "install_not_found": "the bot could not be installed: no Teams licence, or not in Entra",
    "install_failed": "the bot could not be installed: Microsoft Graph kept failing",
    "not_linked": "their work email was not found in Entra (run link-entra)",
}


def why_not_reached(delivery: Delivery, code: str) -> str:
    """The reason a copy failed or could not be delivered, in plain words."""
    if code in _UNREACHED_WORDS:
        return _UNREACHED_WORDS[code]
    if delivery == Delivery.UNREACHABLE:
        return "could not be reached in Teams"
    if code.startswith("http_5"):
        return "Teams had a fault; a resend may work"
    return "the send failed; a resend may work"
