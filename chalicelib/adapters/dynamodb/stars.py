"""Star rule versions and published quarters of stars in DynamoDB (SPEC §3.3).

A rule version is one small item (its JSON), written once. A published quarter
is written as a month is (``publications.py``): a header conditional on its
version number being free, and its rows as zlib-compressed JSON chunks, all in
one transaction; nothing ever updates either.
"""

from __future__ import annotations

import zlib
from typing import Any

from pydantic import TypeAdapter

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.publications import CHUNK_BYTES, MAX_CHUNKS
from chalicelib.adapters.dynamodb.table import Table, from_item, to_item
from chalicelib.domain.errors import Conflict, PayloadTooLarge
from chalicelib.domain.stars import RuleSet, StarPublication, StarRow, StarSnapshot

_ROWS = TypeAdapter(tuple[StarRow, ...])


def _rules(item: dict[str, Any]) -> RuleSet:
    return RuleSet.model_validate_json(item["data"])


class DynamoStarRuleRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, rules: RuleSet) -> None:
        pk, sk = keys.star_rules(rules.version)
        self.table.put_new({"pk": pk, "sk": sk, "data": rules.model_dump_json()}, f"Star rules version {rules.version}")

    def latest(self) -> RuleSet | None:
        answer = self.table.client.query(
            TableName=self.table.name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.STAR_RULES}),
            ScanIndexForward=False,  # newest first: the sort key zero-pads the version
            Limit=1,
            ConsistentRead=True,
        )
        items = answer.get("Items", [])
        return _rules(from_item(items[0])) if items else None

    def get(self, version: int) -> RuleSet | None:
        item = self.table.get(*keys.star_rules(version))
        return _rules(item) if item else None


def _publication(item: dict[str, Any]) -> StarPublication:
    return StarPublication.model_validate_json(item["header"])


class DynamoStarPublications:
    def __init__(self, table: Table, chunk_bytes: int = CHUNK_BYTES, max_chunks: int = MAX_CHUNKS) -> None:
        self.table = table
        self.chunk_bytes = chunk_bytes
        self.max_chunks = max_chunks

    def add(self, snapshot: StarSnapshot) -> None:
        quarter, version = snapshot.quarter, snapshot.version
        payload = zlib.compress(_ROWS.dump_json(snapshot.rows), 9)
        chunks = [payload[i : i + self.chunk_bytes] for i in range(0, len(payload), self.chunk_bytes)]
        if len(chunks) > self.max_chunks:
            raise PayloadTooLarge(f"The stars of {quarter} are too large to publish as one version.")
        pk, sk = keys.star_version(quarter, version)
        header = {
            "TableName": self.table.name,
            "Item": to_item(
                {
                    "pk": pk,
                    "sk": sk,
                    "version": version,
                    "header": snapshot.publication.model_dump_json(),
                    "chunks": len(chunks),
                }
            ),
            # One writer per version: a second publish aiming at the same number is cancelled whole.
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        parts = []
        for i, chunk in enumerate(chunks):
            cpk, csk = keys.star_chunk(quarter, version, i)
            parts.append(
                {"Put": {"TableName": self.table.name, "Item": to_item({"pk": cpk, "sk": csk, "payload": chunk})}}
            )
        self.table.transact(
            [{"Put": header}, *parts], refusals={0: Conflict(f"Version {version} of {quarter} exists already.")}
        )

    def latest_version(self, quarter: str) -> int:
        answer = self.table.client.query(
            TableName=self.table.name,
            KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
            ExpressionAttributeValues=to_item({":p": keys.star_publications(quarter), ":v": "VERSION#"}),
            ProjectionExpression="#v",
            ExpressionAttributeNames={"#v": "version"},  # a reserved word
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = answer.get("Items", [])
        return int(from_item(items[0])["version"]) if items else 0

    def versions(self, quarter: str) -> list[StarPublication]:
        return list(
            self.table.query_all(
                _publication,
                KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                ExpressionAttributeValues=to_item({":p": keys.star_publications(quarter), ":v": "VERSION#"}),
                ConsistentRead=True,
            )
        )

    def get(self, quarter: str, version: int) -> StarSnapshot | None:
        header = self.table.get(*keys.star_version(quarter, version))
        if header is None:
            return None
        chunks = list(
            self.table.query_all(
                lambda item: bytes(item["payload"]),
                KeyConditionExpression="pk = :p AND begins_with(sk, :c)",
                ExpressionAttributeValues=to_item(
                    {":p": keys.star_publications(quarter), ":c": keys.month_chunks(version)}
                ),
                ConsistentRead=True,  # the header and its chunks were written together
            )
        )
        if len(chunks) != header["chunks"]:
            raise RuntimeError(f"Version {version} of {quarter} has {len(chunks)} of {header['chunks']} chunks.")
        rows = _ROWS.validate_json(zlib.decompress(b"".join(chunks)))
        return StarSnapshot(**_publication(header).model_dump(), rows=rows)
