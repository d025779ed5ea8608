"""Every card action verb of the bot, as one enum.

A button's `verb` (Action.Execute) or `data.verb` (Action.Submit) is one of these; the router in
`dialogs/` looks handlers up by it, so a typo is an error at start-up rather than a dead button.
"""

from enum import StrEnum


class Verb(StrEnum):
    HELP = "help"
    WELCOME = "welcome"
