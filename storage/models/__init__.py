"""Every model of the bot, imported here so that `Base.metadata` knows all tables.

One module per aggregate; a feature adds its module and one import line below.
"""

from storage.models.actions import Action, ActionLink, ActionUpdate, OverlapCheck
from storage.models.broadcasts import Announcement, AnnouncementAck, AnnouncementRecipient
from storage.models.channels import ChannelBinding
from storage.models.core import (
    Agency,
    AuditEntry,
    BotStateRecord,
    ConversationRef,
    Group,
    Membership,
    Person,
    Priority,
    ProcessedActivity,
    Source,
)
from storage.models.installs import InstallWork
from storage.models.outbox import OutboxMessage, ReminderPreference, StatutoryClock

__all__ = [
    "Action",
    "ActionLink",
    "ActionUpdate",
    "Agency",
    "Announcement",
    "AnnouncementAck",
    "AnnouncementRecipient",
    "AuditEntry",
    "BotStateRecord",
    "ChannelBinding",
    "ConversationRef",
    "Group",
    "InstallWork",
    "Membership",
    "OutboxMessage",
    "OverlapCheck",
    "Person",
    "Priority",
    "ProcessedActivity",
    "ReminderPreference",
    "Source",
    "StatutoryClock",
]

# Meetings and training (migration 0003).
from storage.models.meetings import Meeting, MeetingSeries
from storage.models.training import Booking, Course, CourseSession, Enrolment

__all__ += ["Booking", "Course", "CourseSession", "Enrolment", "Meeting", "MeetingSeries"]
