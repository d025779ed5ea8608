"""Configuration: the typed `Settings` read once from the environment."""

from config.settings import ConfigError, GraphSettings, ReminderSettings, Settings

__all__ = ["ConfigError", "GraphSettings", "ReminderSettings", "Settings"]
