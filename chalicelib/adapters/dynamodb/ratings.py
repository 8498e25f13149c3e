"""Ratings and their tallies in DynamoDB.

A batch is written in as few transactions as fit: each transaction holds
several ratings (a conditional put each) and the merged ADDs of every tally
they feed, so a rating and its counters change together. A rating id that
exists already fails its condition (``Table.transact`` raises
ConditionFailed naming the positions), and the transaction is tried again
without those ratings: they are duplicates. Conflicts with another writer are
retried inside ``Table.transact``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import keys, presses
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.adapters.dynamodb.tallies import put_counted, read_tally
from chalicelib.domain.paging import Page
from chalicelib.domain.ratings import Rating
from chalicelib.domain.stats import StatKey, StatKind, merge
from chalicelib.services.ports import PressWindow, SaveOutcome

MAX_TRANSACTION_ITEMS = 100


def _rating_item(r: Rating) -> dict[str, Any]:
    pk, sk = keys.rating(r.id)
    return {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.hall_ratings_of_day(r.hall_code, r.day),
        "gsi1sk": f"{r.rated_at.isoformat()}#{r.id}",
        **r.model_dump(mode="json", exclude_none=True),
    }


class DynamoRatingRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def save_batch(self, ratings: Sequence[Rating]) -> dict[str, str]:
        statuses: dict[str, str] = {}
        first: dict[str, Rating] = {}
        for r in ratings:  # an id given twice counts once, the first (a transaction may not touch an item twice)
            first.setdefault(r.id, r)
        pending = list(first.values())
        while pending:
            chunk = self._next_chunk(pending)
            del pending[: len(chunk)]
            statuses.update(self._write_chunk(chunk))
        return statuses

    @staticmethod
    def _next_chunk(pending: list[Rating]) -> list[Rating]:
        """The longest prefix whose puts plus merged tally updates fit one transaction."""
        chunk: list[Rating] = []
        tallies: set[StatKey] = set()
        for r in pending:
            grown = tallies | set(merge([r]))
            if chunk and len(chunk) + 1 + len(grown) > MAX_TRANSACTION_ITEMS:
                break
            chunk.append(r)
            tallies = grown
        return chunk

    def _write_chunk(self, chunk: list[Rating]) -> dict[str, str]:
        return put_counted(self.table, chunk, _rating_item, merge)

    def get_rating(self, rating_id: str) -> Rating | None:
        item = self.table.get(*keys.rating(rating_id))
        return Rating(**fields_of(item, Rating)) if item else None

    def ratings_of_day(self, hall_code: str, day: str) -> Iterator[Rating]:
        return self.table.query_all(
            lambda i: Rating(**fields_of(i, Rating)),
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.hall_ratings_of_day(hall_code, day)}),
        )

    def day_page(self, hall_code: str, day: str, cursor: str | None, limit: int) -> Page[Rating]:
        return self.table.query_page(
            lambda i: Rating(**fields_of(i, Rating)),
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.hall_ratings_of_day(hall_code, day)}),
        )

    def presses_near(self, device_id: str, times: Sequence[datetime], min_interval: timedelta) -> PressWindow:
        return presses.read_window(self.table, device_id, times, min_interval)

    def save_presses(self, window: PressWindow, ratings: Sequence[Rating], turned: Sequence[Rating]) -> SaveOutcome:
        return presses.save(self.table, window, ratings, turned, _rating_item)

    def tallies_of_kind(self, hall_code: str, month: str, kind: StatKind) -> dict[StatKey, Counter[str]]:
        # A kind's bare sort key (``STAFF``, ``DAY``, ``CALLBACKS``) begins every
        # tally of that kind, and no kind's name begins another's, so one Query
        # on that prefix reads exactly the kind (a hall's staff tallies: one Query).
        pk, prefix = keys.stat(StatKey(hall_code, month, kind, "", None))
        found: dict[StatKey, Counter[str]] = {}
        pages = self.table.client.get_paginator("query").paginate(
            TableName=self.table.name,
            KeyConditionExpression="pk = :p AND begins_with(sk, :k)",
            ExpressionAttributeValues=to_item({":p": pk, ":k": prefix}),
        )
        for page in pages:
            for raw in page.get("Items", []):
                key, counts = read_tally(hall_code, month, from_item(raw))
                found[key] = counts
        return found
