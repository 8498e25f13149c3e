"""Published month versions in DynamoDB (SPEC §3 Month publication): each a header
(who published it, when) and its frozen rows, written once (``frozen_versions``)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.frozen_versions import CHUNK_BYTES, MAX_CHUNKS, FrozenVersions
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.publications import MonthRows, MonthSnapshot, Publication


def _publication(item: dict[str, Any]) -> Publication:
    return Publication(
        month=item["month"],
        version=item["version"],
        published_at=item["published_at"],
        published_by=item["published_by"],
    )


class DynamoMonthPublications:
    def __init__(self, table: Table, chunk_bytes: int = CHUNK_BYTES, max_chunks: int = MAX_CHUNKS) -> None:
        self.versions_of = FrozenVersions(table, chunk_bytes, max_chunks)

    def add(self, snapshot: MonthSnapshot) -> None:
        month = snapshot.month
        self.versions_of.add(
            keys.month_publications(month),
            snapshot.version,
            snapshot.publication.model_dump(mode="json"),
            snapshot.rows.model_dump_json().encode("utf-8"),
            month,
        )

    def latest_version(self, month: str) -> int:
        return self.versions_of.latest_version(keys.month_publications(month))

    def versions(self, month: str) -> list[Publication]:
        return [_publication(h) for h in self.versions_of.headers(keys.month_publications(month))]

    def get(self, month: str, version: int) -> MonthSnapshot | None:
        found = self.versions_of.get(keys.month_publications(month), version)
        if found is None:
            return None
        header, rows = found
        return MonthSnapshot(**_publication(header).model_dump(), rows=MonthRows.model_validate_json(rows))
