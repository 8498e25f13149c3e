"""Checklist versions and inspections in DynamoDB (SPEC §3.3).

Both are kept as their JSON (``data``: scores are decimals, and a version is
read back exactly as it was written) beside the attributes the keys, indexes
and conditions need. An inspection and the month tallies it feeds are written
in one transaction; so are its leaving the scores (void, upheld appeal) and
the tallies' taking it away.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import GSI1, Table, from_item, to_item
from chalicelib.adapters.dynamodb.tallies import tally_update
from chalicelib.domain import inspections as rules
from chalicelib.domain.checklists import Checklist
from chalicelib.domain.errors import Conflict
from chalicelib.domain.inspections import Inspection
from chalicelib.domain.paging import Page

GSI2 = "gsi2"


def _checklist(item: dict[str, Any]) -> Checklist:
    return Checklist.model_validate_json(item["data"])


class DynamoChecklistRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, checklist: Checklist) -> None:
        pk, sk = keys.checklist_version(checklist.code, checklist.version)
        self.table.put_new(
            {
                "pk": pk,
                "sk": sk,
                "gsi1pk": keys.ALL_CHECKLISTS,
                "gsi1sk": f"{checklist.code}#{checklist.version:06d}",
                "data": checklist.model_dump_json(),
            },
            f"Version {checklist.version} of checklist {checklist.code}",
        )

    def get(self, code: str, version: int) -> Checklist | None:
        item = self.table.get(*keys.checklist_version(code, version))
        return _checklist(item) if item else None

    def latest(self, code: str) -> Checklist | None:
        answer = self.table.client.query(
            TableName=self.table.name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.checklist(code)}),
            ScanIndexForward=False,  # newest first: the sort key zero-pads the version
            Limit=1,
            ConsistentRead=True,
        )
        items = answer.get("Items", [])
        return _checklist(from_item(items[0])) if items else None

    def every_latest(self) -> list[Checklist]:
        newest: dict[str, Checklist] = {}
        for found in self.table.query_all(
            _checklist,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.ALL_CHECKLISTS}),
        ):
            newest[found.code] = found  # in code then version order: the last of a code is its newest
        return list(newest.values())


def _inspection_item(inspection: Inspection) -> dict[str, Any]:
    pk, sk = keys.inspection(inspection.id)
    order = f"{keys.instant(inspection.inspected_at)}#{inspection.id}"
    return {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.hall_inspections(inspection.hall_code, inspection.month),
        "gsi1sk": order,
        "gsi2pk": keys.inspector_inspections(inspection.inspector, inspection.month),
        "gsi2sk": order,
        "revision": inspection.revision,
        "data": inspection.model_dump_json(),
    }


def _inspection(item: dict[str, Any]) -> Inspection:
    return Inspection.model_validate_json(item["data"])


class DynamoInspectionRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, inspection: Inspection) -> None:
        put = {
            "Put": {
                "TableName": self.table.name,
                "Item": to_item(_inspection_item(inspection)),
                "ConditionExpression": "attribute_not_exists(pk)",  # one inspection per id, whatever the retries
            }
        }
        counts = rules.tallies(inspection) if inspection.counted else {}
        self.table.transact(
            [put, *(tally_update(self.table.name, k, inc) for k, inc in sorted(counts.items()))],
            refusals={0: Conflict(f"Inspection {inspection.id} exists already.")},
        )

    def get(self, inspection_id: str) -> Inspection | None:
        item = self.table.get(*keys.inspection(inspection_id))
        return _inspection(item) if item else None

    def list_by_hall(self, hall_code: str, month: str, cursor: str | None, limit: int) -> Page[Inspection]:
        return self.table.query_page(
            _inspection,
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.hall_inspections(hall_code, month)}),
        )

    def list_by_inspector(self, inspector: str, month: str, cursor: str | None, limit: int) -> Page[Inspection]:
        return self.table.query_page(
            _inspection,
            cursor=cursor,
            limit=limit,
            index=GSI2,
            KeyConditionExpression="gsi2pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.inspector_inspections(inspector, month)}),
        )

    def save(self, before: Inspection, after: Inspection) -> None:
        put = {
            "Put": {
                "TableName": self.table.name,
                "Item": to_item(_inspection_item(after)),
                # Only over the revision read: of two changes (a void and an upheld appeal),
                # the second is refused whole, so the tallies lose the inspection once.
                "ConditionExpression": "revision = :r",
                "ExpressionAttributeValues": to_item({":r": before.revision}),
            }
        }
        leaving = before.counted and not after.counted
        counts = rules.tallies(before, sign=-1) if leaving else {}
        self.table.transact(
            [put, *(tally_update(self.table.name, k, inc) for k, inc in sorted(counts.items()))],
            refusals={0: Conflict(f"Inspection {before.id} changed meanwhile; reload it.")},
        )
