"""In-memory callback tasks, outbox and publisher."""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from datetime import datetime

from chalicelib.domain import callbacks as rules
from chalicelib.domain.callbacks import CallbackTask, SourceType, Status
from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import Notification
from chalicelib.domain.paging import Page
from chalicelib.domain.stats import StatKey
from chalicelib.domain.tickets import Ticket
from tests.fakes.organisation import page_of
from tests.fakes.ratings import InMemoryRatingRepository
from tests.fakes.suggestions import InMemorySuggestionRepository


class InMemoryOutbox:
    def __init__(self) -> None:
        self.sent: dict[str, Notification] = {}

    def put(self, notification: Notification) -> bool:
        if notification.id in self.sent:
            return False
        self.sent[notification.id] = notification
        return True


class InMemoryCallbackRepository:
    """Tasks; ``ratings`` and ``suggestions`` are the sources whose phones ``purge_phone`` removes
    (in DynamoDB they share one table), each when given."""

    def __init__(
        self,
        outbox: InMemoryOutbox | None = None,
        ratings: InMemoryRatingRepository | None = None,
        suggestions: InMemorySuggestionRepository | None = None,
    ) -> None:
        self.tasks: dict[str, CallbackTask] = {}
        self.tallies: dict[StatKey, collections.Counter[str]] = {}
        self.outbox = outbox or InMemoryOutbox()
        self.ratings = ratings
        self.suggestions = suggestions
        self.purged_sources: list[str] = []
        self.tickets: dict[str, Ticket] | None = None  # work orders, when wired (their tasks' sources)

    def _add(self, tallies: Mapping[StatKey, collections.Counter[str]] | None) -> None:
        for key, inc in (tallies or {}).items():
            self.tallies.setdefault(key, collections.Counter()).update(inc)

    def create(self, task: CallbackTask, tallies: Mapping[StatKey, collections.Counter[str]]) -> bool:
        if task.id in self.tasks:
            return False
        self.tasks[task.id] = task
        self._add(tallies)
        return True

    def get(self, task_id: str) -> CallbackTask | None:
        return self.tasks.get(task_id)

    def list_by_hall(self, hall_code: str, status: Status | None, cursor: str | None, limit: int) -> Page[CallbackTask]:
        closed = status is Status.closed
        found = {}
        for t in self.tasks.values():
            if t.hall_code != hall_code or (t.status is Status.closed) != closed:
                continue
            if status is not None and t.status is not status:
                continue
            order = t.closed_at if closed else t.next_due()
            found[f"{order.isoformat() if order else ''}#{t.id}"] = t
        return page_of(found, cursor, limit)

    def save(
        self,
        task: CallbackTask,
        notify: Sequence[Notification] = (),
        tallies: Mapping[StatKey, collections.Counter[str]] | None = None,
    ) -> None:
        stored = self.tasks.get(task.id)
        if stored is None or stored.version != task.version - 1:
            raise Conflict("The task changed meanwhile.")
        self.tasks[task.id] = task
        for n in notify:
            self.outbox.sent.setdefault(n.id, n)
        self._add(tallies)

    def due_for_check(self, now: datetime, limit: int) -> list[CallbackTask]:
        due = [t for t in self.tasks.values() if (c := rules.next_check(t)) is not None and c <= now]
        return sorted(due, key=lambda t: rules.next_check(t) or now)[:limit]

    def phones_to_purge(self, now: datetime, limit: int) -> list[CallbackTask]:
        found = [t for t in self.tasks.values() if t.phone and t.closed_at and t.closed_at <= now]
        return sorted(found, key=lambda t: t.closed_at or now)[:limit]

    def purge_phone(self, task: CallbackTask) -> None:
        # The source first (a source that is gone is left alone), then the task, as DynamoDB does.
        if task.source_type is SourceType.rating:
            ratings = self.ratings.ratings if self.ratings is not None else {}
            if (rating := ratings.get(task.source_id)) is not None:
                ratings[task.source_id] = rating.model_copy(update={"phone": None})
        elif task.source_type is SourceType.ticket:
            tickets = self.tickets if self.tickets is not None else {}
            if (ticket := tickets.get(task.source_id)) is not None:
                tickets[task.source_id] = ticket.model_copy(update={"phone": None})
        else:
            suggestions = self.suggestions.suggestions if self.suggestions is not None else {}
            if (suggestion := suggestions.get(task.source_id)) is not None:
                suggestions[task.source_id] = suggestion.model_copy(update={"phone": None})
        self.tasks[task.id] = self.tasks[task.id].model_copy(update={"phone": None})
        self.purged_sources.append(task.source_id)


class RecordingPublisher:
    def __init__(self) -> None:
        self.published: list[Notification] = []

    def publish(self, notification: Notification) -> None:
        self.published.append(notification)
