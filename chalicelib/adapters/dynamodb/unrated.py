"""Unrated visits and the tallies they feed, written together (as ratings are).

A batch goes in as few transactions as fit: a conditional put per visit and the
merged ADDs of the tallies they feed. A visit id stored before fails its
condition; the transaction is sent again without it (a duplicate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.adapters.dynamodb.tallies import put_counted
from chalicelib.domain.unrated import UnratedVisit, merged

# Each visit feeds at most three tallies: 25 visits and their tallies stay under 100 items.
CHUNK = 25


def _visit_item(v: UnratedVisit) -> dict[str, Any]:
    pk, sk = keys.unrated_visit(v.id)
    return {"pk": pk, "sk": sk, **v.model_dump(mode="json", exclude_none=True)}


class DynamoUnratedRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def save_visits(self, visits: Sequence[UnratedVisit]) -> dict[str, str]:
        first: dict[str, UnratedVisit] = {}
        for v in visits:  # a transaction may not touch an item twice
            first.setdefault(v.id, v)
        pending = list(first.values())
        statuses: dict[str, str] = {}
        for start in range(0, len(pending), CHUNK):
            statuses.update(self._write(pending[start : start + CHUNK]))
        return statuses

    def _write(self, chunk: list[UnratedVisit]) -> dict[str, str]:
        return put_counted(self.table, chunk, _visit_item, merged)
