"""What the reminder buttons and commands send: snooze, pause, resume, digest, quiet hours, the
settings and the admins' status; and the statutory clocks' form, list and "complete".

A reminder's own buttons carry `message`, the outbox row of the reminder they sat on (so a snooze
can send that reminder again); it is an id like any other.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cards.data import CardData, FormText, NoData, RowId, Word

_OFF_WORDS = frozenset({"false", "0", "no", "off"})


class ReminderSettingsData(NoData):
    """`Verb.REMINDER_SETTINGS` and "reminder settings": the person's own settings."""


class ReminderSnoozeData(CardData):
    """`Verb.REMINDER_SNOOZE` ("until": a button's choice) and "snooze until monday" ("when")."""

    until: Literal["tomorrow", "next_week"] | None = None
    when: FormText = ""
    message: RowId | None = None


class ReminderPauseData(CardData):
    """`Verb.REMINDER_PAUSE`: the day reminders start again ("paused_until" from the date input,
    "date" as typed in "pause reminders until 5 January")."""

    paused_until: FormText = ""
    typed_day: FormText = Field(default="", alias="date")
    message: RowId | None = None

    @property
    def day(self) -> str:
        return (self.paused_until or self.typed_day).strip()


class ReminderAskPauseData(NoData):
    """"pause reminders" with no day: ask for one."""


class ReminderResumeData(NoData):
    """`Verb.REMINDER_RESUME`: end a snooze or pause."""


class ReminderDigestData(CardData):
    """`Verb.REMINDER_DIGEST`: a weekly digest instead of single reminders ("on"), or not."""

    on: bool | Word = True
    message: RowId | None = None

    @property
    def wanted(self) -> bool:
        if isinstance(self.on, str):
            return self.on.lower() not in _OFF_WORDS
        return self.on


class ReminderSingleData(NoData):
    """"single reminders": reminders one at a time again."""


class ReminderQuietHoursData(CardData):
    """"quiet hours 18:00-08:00": the person's own quiet hours."""

    hours: FormText = ""


class ReminderQuietDefaultData(NoData):
    """`Verb.REMINDER_QUIET_DEFAULT`: the partnership's quiet hours again."""


class RemindersStatusData(NoData):
    """`Verb.REMINDERS_STATUS`: the outbox, for admins."""


class ClockFormData(NoData):
    """`Verb.CLOCK_FORM`: the form to record a serious incident notification."""


class ClockRecordData(CardData):
    """`Verb.CLOCK_RECORD`: the partnership's reference and the day of the notification (ISO,
    from a date input); both are checked, with friendly words beside the fields."""

    reference: FormText = ""
    notified_on: FormText = ""


class ClockListData(NoData):
    """`Verb.CLOCK_LIST` and "rapid reviews": the countdowns."""


class ClockCloseData(CardData):
    """`Verb.CLOCK_CLOSE`: mark a rapid review complete."""

    clock: RowId
