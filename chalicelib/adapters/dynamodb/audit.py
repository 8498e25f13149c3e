"""The audit log in DynamoDB.

One item per entry, filed under its record (``AUDIT#HALL#A01``; the table's
key), and listed by two indexes: gsi1 by the UTC month it was made in
(``AUDIT#2026-11``) and gsi2 by the user who made it (``AUDIT#BY#li.m``).
Every sort key is the fixed-width UTC time and the entry's id, so a range of
time is a key condition, never a filter. ``before`` and ``after`` are stored
as JSON text: a record's values come back exactly as they went in (no
Decimal, no dropped empty strings).

``audit_item`` is the entry as one item of a transaction, for an adapter that
writes its change in one: the entry is then stored with the change or not at
all. Adapters that write a change with a single put log it just after.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, decode_cursor, encode_cursor, fields_of, from_item, to_item
from chalicelib.domain.audit import AuditEntry, RecordKind
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.paging import Page

GSI2 = "gsi2"
_INDEX_KEYS = ("pk", "sk", "gsi1pk", "gsi1sk")


def audit_item(table: Table, entry: AuditEntry) -> dict[str, Any]:
    """The entry as a ``Put`` of TransactWriteItems."""
    kind, key = entry.filed_under
    pk, sk = keys.audit_entry(kind.value, key, entry.at, entry.id)
    order = keys.audit_order(entry.at, entry.id)
    values = entry.model_dump(mode="json", exclude={"before", "after"})
    item = {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.audit_month(entry.at),
        "gsi1sk": order,
        "gsi2pk": keys.audit_actor(entry.actor),
        "gsi2sk": order,
        **values,
        "before": None if entry.before is None else json.dumps(entry.before, ensure_ascii=False),
        "after": None if entry.after is None else json.dumps(entry.after, ensure_ascii=False),
    }
    # The id is new (uuid4): the condition only makes sure an entry is never overwritten.
    return {"Put": {"TableName": table.name, "Item": to_item(item), "ConditionExpression": "attribute_not_exists(pk)"}}


def _entry(item: dict[str, Any]) -> AuditEntry:
    found = fields_of(item, AuditEntry)
    for name in ("before", "after"):
        found[name] = json.loads(found[name]) if found.get(name) is not None else None
    return AuditEntry(**found)


def _months(first: datetime, last: datetime) -> list[str]:
    """The gsi1 partitions of ``[first, last)``, newest first."""
    found: list[str] = []
    month = keys.audit_month(last)
    stop = keys.audit_month(first)
    while True:
        found.append(month)
        if month <= stop:
            return found
        year, number = int(month[-7:-3]), int(month[-2:])
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
        month = f"AUDIT#{year:04d}-{number:02d}"


def _invalid_cursor() -> InvalidInput:
    return InvalidInput("The cursor does not belong to this list.", {"cursor": "invalid cursor"})


class DynamoAuditLog:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, entry: AuditEntry) -> None:
        self.table.client.put_item(**audit_item(self.table, entry)["Put"])

    def history(self, kind: RecordKind, key: str, cursor: str | None, limit: int) -> Page[AuditEntry]:
        return self.table.query_page(
            _entry,
            cursor=cursor,
            limit=limit,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.audit_record(kind.value, key)}),
            ScanIndexForward=False,
        )

    def by_actor(self, actor: str, first: datetime, last: datetime, cursor: str | None, limit: int) -> Page[AuditEntry]:
        return self.table.query_page(
            _entry,
            cursor=cursor,
            limit=limit,
            index=GSI2,
            # [first, last): "<first>#id" sorts after "<first>", "<last>#id" after "<last>".
            KeyConditionExpression="gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
            ExpressionAttributeValues=to_item(
                {":p": keys.audit_actor(actor), ":a": keys.instant(first), ":b": keys.instant(last)}
            ),
            ScanIndexForward=False,
        )

    def between(self, first: datetime, last: datetime, cursor: str | None, limit: int) -> Page[AuditEntry]:
        """Month partitions newest first, from the one the cursor stopped in. A page that fills
        up goes on from its last entry's key (in its month, or the months before it)."""
        months = _months(first, last)
        start = self._start(cursor, months)
        if start is not None:
            months = months[months.index(start["gsi1pk"]["S"]) :]
        items: list[dict[str, Any]] = []
        for month in months:
            for item in self._month(month, first, last, start, limit - len(items)):
                items.append(item)
                if len(items) == limit:
                    last_key = {k: item[k] for k in _INDEX_KEYS}
                    return Page(items=[_entry(i) for i in items], next=encode_cursor(to_item(last_key)))
            start = None
        return Page(items=[_entry(i) for i in items])

    def _month(
        self, month: str, first: datetime, last: datetime, start: dict[str, Any] | None, limit: int
    ) -> Iterator[dict[str, Any]]:
        args: dict[str, Any] = {
            "TableName": self.table.name,
            "IndexName": GSI1,
            "KeyConditionExpression": "gsi1pk = :p AND gsi1sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": to_item({":p": month, ":a": keys.instant(first), ":b": keys.instant(last)}),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        while True:
            if start is not None:
                args["ExclusiveStartKey"] = start
            try:
                answer = self.table.client.query(**args)
            except ClientError as e:
                # A well-formed key outside this list's range: DynamoDB refuses it as a starting point.
                if error_code(e) == "ValidationException" and start is not None:
                    raise _invalid_cursor() from None
                raise
            for raw in answer.get("Items", []):
                yield from_item(raw)
            start = answer.get("LastEvaluatedKey")
            if not start:
                return

    @staticmethod
    def _start(cursor: str | None, months: list[str]) -> dict[str, Any] | None:
        """The key a cursor of this list carries: strings only, in one of the list's months."""
        key = decode_cursor(cursor, _INDEX_KEYS)
        if key is None:
            return None
        if not all(isinstance(v, dict) and v.keys() == {"S"} and isinstance(v["S"], str) for v in key.values()):
            raise _invalid_cursor()
        if key["gsi1pk"]["S"] not in months:
            raise _invalid_cursor()
        return key
