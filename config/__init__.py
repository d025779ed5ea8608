"""Configuration: the typed `Settings` read once from the environment."""

from config.settings import ConfigError, ReminderSettings, Settings

__all__ = ["ConfigError", "ReminderSettings", "Settings"]
