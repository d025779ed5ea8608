"""The install queue: one row per person the bot must be installed for through Microsoft Graph.

A row is claimed under a lease, as the outbox is (storage/installs.py): `working` while one
instance holds it, back to `pending` with a later `next_attempt_at` when Graph asks to wait, or
finished with an outcome. `stage` is how far the work got: "install" (Graph not yet asked, or
asked without an answer written), then "converse" (the app is there; the personal chat is still
to be opened), so a retry after the install never asks Graph again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UtcDateTime, utcnow

PENDING = "pending"
WORKING = "working"
INSTALLED = "installed"
ALREADY_INSTALLED = "already_installed"
BLOCKED = "blocked"
NOT_FOUND = "not_found"
FAILED = "failed"
# The bot is there and its personal chat is stored.
DONE = (INSTALLED, ALREADY_INSTALLED)
# It could not be installed; "resend to failed" asks again.
REFUSED = (BLOCKED, NOT_FOUND, FAILED)
STATUSES = (PENDING, WORKING, *DONE, *REFUSED)

STAGE_INSTALL = "install"
STAGE_CONVERSE = "converse"


class InstallWork(Base):
    __tablename__ = "install_work"
    __table_args__ = (
        # The claim: due rows in order, read straight off the index.
        Index("ix_install_work_status_next_attempt_at_id", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    stage: Mapped[str] = mapped_column(String(16), default=STAGE_INSTALL)
    # How it ended or why it waits: an HTTP status or a word ("http_403", "not_linked"), never
    # message text.
    reason: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
