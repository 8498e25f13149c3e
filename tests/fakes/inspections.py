"""In-memory checklists, inspections, star rules and published stars."""

from __future__ import annotations

import collections
from datetime import UTC

from chalicelib.domain import inspections as rules
from chalicelib.domain.checklists import Checklist
from chalicelib.domain.errors import Conflict
from chalicelib.domain.inspections import Inspection
from chalicelib.domain.paging import Page
from chalicelib.domain.stars import RuleSet, StarPublication, StarSnapshot
from chalicelib.domain.stats import StatKey
from tests.fakes.organisation import page_of


class InMemoryChecklistRepository:
    def __init__(self) -> None:
        self.versions: dict[tuple[str, int], str] = {}

    def add(self, checklist: Checklist) -> None:
        payload = checklist.model_dump_json()
        if self.versions.setdefault((checklist.code, checklist.version), payload) is not payload:
            raise Conflict(f"Version {checklist.version} of checklist {checklist.code} exists already.")

    def get(self, code: str, version: int) -> Checklist | None:
        stored = self.versions.get((code, version))
        return Checklist.model_validate_json(stored) if stored else None

    def latest(self, code: str) -> Checklist | None:
        numbers = [v for c, v in self.versions if c == code]
        return self.get(code, max(numbers)) if numbers else None

    def every_latest(self) -> list[Checklist]:
        return [c for c in (self.latest(code) for code in sorted({c for c, _ in self.versions})) if c is not None]


class InMemoryInspectionRepository:
    def __init__(self) -> None:
        self.inspections: dict[str, str] = {}
        # Shared with the ratings fake in the contract suite: one table holds every tally.
        self.tallies: dict[StatKey, collections.Counter[str]] = {}

    def _count(self, inspection: Inspection, sign: int) -> None:
        for key, inc in rules.tallies(inspection, sign).items():
            self.tallies.setdefault(key, collections.Counter()).update(inc)

    def add(self, inspection: Inspection) -> None:
        if inspection.id in self.inspections:
            raise Conflict(f"Inspection {inspection.id} exists already.")
        self.inspections[inspection.id] = inspection.model_dump_json()
        if inspection.counted:
            self._count(inspection, 1)

    def get(self, inspection_id: str) -> Inspection | None:
        stored = self.inspections.get(inspection_id)
        return Inspection.model_validate_json(stored) if stored else None

    def _page(self, wanted: list[Inspection], cursor: str | None, limit: int) -> Page[Inspection]:
        keyed = {f"{i.inspected_at.astimezone(UTC).isoformat()}#{i.id}": i for i in wanted}
        return page_of(keyed, cursor, limit)

    def _all(self) -> list[Inspection]:
        return [Inspection.model_validate_json(s) for s in self.inspections.values()]

    def list_by_hall(self, hall_code: str, month: str, cursor: str | None, limit: int) -> Page[Inspection]:
        return self._page([i for i in self._all() if (i.hall_code, i.month) == (hall_code, month)], cursor, limit)

    def list_by_inspector(self, inspector: str, month: str, cursor: str | None, limit: int) -> Page[Inspection]:
        return self._page([i for i in self._all() if (i.inspector, i.month) == (inspector, month)], cursor, limit)

    def save(self, before: Inspection, after: Inspection) -> None:
        stored = self.get(before.id)
        if stored is None or stored.revision != before.revision:
            raise Conflict(f"Inspection {before.id} changed meanwhile; reload it.")
        self.inspections[after.id] = after.model_dump_json()
        if before.counted and not after.counted:
            self._count(before, -1)


class InMemoryStarRuleRepository:
    def __init__(self) -> None:
        self.versions: dict[int, str] = {}

    def add(self, rules: RuleSet) -> None:
        payload = rules.model_dump_json()
        if self.versions.setdefault(rules.version, payload) is not payload:
            raise Conflict(f"Star rules version {rules.version} exists already.")

    def latest(self) -> RuleSet | None:
        return self.get(max(self.versions)) if self.versions else None

    def get(self, version: int) -> RuleSet | None:
        stored = self.versions.get(version)
        return RuleSet.model_validate_json(stored) if stored else None


class InMemoryStarPublications:
    def __init__(self) -> None:
        self.snapshots: dict[tuple[str, int], str] = {}

    def add(self, snapshot: StarSnapshot) -> None:
        payload = snapshot.model_dump_json()
        if self.snapshots.setdefault((snapshot.quarter, snapshot.version), payload) is not payload:
            raise Conflict(f"Version {snapshot.version} of {snapshot.quarter} exists already.")

    def latest_version(self, quarter: str) -> int:
        return max((v for q, v in self.snapshots if q == quarter), default=0)

    def versions(self, quarter: str) -> list[StarPublication]:
        found = (self.get(q, v) for q, v in sorted(self.snapshots) if q == quarter)
        return [s.publication for s in found if s is not None]

    def get(self, quarter: str, version: int) -> StarSnapshot | None:
        stored = self.snapshots.get((quarter, version))
        return StarSnapshot.model_validate_json(stored) if stored is not None else None
