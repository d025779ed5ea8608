"""The waiting-list promotion notice: one per promotion, sent at once unless that is a quiet hour
or a day off, and nothing for a session that has started or been cancelled."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from domain.reminders import (
    Kind,
    PromotionFacts,
    ReminderRules,
    plan_promotion_notice,
    promotion_key,
)
from domain.send_times import QuietHours, SendRules

RULES = ReminderRules(
    send=SendRules(ZoneInfo("Europe/London"), quiet_hours=QuietHours(time(18), time(8)))
)
STARTS = datetime(2027, 2, 16, 9, 30, tzinfo=UTC)


def promotion(promoted_at: datetime, **changes: object) -> PromotionFacts:
    fields = {"booking_id": 12, "person_id": 7, "promoted_at": promoted_at, "starts_at": STARTS}
    return PromotionFacts(**{**fields, **changes})


def test_a_promotion_in_working_hours_is_told_at_once():
    at = datetime(2027, 2, 9, 14, 5, 30, tzinfo=UTC)
    (notice,) = plan_promotion_notice(promotion(at), at, RULES)
    assert notice.kind == Kind.WAITING_LIST_PLACE
    assert (notice.subject, notice.recipient_id) == ("booking:12", 7)
    assert notice.occurrence == "promoted-20270209T140530" == promotion_key(at)
    assert notice.not_before == at


def test_a_friday_evening_promotion_waits_for_monday_morning():
    friday_evening = datetime(2027, 2, 5, 19, 0, tzinfo=UTC)
    (notice,) = plan_promotion_notice(promotion(friday_evening), friday_evening, RULES)
    assert notice.not_before == datetime(2027, 2, 8, 9, 0, tzinfo=UTC)


def test_promoted_again_is_a_new_occurrence():
    first = datetime(2027, 2, 1, 10, tzinfo=UTC)
    second = datetime(2027, 2, 3, 10, tzinfo=UTC)
    keys = {
        plan_promotion_notice(promotion(at), second, RULES)[0].occurrence for at in (first, second)
    }
    assert len(keys) == 2


def test_nothing_for_a_session_started_or_cancelled():
    at = datetime(2027, 2, 9, 14, tzinfo=UTC)
    assert plan_promotion_notice(promotion(at), STARTS, RULES) == []
    assert plan_promotion_notice(promotion(at, session_cancelled=True), at, RULES) == []
