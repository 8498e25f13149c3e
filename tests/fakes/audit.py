"""The in-memory audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from chalicelib.domain.audit import AuditEntry, RecordKind
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.paging import Page


def _order(entry: AuditEntry) -> str:
    """As DynamoDB sorts them: fixed-width UTC time, then the id."""
    return f"{entry.at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}#{entry.id}"


class InMemoryAuditLog:
    def __init__(self) -> None:
        # Stored as JSON text, like DynamoDB's before/after: a reader never shares the writer's objects.
        self.entries: dict[str, str] = {}

    def add(self, entry: AuditEntry) -> None:
        self.entries[_order(entry)] = entry.model_dump_json()

    def history(self, kind: RecordKind, key: str, cursor: str | None, limit: int) -> Page[AuditEntry]:
        return self._page(lambda e: e.filed_under == (kind, key), cursor, limit)

    def between(self, first: datetime, last: datetime, cursor: str | None, limit: int) -> Page[AuditEntry]:
        return self._page(lambda e: first <= e.at < last, cursor, limit)

    def by_actor(self, actor: str, first: datetime, last: datetime, cursor: str | None, limit: int) -> Page[AuditEntry]:
        return self._page(lambda e: e.actor == actor and first <= e.at < last, cursor, limit)

    def _page(self, wanted: Callable[[AuditEntry], bool], cursor: str | None, limit: int) -> Page[AuditEntry]:
        found = [(k, e) for k, e in self._newest_first() if wanted(e)]
        if cursor is not None:
            if cursor not in {k for k, _ in found}:
                raise InvalidInput("The cursor does not belong to this list.", {"cursor": "invalid cursor"})
            found = [(k, e) for k, e in found if k < cursor]
        chosen = found[:limit]
        return Page(items=[e for _, e in chosen], next=chosen[-1][0] if len(found) > limit else None)

    def _newest_first(self) -> list[tuple[str, AuditEntry]]:
        return [(k, AuditEntry.model_validate_json(self.entries[k])) for k in sorted(self.entries, reverse=True)]
