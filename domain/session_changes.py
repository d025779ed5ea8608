"""A training session moved, cancelled or back on after a calendar import: what changed for the
people booked or waiting on it, the notice each of them gets, and whether it is still news when
it is sent. Pure functions; "now" is passed in and instants are aware UTC.

What a person knows of a session is its times as they were before the import, unless an earlier
notice about it has not gone out yet: then it is what that notice would have corrected (so a move
and a correction before anyone heard of the first come as one notice, and a move undone before
anyone heard of it as none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Any

from domain.reminders import (
    NO_PREFERENCES,
    Kind,
    Reminder,
    ReminderPreferences,
    event_key,
    when_to_send,
)
from domain.send_times import SendRules, at_local, local_date


class Change(StrEnum):
    MOVED = "moved"
    CANCELLED = "cancelled"
    REINSTATED = "reinstated"


@dataclass(frozen=True)
class SessionTimes:
    """When a session is, and whether it is cancelled: all a change notice is about."""

    starts_at: datetime
    ends_at: datetime
    cancelled: bool = False


def change_between(known: SessionTimes, current: SessionTimes) -> Change | None:
    """What a person who knew `known` needs telling about `current`; None when nothing."""
    if current.cancelled:
        return None if known.cancelled else Change.CANCELLED
    if known.cancelled:
        return Change.REINSTATED
    if (known.starts_at, known.ends_at) != (current.starts_at, current.ends_at):
        return Change.MOVED
    return None


@dataclass(frozen=True)
class ChangeNotice:
    """One notice as the outbox row holds it: the change, what the person knew before it, the
    times it announces and when the import made it."""

    change: Change
    known: SessionTimes
    announced: SessionTimes
    changed_at: datetime

    def payload(self) -> dict[str, Any]:
        return {
            "change": self.change.value,
            "changed_at": self.changed_at.isoformat(),
            "starts_at": self.announced.starts_at.isoformat(),
            "ends_at": self.announced.ends_at.isoformat(),
            "was_starts_at": self.known.starts_at.isoformat(),
            "was_ends_at": self.known.ends_at.isoformat(),
            "was_cancelled": self.known.cancelled,
        }

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> ChangeNotice | None:
        """The notice a row's payload describes; None when the payload is not one."""
        try:
            change = Change(payload["change"])
            known = SessionTimes(
                _instant(payload["was_starts_at"]),
                _instant(payload["was_ends_at"]),
                bool(payload["was_cancelled"]),
            )
            announced = SessionTimes(
                _instant(payload["starts_at"]),
                _instant(payload["ends_at"]),
                change == Change.CANCELLED,
            )
            return cls(change, known, announced, _instant(payload["changed_at"]))
        except (KeyError, TypeError, ValueError):
            return None


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a notice's instants are aware")
    return moment


def session_subject(session_id: int) -> str:
    return f"session:{session_id}"


def change_key(change: Change, announced: SessionTimes, changed_at: datetime) -> str:
    """The outbox occurrence: the change, the start it announces and the moment of the import.
    Importing the same file again changes nothing and so queues nothing; a session moved away and
    back again is a new change each time, each told."""
    stamp = f"{changed_at.astimezone(UTC):%Y%m%dT%H%M%S}"
    return f"{change.value}-{event_key(announced.starts_at)}-{stamp}"


def is_still_news(notice: ChangeNotice, current: SessionTimes, now: datetime) -> bool:
    """At send time: the session is as the notice says and still to come. Moved again since,
    the newer notice says so; cancelled since, its own notice says that."""
    if notice.change == Change.CANCELLED:
        return current.cancelled and now < notice.known.starts_at
    return current == notice.announced and now < current.starts_at


def news_instant(now: datetime, preferences: ReminderPreferences, rules: SendRules) -> datetime:
    """When news that nothing will plan again reaches a person: at once, or when their quiet
    hours or snooze allow. A pause holds it until reminders start again rather than dropping it
    (as a planned reminder is), so someone back from leave still hears their course moved."""
    start = now
    if preferences.paused_until is not None and preferences.is_paused_on(
        local_date(now, rules.zone)
    ):
        start = at_local(preferences.paused_until, time(0), rules.zone)
    return when_to_send(start, preferences, rules) or start


@dataclass(frozen=True)
class PersonOnSession:
    """Someone booked or waiting on a changed session, and what they knew of it."""

    person_id: int
    known: SessionTimes


def plan_change_notices(
    session_id: int,
    current: SessionTimes,
    people: Iterable[PersonOnSession],
    now: datetime,
    preferences: Mapping[int, ReminderPreferences],
    rules: SendRules,
) -> list[Reminder]:
    """One notice to each person for whom the session changed and the change is still news."""
    planned: list[Reminder] = []
    for person in people:
        change = change_between(person.known, current)
        if change is None:
            continue
        notice = ChangeNotice(change, person.known, current, now)
        if not is_still_news(notice, current, now):
            continue
        theirs = preferences.get(person.person_id, NO_PREFERENCES)
        planned.append(
            Reminder(
                Kind.SESSION_CHANGED,
                session_subject(session_id),
                person.person_id,
                change_key(change, current, now),
                news_instant(now, theirs, rules),
                notice.payload(),
            )
        )
    return planned
