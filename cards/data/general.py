"""Card data of the always-there commands (help, hello) and their buttons: nothing but the verb."""

from __future__ import annotations

from cards.data import NoData


class HelpData(NoData):
    """`help`, typed or from a button."""


class WelcomeData(NoData):
    """`hello`, typed or from a button: the person's welcome card and roles."""


class ThanksData(NoData):
    """"Thanks", "cheers", "ta": answered with a plain "You're welcome."."""


class NeedsYouData(NoData):
    """"What do I need to do?", typed: one answer from the person's actions, meetings and
    reminders."""
