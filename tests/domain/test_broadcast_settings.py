"""Sending hours for announcements are a setting, checked at start-up."""

import pytest

from config import ConfigError, Settings
from domain.broadcasts import SendingHours


def test_default_sending_hours():
    settings = Settings.from_env({})
    hours = SendingHours.parse(*settings.broadcast_hours, settings.timezone)
    assert hours.describe() == "08:00-18:00 on working days"


def test_sending_hours_from_the_environment():
    settings = Settings.from_env({"BROADCAST_HOURS_START": "09:30", "BROADCAST_HOURS_END": "16:00"})
    assert settings.broadcast_hours == ("09:30", "16:00")


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("18:00", "08:00", "must be before"),
        ("9am", "17:00", "BROADCAST_HOURS_START"),
    ],
)
def test_bad_sending_hours_are_refused_by_name(start, end, words):
    with pytest.raises(ConfigError, match=words):
        Settings.from_env({"BROADCAST_HOURS_START": start, "BROADCAST_HOURS_END": end})
