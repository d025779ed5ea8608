"""Typed reading of parsed iCalendar events for tests.

icalendar types a property as any of its value classes, so a timed property is narrowed here,
failing the test when it is absent or not a time."""

from __future__ import annotations

from datetime import datetime

from icalendar import Component, vDDDTypes


def timed(event: Component, name: str) -> datetime:
    """The datetime of a DTSTART/DTEND-like property of a parsed event."""
    prop = event[name]
    assert isinstance(prop, vDDDTypes), type(prop)
    value = prop.dt
    assert isinstance(value, datetime), value
    return value
