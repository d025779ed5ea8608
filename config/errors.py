"""The one error a bad setting raises."""

from __future__ import annotations


class ConfigError(ValueError):
    """A setting is missing or has a value the bot cannot use; the message names it."""
