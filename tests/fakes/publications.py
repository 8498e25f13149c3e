"""In-memory published month versions."""

from __future__ import annotations

from chalicelib.domain.errors import Conflict
from chalicelib.domain.publications import MonthSnapshot, Publication


class InMemoryMonthPublications:
    def __init__(self) -> None:
        # Stored as JSON text, like the DynamoDB chunks: a reader never shares the writer's objects.
        self.snapshots: dict[tuple[str, int], str] = {}

    def add(self, snapshot: MonthSnapshot) -> None:
        payload = snapshot.model_dump_json()
        # setdefault is one step under the GIL, like the conditional put: of two racing writers one wins.
        if self.snapshots.setdefault((snapshot.month, snapshot.version), payload) is not payload:
            raise Conflict(f"Version {snapshot.version} of {snapshot.month} exists already.")

    def latest_version(self, month: str) -> int:
        return max((v for m, v in self.snapshots if m == month), default=0)

    def versions(self, month: str) -> list[Publication]:
        found = (self.get(m, v) for m, v in sorted(self.snapshots) if m == month)
        return [s.publication for s in found if s is not None]

    def get(self, month: str, version: int) -> MonthSnapshot | None:
        stored = self.snapshots.get((month, version))
        return MonthSnapshot.model_validate_json(stored) if stored is not None else None
