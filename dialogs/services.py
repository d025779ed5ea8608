"""What a turn needs from the application, built once by `create_app` and handed to the bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from botbuilder.core import ConversationState, UserState
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from config import Settings
from delivery.doorbell import Doorbell
from observability.metrics import Metrics
from usecases.context import ReferenceNames, UnitOfWork
from usecases.people import ViewerCache


@dataclass(frozen=True)
class BotServices:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    conversation_state: ConversationState
    user_state: UserState
    clock: Callable[[], datetime]
    viewers: ViewerCache = field(default_factory=lambda: ViewerCache(0))
    # Rung by whatever queues outbox rows to go now ("Send now"), to wake the dispatchers.
    doorbell: Doorbell = field(default_factory=Doorbell)
    # The application's metrics (replies the Bot Connector did not take are counted).
    metrics: Metrics = field(default_factory=Metrics)
    # Group and priority names kept between turns (and forgotten by this process's writes).
    reference_names: ReferenceNames = field(default_factory=lambda: ReferenceNames(0))

    @property
    def work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.reference_names)

    @property
    def partnership_name(self) -> str:
        """PARTNERSHIP_NAME: how the bot names the partnership on cards."""
        return self.settings.partnership_name

    @property
    def business_team_email(self) -> str:
        """BUSINESS_TEAM_EMAIL: where people not on the roster are told to write."""
        return self.settings.business_team_email
