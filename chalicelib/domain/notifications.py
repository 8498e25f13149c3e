"""Notifications to hall managers and branches, stored before they are sent.

A notification is written to the outbox first (keyed so that writing it
twice is harmless); the stream handler delivers what was stored. Nothing is
sent only from memory.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Audience(StrEnum):
    hall_manager = "hall_manager"
    branch = "branch"
    admins = "admins"  # every active company admin


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # the idempotency key: the same event never makes two notifications
    kind: str  # callback_at_risk, callback_overdue, suggestion_digest, outreach_reminder ...
    hall_code: str
    audiences: tuple[Audience, ...]
    subject: str
    body: str
    created_at: datetime
