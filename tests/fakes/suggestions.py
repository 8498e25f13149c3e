"""In-memory suggestion repository, held to the DynamoDB one by the contract suite."""

from __future__ import annotations

import collections
from datetime import UTC, datetime

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.paging import Page
from chalicelib.domain.stats import StatKey
from chalicelib.domain.suggestions import AttemptWindow, BoxOpening, Suggestion, SuggestionStatus


def _order(s: Suggestion) -> str:
    return f"{s.created_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{s.id}"


class InMemorySuggestionRepository:
    def __init__(self) -> None:
        self.suggestions: dict[str, Suggestion] = {}
        self.tracking: dict[str, str] = {}
        self.openings: dict[str, BoxOpening] = {}
        self.failures: dict[tuple[str, str], tuple[int, datetime]] = {}
        self.tallies: dict[StatKey, collections.Counter[str]] = {}

    def add(self, suggestion: Suggestion) -> None:
        if suggestion.id in self.suggestions or suggestion.tracking_no in self.tracking:
            raise Conflict("Tracking number or id is taken.")
        self.suggestions[suggestion.id] = suggestion
        self.tracking[suggestion.tracking_no] = suggestion.id
        for key, inc in suggestion.received().items():
            self.tallies.setdefault(key, collections.Counter()).update(inc)

    def get(self, suggestion_id: str) -> Suggestion | None:
        return self.suggestions.get(suggestion_id)

    def get_by_tracking_no(self, tracking_no: str) -> Suggestion | None:
        found = self.tracking.get(tracking_no)
        return self.suggestions.get(found) if found else None

    def list_by_hall(
        self, hall_code: str, statuses: tuple[SuggestionStatus, ...], cursor: str | None, limit: int
    ) -> Page[Suggestion]:
        if cursor is not None and "#" not in cursor:
            raise InvalidInput("The cursor is not one this API gave out.", {"cursor": "invalid cursor"})
        chosen = sorted(
            (
                (_order(s), s)
                for s in self.suggestions.values()
                if s.hall_code == hall_code and s.status in statuses and (cursor is None or _order(s) < cursor)
            ),
            key=lambda pair: pair[0],
            reverse=True,
        )
        page = chosen[:limit]
        return Page(items=[s for _, s in page], next=page[-1][0] if len(chosen) > limit else None)

    def oldest_new(self, hall_code: str, limit: int) -> list[Suggestion]:
        waiting = [
            s for s in self.suggestions.values() if s.hall_code == hall_code and s.status is SuggestionStatus.new
        ]
        return sorted(waiting, key=_order)[:limit]

    def update(self, suggestion: Suggestion, expected: SuggestionStatus) -> None:
        stored = self.suggestions.get(suggestion.id)
        if stored is None or stored.status is not expected:
            raise Conflict(f"Suggestion {suggestion.id} changed meanwhile: reload it.")
        self.suggestions[suggestion.id] = suggestion

    def contacts_to_purge(self, closed_before: datetime, limit: int) -> list[Suggestion]:
        found = [
            s for s in self.suggestions.values() if s.closed_at and s.closed_at <= closed_before and (s.phone or s.name)
        ]
        return sorted(found, key=lambda s: s.closed_at or closed_before)[:limit]

    def purge_contact(self, suggestion: Suggestion) -> None:
        stored = self.suggestions.get(suggestion.id)
        if stored is not None:
            self.suggestions[suggestion.id] = stored.model_copy(update={"phone": None, "name": None})

    def record_box_opening(self, opening: BoxOpening) -> None:
        last = self.openings.get(opening.hall_code)
        if last is None or last.opened_at <= opening.opened_at:
            self.openings[opening.hall_code] = opening

    def last_box_opening(self, hall_code: str) -> BoxOpening | None:
        return self.openings.get(hall_code)

    def tracking_failures(self, tracking_no: str, window: AttemptWindow, now: datetime) -> int:
        count, expires_at = self.failures.get((tracking_no, window.key), (0, now))
        return count if expires_at > now else 0

    def add_tracking_failure(self, tracking_no: str, window: AttemptWindow) -> int:
        count, _ = self.failures.get((tracking_no, window.key), (0, window.expires_at))
        self.failures[(tracking_no, window.key)] = (count + 1, window.expires_at)
        return count + 1
