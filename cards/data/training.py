"""What the training buttons send: open a course, book, cancel, enrol, and the business team's
attendance list and its ticks (one `attended_<person id>` toggle per place)."""

from __future__ import annotations

import re
from typing import Any, cast

from pydantic import model_validator

from cards.data import CardData, RowId

_TOGGLE = re.compile(r"attended_([0-9]+)")
_TICKED = ("true", True)
_TOGGLE_VALUES = ("true", "false", True, False)


class CourseOpenData(CardData):
    """`Verb.COURSE_OPEN`: a course by its id, or by one of its sessions (a "what's on" line)."""

    course_id: RowId | None = None
    session_id: RowId | None = None


class SessionBookData(CardData):
    """`Verb.SESSION_BOOK`: a place (or the waiting list) on a session, for the person clicking.
    The card also carries the course's id; the session names its own course."""

    session_id: RowId
    course_id: RowId | None = None


class SessionCancelData(CardData):
    """`Verb.SESSION_CANCEL`: give up a place, or leave a session's waiting list."""

    session_id: RowId
    course_id: RowId | None = None


class CourseEnrolData(CardData):
    """`Verb.COURSE_ENROL`: enrol on an e-learning course."""

    course_id: RowId


class SessionAttendanceData(CardData):
    """`Verb.SESSION_ATTENDANCE`: a session's attendance list (the business team's)."""

    session_id: RowId
    course_id: RowId | None = None


class SessionAttendanceSaveData(CardData):
    """`Verb.SESSION_ATTENDANCE_SAVE`: who attended, read from the card's toggles
    (`attended_<person id>`: "true" or "false"); a toggle with any other value is refused."""

    session_id: RowId
    attended: frozenset[RowId] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _read_toggles(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        form = cast(dict[object, object], data)
        ticked: list[str] = []
        for key, value in form.items():
            found = _TOGGLE.fullmatch(str(key))
            if found is None:
                continue
            if value not in _TOGGLE_VALUES:
                raise ValueError("an attendance toggle is neither true nor false")
            if value in _TICKED:
                ticked.append(found.group(1))
        return {**form, "attended": ticked}
