"""Numbered versions written once: month publications and published stars.

A version is written in one transaction: its header, conditional on the
version number being free, and its payload (JSON, zlib-compressed) cut into
chunks, since a province's rows pass one item's 400 KB. Nothing ever updates
either; a reader takes the header, then the chunks it counts. Each kind keeps
its versions in one partition of its own (``keys.month_publications``,
``keys.star_publications``), headers under ``VERSION#`` and chunks under
``CHUNK#``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, from_item, to_item
from chalicelib.domain.errors import Conflict, PayloadTooLarge

# An item stops at 400 KB: leave room for the keys and attribute names.
CHUNK_BYTES = 350_000
# A transaction holds at most 100 items and 4 MB in all: ten chunks and the header fit.
MAX_CHUNKS = 10


class FrozenVersions:
    def __init__(self, table: Table, chunk_bytes: int = CHUNK_BYTES, max_chunks: int = MAX_CHUNKS) -> None:
        self.table = table
        self.chunk_bytes = chunk_bytes
        self.max_chunks = max_chunks

    def add(self, pk: str, version: int, header: dict[str, Any], rows_json: bytes, what: str) -> None:
        """Write version ``version`` of ``what`` (its header attributes and its rows), all or nothing."""
        payload = zlib.compress(rows_json, 9)
        chunks = [payload[i : i + self.chunk_bytes] for i in range(0, len(payload), self.chunk_bytes)]
        if len(chunks) > self.max_chunks:
            raise PayloadTooLarge(f"The rows of {what} are too large to publish as one version.")
        item = {**header, "pk": pk, "sk": keys.version_of(version), "version": version}
        head = {
            "TableName": self.table.name,
            "Item": to_item({**item, "chunks": len(chunks), "bytes": len(payload)}),
            # One writer per version: of two publishes aiming at the same next
            # number, the second is cancelled whole (its chunks too), never overwriting.
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        parts = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": to_item({"pk": pk, "sk": keys.chunk_of(version, i), "payload": chunk}),
                }
            }
            for i, chunk in enumerate(chunks)
        ]
        # Only the header has a condition: its failure means the number is taken.
        self.table.transact(
            [{"Put": head}, *parts], refusals={0: Conflict(f"Version {version} of {what} exists already.")}
        )

    def latest_version(self, pk: str) -> int:
        answer = self.table.client.query(
            TableName=self.table.name,
            KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
            ExpressionAttributeValues=to_item({":p": pk, ":v": keys.VERSION_PREFIX}),
            ProjectionExpression="#v",
            ExpressionAttributeNames={"#v": "version"},  # a reserved word
            ScanIndexForward=False,  # newest first: the sort key zero-pads the version
            Limit=1,
            ConsistentRead=True,
        )
        items = answer.get("Items", [])
        return int(from_item(items[0])["version"]) if items else 0

    def headers(self, pk: str) -> Iterator[dict[str, Any]]:
        """Every version's header, oldest first."""
        return self.table.query_all(
            lambda item: item,
            KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
            ExpressionAttributeValues=to_item({":p": pk, ":v": keys.VERSION_PREFIX}),
            ConsistentRead=True,
        )

    def get(self, pk: str, version: int) -> tuple[dict[str, Any], bytes] | None:
        """A version's header and its rows' JSON; None when there is no such version."""
        header = self.table.get(pk, keys.version_of(version))
        if header is None:
            return None
        chunks = list(
            self.table.query_all(
                lambda item: bytes(item["payload"]),
                KeyConditionExpression="pk = :p AND begins_with(sk, :c)",
                ExpressionAttributeValues=to_item({":p": pk, ":c": keys.chunks_of(version)}),
                ConsistentRead=True,  # the header and its chunks were written together
            )
        )
        if len(chunks) != header["chunks"]:
            raise RuntimeError(f"Version {version} of {pk} has {len(chunks)} of {header['chunks']} chunks.")
        return header, zlib.decompress(b"".join(chunks))
