"""What the announcement cards' buttons and the announcement commands send back: one model per
`Verb.BROADCAST_*` and per text command of `dialogs/broadcasts.py`.

Every button but "New announcement" and "Announcements" names its announcement by `RowId`, so an
id no column can hold (past PostgreSQL's integer, "²", forty nines) is out of date before any
handler runs. The compose card's inputs are kept as typed (strings, bounded by the transport) so
that a card with problems comes back with what was typed; the use case checks them against the
domain's own limits and the choices that still exist.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StrictBool, StringConstraints

from cards.data import CardData, FormText, NoData, RowId, Word

# A multi-select's value: ids joined by commas, as Input.ChoiceSet sends them.
CHOICES_MAX = 10_000
Choices = Annotated[str, StringConstraints(max_length=CHOICES_MAX)]


class AnnouncementRef(CardData):
    """A button about one announcement."""

    announcement_id: RowId


class BroadcastOpenData(AnnouncementRef):
    """Open: a draft or scheduled one as its draft card, one that went out as its report."""


class BroadcastEditData(AnnouncementRef):
    """Edit a draft in the compose card."""


class BroadcastPreviewData(AnnouncementRef):
    """The card recipients get, sent to the author alone."""


class BroadcastDuplicateData(AnnouncementRef):
    """A new draft with the same content and audience."""


class BroadcastDeleteData(AnnouncementRef):
    """Delete a draft; only an explicit `true` (the confirmation card's button) deletes."""

    confirmed: StrictBool = False


class BroadcastMissedData(AnnouncementRef):
    """Whom it did not reach and why, and who has not acknowledged it."""


class BroadcastSendData(AnnouncementRef):
    """Send now."""


class BroadcastScheduleData(AnnouncementRef):
    """Send at a London date and time (Input.Date and Input.Time, checked by the use case)."""

    send_date: Word = ""
    send_time: Word = ""


class BroadcastCancelData(AnnouncementRef):
    """Cancel a scheduled send (a draft again) or stop a running one."""


class BroadcastReportData(AnnouncementRef):
    """The delivery report (also the report card's refresh)."""


class BroadcastResendData(AnnouncementRef):
    """Send again to the recipients whose copy failed."""


class BroadcastAckData(AnnouncementRef):
    """ "Got it", open to everyone on the roster: only a recipient of a sent one is answered."""


class BroadcastSaveData(CardData):
    """The compose card: a new draft (no id) or an edited one."""

    announcement_id: RowId | None = None
    title: FormText = ""
    body: FormText = ""
    image_url: FormText = ""
    link_title: FormText = ""
    link_url: FormText = ""
    course: Choices = ""
    everyone: bool = False
    groups: Choices = ""
    agencies: Choices = ""
    champions: bool = False
    booked_on: Choices = ""
    ack_days: Word = ""
    confirm_not_personal: bool = False


class BroadcastNewData(NoData):
    """The compose card, empty."""


class BroadcastListData(NoData):
    """The list of announcements."""


class NewAnnouncementCommand(NoData):
    """ "new announcement" (the text command) captures nothing."""


class ListAnnouncementsCommand(NoData):
    """ "announcements" (the text command) captures nothing."""
