"""The gallery's sample data: every state of the cards in `cards.broadcasts`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from cards.broadcasts import (
    AnnouncementView,
    AudienceSummary,
    ComposeChoices,
    ComposeForm,
    CourseView,
    DraftView,
    ListedView,
    MissedView,
    Option,
    ReportView,
    ScheduleInput,
    Screening,
    SessionView,
    announcement_card,
    compose_card,
    delete_confirmation_card,
    draft_card,
    list_card,
    missed_card,
    refusal_card,
    report_card,
)
from cards.common import (
    Card,
)
from domain.broadcasts import (
    Content,
    ReportCounts,
    Status,
)

_EXAMPLE_CONTENT = Content(
    title="New dates: Multi-agency Safeguarding Essentials (Level 3)",
    body="Two new sessions are open for booking.\n\n- **19 January**, online\n"
    "- **16 March**, online\n\nBook early: places are limited to 24.",
    image_url="https://riverside.example/images/training.png",
    link_title="Training calendar",
    link_url="https://riverside.example/training",
)
_EXAMPLE_AUDIENCE = AudienceSummary(
    "Neglect champions network; Riverside Council", people=9, reachable=7, guests=1
)
_EXAMPLE_CHOICES = ComposeChoices(
    groups=(Option("1", "Executive"), Option("11", "Neglect Champions Network")),
    agencies=(Option("1", "Riverside Council"), Option("2", "Downshire Police")),
    courses=(Option("1", "Multi-agency Safeguarding Essentials (Level 3)"),),
)
_EXAMPLE_COURSE = CourseView(
    2,
    "Neglect: Using Graded Care Profile 2",
    (
        SessionView(
            3, "Tue 16 Feb 2027, 09:30–16:00", "Riverside Civic Centre", "12 of 20 places left"
        ),
        SessionView(
            4,
            "Tue 16 Mar 2027, 09:30–16:00",
            "Riverside Civic Centre",
            "Full (2 on the waiting list)",
            can_book=False,
            can_wait=True,
        ),
        SessionView(
            5,
            "Tue 8 Dec 2026, 09:30–16:00",
            "Microsoft Teams",
            "3 of 20 places left",
            can_book=False,
            why_not="Booking closed",
        ),
    ),
)


def gallery_states() -> list[tuple[str, Card]]:
    content = _EXAMPLE_CONTENT
    view = AnnouncementView(1, content, sent_on="Tue 24 Nov 2026")
    with_course = AnnouncementView(
        2,
        Content(
            title="Places open: Neglect - Graded Care Profile 2",
            body="Full-day course at the Civic Centre.",
        ),
        sent_on="Tue 24 Nov 2026",
        course=_EXAMPLE_COURSE,
    )
    draft = DraftView(view, _EXAMPLE_AUDIENCE, ack_days=3, sending_hours="08:00-18:00")
    counts = ReportCounts(
        recipients=1000, pending=360, sent=600, failed=12, unreachable=28, acknowledged=214
    )
    report = ReportView(
        view,
        Status.SENDING,
        counts,
        "Everyone",
        author_user_id="29:P05",
        started="Tue 24 Nov 2026, 09:00",
    )
    finished = ReportCounts(recipients=1000, sent=960, failed=12, unreachable=28, acknowledged=611)
    cancelled = ReportCounts(recipients=1000, sent=420, cancelled=580, acknowledged=75)
    long_list = [
        ListedView(i, f"Announcement {i}: training update", Status.SENT, "sent Mon 2 Nov 2026")
        for i in range(1, 16)
    ]
    not_reached = [
        MissedView("Ieuan Price", "Fire and Rescue", "has not installed the bot"),
        MissedView("Laura Bennett", "Riverside Council", "removed or blocked the bot"),
    ]
    many = [MissedView(f"Person {n}", "Riverside Council") for n in range(1, 60)]
    return [
        ("broadcast.missed", missed_card(7, "GCP2 places open", not_reached, many[:3])),
        ("broadcast.missed.long", missed_card(7, "GCP2 places open", not_reached * 30, many)),
        ("broadcast.compose.new", compose_card(ComposeForm(), _EXAMPLE_CHOICES)),
        (
            "broadcast.compose.errors",
            compose_card(
                ComposeForm(
                    title="",
                    body="# Heading",
                    image_url="http://x.example/a.png",
                    link_title="Book",
                ),
                _EXAMPLE_CHOICES,
                errors={
                    "title": "A title is required.",
                    "body": "Teams will not show headings (#) in an announcement.",
                    "image_url": "Only https:// addresses can be used.",
                    "link_url": "The button needs an https:// address.",
                    "audience": "Choose who should receive it.",
                },
            ),
        ),
        (
            "broadcast.compose.screening",
            compose_card(
                ComposeForm(
                    title=content.title, body=content.body + " Call 07700 900123.", everyone=True
                ),
                _EXAMPLE_CHOICES,
                announcement_id=1,
                screening=Screening(("phone",), "... Call [phone]."),
            ),
        ),
        ("broadcast.announcement", announcement_card(view)),
        (
            "broadcast.announcement.acknowledged",
            announcement_card(view, acknowledged="Tue 24 Nov 2026 at 09:41"),
        ),
        ("broadcast.announcement.course", announcement_card(with_course)),
        (
            "broadcast.announcement.elearning",
            announcement_card(
                AnnouncementView(
                    3,
                    Content("Safeguarding Children Awareness e-learning", "Complete it by June."),
                    course=CourseView(6, "Safeguarding Children Awareness (Level 1)", (), True),
                )
            ),
        ),
        ("broadcast.announcement.preview", announcement_card(view, preview=True)),
        ("broadcast.announcement.reminder", announcement_card(view, reminder=True)),
        ("broadcast.draft", draft_card(draft)),
        (
            "broadcast.draft.schedule_error",
            draft_card(
                draft,
                schedule=ScheduleInput(
                    "2026-11-28", "10:00", "Saturday 28 November 2026 is not a working day."
                ),
            ),
        ),
        ("broadcast.draft.no_audience", draft_card(DraftView(view, AudienceSummary("Nobody yet")))),
        (
            "broadcast.draft.installs_first",
            draft_card(
                DraftView(
                    view,
                    AudienceSummary(
                        "Neglect champions network",
                        people=9,
                        reachable=3,
                        to_install=4,
                        why_not="1 blocked by a Teams app policy; 1 not found in Entra by work "
                        "email",
                    ),
                )
            ),
        ),
        (
            "broadcast.draft.scheduled",
            draft_card(
                DraftView(
                    view, _EXAMPLE_AUDIENCE, Status.SCHEDULED, scheduled_for="Tue 1 Dec 2026, 09:30"
                )
            ),
        ),
        ("broadcast.delete_confirmation", delete_confirmation_card(1, content.title)),
        ("broadcast.report.sending", report_card(report)),
        (
            "broadcast.report.installing",
            report_card(
                ReportView(
                    view,
                    Status.SENDING,
                    ReportCounts(
                        recipients=6,
                        pending=3,
                        installing=2,
                        sent=1,
                        failed=2,
                        reasons=(("install_blocked", 1), ("not_linked", 1)),
                    ),
                    "Neglect champions network",
                    "29:P05",
                    started="Tue 24 Nov 2026, 09:00",
                )
            ),
        ),
        (
            "broadcast.report.finished",
            report_card(
                ReportView(
                    view,
                    Status.SENT,
                    finished,
                    "Everyone",
                    "29:P05",
                    started="Tue 24 Nov 2026, 09:00",
                    finished="Tue 24 Nov 2026, 09:03",
                )
            ),
        ),
        (
            "broadcast.report.cancelled",
            report_card(
                ReportView(
                    view,
                    Status.CANCELLED,
                    cancelled,
                    "Everyone",
                    "29:P05",
                    started="Tue 24 Nov 2026, 09:00",
                    cancelled="Tue 24 Nov 2026, 09:01",
                )
            ),
        ),
        (
            "broadcast.report.scheduled",
            report_card(
                ReportView(
                    view,
                    Status.SCHEDULED,
                    ReportCounts(),
                    "Everyone",
                    "29:P05",
                    scheduled_for="Tue 1 Dec 2026, 09:30",
                )
            ),
        ),
        ("broadcast.list.empty", list_card([])),
        ("broadcast.list.long", list_card(long_list)),
        ("broadcast.refused", refusal_card()),
    ]
