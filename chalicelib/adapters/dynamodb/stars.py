"""Star rule versions and published quarters of stars in DynamoDB (SPEC §3.3).

A rule version is one small item (its JSON), written once. A published quarter
is written once as a month is (``frozen_versions``): a header and its rows.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.frozen_versions import CHUNK_BYTES, MAX_CHUNKS, FrozenVersions
from chalicelib.adapters.dynamodb.table import Table, from_item, to_item
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
        self.versions_of = FrozenVersions(table, chunk_bytes, max_chunks)

    def add(self, snapshot: StarSnapshot) -> None:
        quarter = snapshot.quarter
        header = {"header": snapshot.publication.model_dump_json()}
        self.versions_of.add(
            keys.star_publications(quarter), snapshot.version, header, _ROWS.dump_json(snapshot.rows), quarter
        )

    def latest_version(self, quarter: str) -> int:
        return self.versions_of.latest_version(keys.star_publications(quarter))

    def versions(self, quarter: str) -> list[StarPublication]:
        return [_publication(h) for h in self.versions_of.headers(keys.star_publications(quarter))]

    def get(self, quarter: str, version: int) -> StarSnapshot | None:
        found = self.versions_of.get(keys.star_publications(quarter), version)
        if found is None:
            return None
        header, rows = found
        return StarSnapshot(**_publication(header).model_dump(), rows=_ROWS.validate_json(rows))
