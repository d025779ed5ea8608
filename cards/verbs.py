"""Every card action verb of the bot, as one enum.

A button's `verb` (Action.Execute) or `data.verb` (Action.Submit) is one of these; the router in
`dialogs/` looks handlers up by it, so a typo is an error at start-up rather than a dead button.
"""

from enum import StrEnum


class Verb(StrEnum):
    HELP = "help"
    WELCOME = "welcome"

    # Actions (dialogs/actions.py)
    ACTIONS_MINE = "actions.mine"
    ACTIONS_LIST = "actions.list"
    ACTIONS_OVERVIEW = "actions.overview"
    ACTION_SHOW = "action.show"
    ACTION_EDIT = "action.edit"
    ACTION_SAVE = "action.save"
    ACTION_LINK = "action.link"
    ACTION_DISMISS_OVERLAP = "action.dismiss_overlap"
    ACTION_UNDO = "action.undo"

    # Meetings and training (dialogs/meetings.py)
    MEETING_OPEN = "meeting.open"
    UPCOMING_MINE = "upcoming.mine"
    COURSE_OPEN = "course.open"
    SESSION_BOOK = "session.book"
    SESSION_CANCEL = "session.cancel"
    COURSE_ENROL = "course.enrol"
    SESSION_ATTENDANCE = "session.attendance"
    SESSION_ATTENDANCE_SAVE = "session.attendance.save"

    # Reminders and statutory clocks (dialogs/reminders.py)
    REMINDER_SNOOZE = "reminders.snooze"
    REMINDER_PAUSE = "reminders.pause"
    REMINDER_PAUSE_FORM = "reminders.pause_form"
    REMINDER_RESUME = "reminders.resume"
    REMINDER_DIGEST = "reminders.digest"
    REMINDER_QUIET_DEFAULT = "reminders.quiet_default"
    REMINDER_SETTINGS = "reminders.settings"
    REMINDERS_STATUS = "reminders.status"
    REMINDER_SAVE_ACTION = "reminders.save_action"
    CLOCK_FORM = "clocks.form"
    CLOCK_RECORD = "clocks.record"
    CLOCK_LIST = "clocks.list"
    CLOCK_CLOSE = "clocks.close"

    # Broadcasts (dialogs/broadcasts.py)
    BROADCAST_NEW = "broadcast_new"
    BROADCAST_SAVE = "broadcast_save"
    BROADCAST_OPEN = "broadcast_open"
    BROADCAST_EDIT = "broadcast_edit"
    BROADCAST_PREVIEW = "broadcast_preview"
    BROADCAST_DUPLICATE = "broadcast_duplicate"
    BROADCAST_DELETE = "broadcast_delete"
    BROADCAST_SEND = "broadcast_send"
    BROADCAST_SCHEDULE = "broadcast_schedule"
    BROADCAST_CANCEL = "broadcast_cancel"
    BROADCAST_REPORT = "broadcast_report"
    BROADCAST_RESEND = "broadcast_resend"
    BROADCAST_MISSED = "broadcast_missed"
    BROADCAST_ACK = "broadcast_ack"
    BROADCAST_LIST = "broadcast_list"


# The verbs whose buttons send a form's inputs. Every other button is sent with
# `associatedInputs: "none"`: a client validates the inputs a button gathers before it sends
# anything, so "Snooze a week" on a reminder that also carries an update form would otherwise be
# blocked by the form's required "Progress note" and do nothing.
FORM_VERBS: frozenset[Verb] = frozenset(
    {
        Verb.ACTIONS_MINE,
        Verb.ACTIONS_LIST,
        Verb.ACTION_SAVE,
        Verb.SESSION_ATTENDANCE_SAVE,
        Verb.REMINDER_PAUSE,
        Verb.REMINDER_SAVE_ACTION,
        Verb.CLOCK_RECORD,
        Verb.BROADCAST_SAVE,
        Verb.BROADCAST_SCHEDULE,
    }
)
