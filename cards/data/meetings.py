"""What the meetings buttons and questions send: opening a meeting, "my meetings and training",
and the words of a question ("when is the next Executive?") as the text command captured them."""

from __future__ import annotations

from cards.data import CardData, FormText, NoData, RowId


class MeetingOpenData(CardData):
    """`Verb.MEETING_OPEN`: the meeting a "what's on" line or a reminder opens."""

    meeting_id: RowId


class UpcomingMineData(NoData):
    """`Verb.UPCOMING_MINE`: the asker's own meetings and training, by date."""


class QuestionData(CardData):
    """A question about meetings or training in the asker's words ("what's on next week?")."""

    q: FormText = ""


class BookPromptData(NoData):
    """The bare "book" command: show the training with places to book."""


class AttendanceQuestionData(CardData):
    """The business team's "attendance T1": a course (and perhaps a day) in the asker's words."""

    q: FormText = ""
