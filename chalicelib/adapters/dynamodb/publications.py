"""Published month versions in DynamoDB (SPEC §3 Month publication).

A version is written once, in one transaction: its header, conditional on the
version number being free, and its frozen rows as zlib-compressed JSON cut into
chunks, since a province's month passes one item's 400 KB. Nothing ever
updates either; a reader takes the header, then the chunks it counts.
"""

from __future__ import annotations

import zlib
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, from_item, to_item
from chalicelib.domain.errors import Conflict, PayloadTooLarge
from chalicelib.domain.publications import MonthRows, MonthSnapshot, Publication

# An item stops at 400 KB: leave room for the keys and attribute names.
CHUNK_BYTES = 350_000
# A transaction holds at most 100 items and 4 MB in all: ten chunks and the header fit.
MAX_CHUNKS = 10


def _publication(item: dict[str, Any]) -> Publication:
    return Publication(
        month=item["month"],
        version=item["version"],
        published_at=item["published_at"],
        published_by=item["published_by"],
    )


class DynamoMonthPublications:
    def __init__(self, table: Table, chunk_bytes: int = CHUNK_BYTES, max_chunks: int = MAX_CHUNKS) -> None:
        self.table = table
        self.chunk_bytes = chunk_bytes
        self.max_chunks = max_chunks

    def add(self, snapshot: MonthSnapshot) -> None:
        month, version = snapshot.month, snapshot.version
        payload = zlib.compress(snapshot.rows.model_dump_json().encode("utf-8"), 9)
        chunks = [payload[i : i + self.chunk_bytes] for i in range(0, len(payload), self.chunk_bytes)]
        if len(chunks) > self.max_chunks:
            raise PayloadTooLarge(f"The rows of {month} are too large to publish as one version.")
        pk, sk = keys.month_version(month, version)
        header = {
            "TableName": self.table.name,
            "Item": to_item(
                {
                    "pk": pk,
                    "sk": sk,
                    **snapshot.publication.model_dump(mode="json"),
                    "chunks": len(chunks),
                    "bytes": len(payload),
                }
            ),
            # One writer per version: of two publishes aiming at the same next
            # number, the second is cancelled whole (its chunks too), never overwriting.
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        parts = [
            {"Put": {"TableName": self.table.name, "Item": self._chunk(month, version, i, chunk)}}
            for i, chunk in enumerate(chunks)
        ]
        # Only the header has a condition: its failure means the number is taken.
        self.table.transact(
            [{"Put": header}, *parts], refusals={0: Conflict(f"Version {version} of {month} exists already.")}
        )

    @staticmethod
    def _chunk(month: str, version: int, index: int, payload: bytes) -> dict[str, Any]:
        pk, sk = keys.month_chunk(month, version, index)
        return to_item({"pk": pk, "sk": sk, "payload": payload})

    def latest_version(self, month: str) -> int:
        answer = self.table.client.query(
            TableName=self.table.name,
            KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
            ExpressionAttributeValues=to_item({":p": keys.month_publications(month), ":v": keys.MONTH_VERSION_PREFIX}),
            ProjectionExpression="#v",
            ExpressionAttributeNames={"#v": "version"},  # a reserved word
            ScanIndexForward=False,  # newest first: the sort key zero-pads the version
            Limit=1,
            ConsistentRead=True,
        )
        items = answer.get("Items", [])
        return int(from_item(items[0])["version"]) if items else 0

    def versions(self, month: str) -> list[Publication]:
        return list(
            self.table.query_all(
                _publication,
                KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                ExpressionAttributeValues=to_item(
                    {":p": keys.month_publications(month), ":v": keys.MONTH_VERSION_PREFIX}
                ),
                ConsistentRead=True,
            )
        )

    def get(self, month: str, version: int) -> MonthSnapshot | None:
        header = self.table.get(*keys.month_version(month, version))
        if header is None:
            return None
        chunks = list(
            self.table.query_all(
                lambda item: bytes(item["payload"]),
                KeyConditionExpression="pk = :p AND begins_with(sk, :c)",
                ExpressionAttributeValues=to_item(
                    {":p": keys.month_publications(month), ":c": keys.month_chunks(version)}
                ),
                ConsistentRead=True,  # the header and its chunks were written together
            )
        )
        if len(chunks) != header["chunks"]:
            raise RuntimeError(f"Version {version} of {month} has {len(chunks)} of {header['chunks']} chunks.")
        rows = MonthRows.model_validate_json(zlib.decompress(b"".join(chunks)))
        return MonthSnapshot(**_publication(header).model_dump(), rows=rows)
