"""In-memory 五进 repository: events, per-hall counters and snapshots; an event is
changed only from the revision stored, like the DynamoDB one."""

from __future__ import annotations

import zlib
from datetime import datetime

from chalicelib.adapters.dynamodb.outreach import MAX_SNAPSHOT_BYTES
from chalicelib.domain.errors import Conflict, PayloadTooLarge
from chalicelib.domain.outreach import HallTally, OutreachEvent, Snapshot, contribution, count_changes
from chalicelib.domain.paging import Page
from tests.fakes.organisation import page_of


class InMemoryOutreachRepository:
    def __init__(self) -> None:
        self.events: dict[str, OutreachEvent] = {}
        self.deleted: dict[str, tuple[str, datetime]] = {}  # id -> who deleted it, when
        self.counters: dict[tuple[str, str], HallTally] = {}
        # Stored as the JSON text published, like the DynamoDB item's payload.
        self.snapshots: dict[tuple[str, int], str] = {}

    def add_event(self, event: OutreachEvent) -> None:
        if event.event_id in self.events or event.event_id in self.deleted:
            raise Conflict(f"Event {event.event_id} exists already.")
        self.events[event.event_id] = event
        self._count(event.quarter, {event.hall_code: contribution(event)})

    def _count(self, quarter: str, changes: dict[str, dict[str, int]]) -> None:
        for hall, added in changes.items():
            tally = self.counters.get((quarter, hall)) or HallTally(hall_code=hall)
            bumped = {name: getattr(tally, name) + value for name, value in added.items()}
            self.counters[(quarter, hall)] = tally.model_copy(update=bumped)

    def _stored_as(self, event: OutreachEvent) -> None:
        """Like the DynamoDB conditions: the stored event must still be the revision read."""
        stored = self.events.get(event.event_id)
        if stored is None or stored.revision != event.revision:
            raise Conflict(f"Event {event.event_id} was changed or deleted meanwhile.")

    def replace_event(self, before: OutreachEvent, after: OutreachEvent) -> None:
        self._stored_as(before)
        self.events[after.event_id] = after
        self._count(after.quarter, count_changes(before, after))

    def delete_event(self, event: OutreachEvent, deleted_by: str, deleted_at: datetime) -> None:
        self._stored_as(event)
        del self.events[event.event_id]
        self.deleted[event.event_id] = (deleted_by, deleted_at)  # the id stays taken
        self._count(event.quarter, count_changes(event, None))

    def get_event(self, event_id: str) -> OutreachEvent | None:
        return self.events.get(event_id)

    def _sort_key(self, e: OutreachEvent) -> str:
        return f"{e.hall_code}#{e.date.isoformat()}#{e.event_id}"

    def list_events(self, quarter: str, hall_code: str, cursor: str | None, limit: int) -> Page[OutreachEvent]:
        chosen = {
            self._sort_key(e): e for e in self.events.values() if e.quarter == quarter and e.hall_code == hall_code
        }
        return page_of(chosen, cursor, limit)

    def quarter_events(self, quarter: str) -> list[OutreachEvent]:
        return sorted((e for e in self.events.values() if e.quarter == quarter), key=self._sort_key)

    def tallies(self, quarter: str) -> dict[str, HallTally]:
        return {hall: t for (q, hall), t in self.counters.items() if q == quarter}

    def add_snapshot(self, snapshot: Snapshot) -> None:
        payload = snapshot.model_dump_json()
        # The same limit as the DynamoDB item, measured the same way (compressed JSON).
        if len(zlib.compress(payload.encode("utf-8"), 9)) > MAX_SNAPSHOT_BYTES:
            raise PayloadTooLarge("This quarter's results are too large to publish as one snapshot.")
        # setdefault is one step under the GIL, like the conditional put: of two racing writers one wins.
        if self.snapshots.setdefault((snapshot.quarter, snapshot.version), payload) is not payload:
            raise Conflict(f"Version {snapshot.version} of {snapshot.quarter} exists already.")

    def latest_version(self, quarter: str) -> int:
        return max((v for q, v in self.snapshots if q == quarter), default=0)

    def get_snapshot(self, quarter: str, version: int) -> Snapshot | None:
        stored = self.snapshots.get((quarter, version))
        return Snapshot.model_validate_json(stored) if stored is not None else None
