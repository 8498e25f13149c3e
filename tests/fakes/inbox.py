"""In-memory console inboxes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.domain.errors import NotFound
from chalicelib.domain.inbox import InboxEntry
from chalicelib.domain.paging import Page
from tests.fakes.organisation import page_of


class InMemoryInboxRepository:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], InboxEntry] = {}

    def deliver(self, entries: Sequence[InboxEntry]) -> int:
        added = 0
        for e in entries:
            if (e.username, e.notification_id) not in self.items:
                self.items[(e.username, e.notification_id)] = e
                added += 1
        return added

    def entries(self, username: str, cursor: str | None, limit: int) -> Page[InboxEntry]:
        keyed = {
            f"{9e12 - e.created_at.timestamp():016.3f}#{e.notification_id}": e
            for (user, _), e in self.items.items()
            if user == username
        }
        return page_of(keyed, cursor, limit)

    def unread(self, username: str) -> int:
        return sum(1 for (user, _), e in self.items.items() if user == username and e.read_at is None)

    def mark_read(self, username: str, notification_id: str, at: datetime) -> bool:
        entry = self.items.get((username, notification_id))
        if entry is None:
            raise NotFound(f"No notification {notification_id} in your inbox.")
        if entry.read_at is not None:
            return False
        self.items[(username, notification_id)] = entry.model_copy(update={"read_at": at})
        return True
