"""In-memory work orders (the DynamoDB one is adapters/dynamodb/tickets.py)."""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from datetime import datetime

from chalicelib.domain import tickets as rules
from chalicelib.domain.callbacks import CallbackTask
from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import Notification
from chalicelib.domain.paging import Page
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.domain.tickets import Flag, Status, Ticket
from chalicelib.services.ports import QueueOf
from tests.fakes.callbacks import InMemoryCallbackRepository, InMemoryOutbox
from tests.fakes.organisation import page_of
from tests.fakes.suggestions import InMemorySuggestionRepository


class InMemoryTicketRepository:
    """Orders; ``callbacks`` (their tasks) and ``suggestions`` (linked to orders made from them)
    stand for the rest of the one table."""

    def __init__(
        self,
        callbacks: InMemoryCallbackRepository | None = None,
        suggestions: InMemorySuggestionRepository | None = None,
        outbox: InMemoryOutbox | None = None,
    ) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.numbers: dict[str, str] = {}
        self.linked: dict[str, str] = {}  # suggestion id -> order id
        self.tallies: dict[StatKey, collections.Counter[str]] = {}
        self.callbacks = callbacks or InMemoryCallbackRepository()
        self.suggestions = suggestions
        self.outbox = outbox or self.callbacks.outbox

    def _add(self, tallies: Mapping[StatKey, collections.Counter[str]] | None) -> None:
        for key, inc in (tallies or {}).items():
            self.tallies.setdefault(key, collections.Counter()).update(inc)

    def create(
        self,
        ticket: Ticket,
        tallies: Mapping[StatKey, collections.Counter[str]],
        notify: Sequence[Notification] = (),
    ) -> bool:
        if ticket.id in self.tickets:
            return False
        if ticket.suggestion_id:
            known = self.suggestions is None or ticket.suggestion_id in self.suggestions.suggestions
            if not known or ticket.suggestion_id in self.linked:
                return False
        if ticket.ticket_no in self.numbers:
            raise Conflict("The ticket number is taken.")
        self.tickets[ticket.id] = ticket
        self.numbers[ticket.ticket_no] = ticket.id
        if ticket.suggestion_id:
            self.linked[ticket.suggestion_id] = ticket.id
            if self.suggestions is not None:
                stored = self.suggestions.suggestions[ticket.suggestion_id]
                self.suggestions.suggestions[stored.id] = stored.model_copy(update={"ticket_id": ticket.id})
        self._add(tallies)
        for n in notify:
            self.outbox.sent.setdefault(n.id, n)
        return True

    def get(self, ticket_id: str) -> Ticket | None:
        return self.tickets.get(ticket_id)

    def get_by_no(self, ticket_no: str) -> Ticket | None:
        found = self.numbers.get(ticket_no)
        return self.tickets.get(found) if found else None

    def save(
        self,
        ticket: Ticket,
        notify: Sequence[Notification] = (),
        tallies: Mapping[StatKey, collections.Counter[str]] | None = None,
        new_task: CallbackTask | None = None,
        changed_task: CallbackTask | None = None,
    ) -> None:
        stored = self.tickets.get(ticket.id)
        if stored is None or stored.version != ticket.version - 1:
            raise Conflict("The order changed meanwhile; reload and retry.")
        if new_task is not None and new_task.id in self.callbacks.tasks:
            raise Conflict("The order's callback task exists already.")
        if changed_task is not None:
            before = self.callbacks.tasks.get(changed_task.id)
            if before is None or before.version != changed_task.version - 1:
                raise Conflict("The callback task changed meanwhile; retry.")
        self.tickets[ticket.id] = ticket
        for n in notify:
            self.outbox.sent.setdefault(n.id, n)
        self._add(tallies)
        for task in (new_task, changed_task):
            if task is not None:
                self.callbacks.tasks[task.id] = task

    def queue(
        self, of: QueueOf, status: Status | None, flag: Flag | None, cursor: str | None, limit: int
    ) -> Page[Ticket]:
        found = {
            f"{t.due_at.isoformat()}#{t.id}": t
            for t in self.tickets.values()
            if t.status is not Status.closed
            and (t.department == of.department if of.department else t.hall_code == of.hall_code)
            and (status is None or t.status is status)
            and (flag is None or flag in t.flags)
        }
        return page_of(found, cursor, limit)

    def ledger(self, hall_code: str, month: str) -> list[Ticket]:
        found = [t for t in self.tickets.values() if t.hall_code == hall_code and t.month == month]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def due_for_check(self, now: datetime, limit: int) -> list[Ticket]:
        due = [t for t in self.tickets.values() if (c := rules.next_check(t)) is not None and c <= now]
        return sorted(due, key=lambda t: rules.next_check(t) or now)[:limit]

    def tallies_of_kind(self, hall_code: str, month: str, kind: StatKind) -> dict[StatKey, collections.Counter[str]]:
        """As the ratings' TallyReader reads them (in DynamoDB all tallies share the table)."""
        return {
            k: collections.Counter(v)
            for k, v in self.tallies.items()
            if (k.hall_code, k.month, k.kind) == (hall_code, month, kind)
        }
