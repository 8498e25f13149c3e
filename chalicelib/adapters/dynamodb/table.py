"""Shared plumbing of the DynamoDB repositories: the table, typed items, cursors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from chalicelib.adapters.dynamodb.faults import GuardedClient, error_code
from chalicelib.adapters.dynamodb.transactions import RetryPolicy, transact
from chalicelib.domain.errors import Conflict, DomainError, InvalidInput, StorageBusy
from chalicelib.domain.paging import Page

if TYPE_CHECKING:  # boto3's client types: a development dependency, never loaded in Lambda
    from mypy_boto3_dynamodb.client import DynamoDBClient

T = TypeVar("T")

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

GSI1 = "gsi1"
BATCH_GET_KEYS = 100  # BatchGetItem reads at most 100 keys a request

# The attributes of a key where a Query stops (LastEvaluatedKey): the table's
# key, plus the index's key when the Query reads an index.
_PAGE_KEYS: dict[str | None, frozenset[str]] = {
    None: frozenset({"pk", "sk"}),
    GSI1: frozenset({"pk", "sk", "gsi1pk", "gsi1sk"}),
    "gsi2": frozenset({"pk", "sk", "gsi2pk", "gsi2sk"}),
}


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """A plain dict (None values dropped) as a DynamoDB typed item."""
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A typed item as plain Python: Decimal becomes int (or float if fractional)."""
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return {_plain(v) for v in value}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def fields_of(item: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """The attributes of an item that are fields of ``model`` (keys and indexes dropped)."""
    return {k: v for k, v in item.items() if k in model.model_fields}


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None, names: Collection[str]) -> dict[str, Any] | None:
    """The key a cursor carries: a JSON object with exactly ``names``; InvalidInput (field ``cursor``) otherwise."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, RecursionError):  # RecursionError: JSON nested thousands deep
        raise _foreign_cursor() from None
    if not isinstance(key, dict) or key.keys() != set(names):
        raise _foreign_cursor()
    return key


def _foreign_cursor() -> InvalidInput:
    return InvalidInput("The cursor is not one this API gave out.", {"cursor": "invalid cursor"})


def _start_key(cursor: str | None, index: str | None) -> dict[str, Any] | None:
    key = decode_cursor(cursor, _PAGE_KEYS[index])
    # Every key attribute of the table and its indexes is a string (S, see
    # infra/resources.json): a cursor we gave out holds nothing else.
    if key and not all(isinstance(v, dict) and v.keys() == {"S"} and isinstance(v["S"], str) for v in key.values()):
        raise _foreign_cursor()
    return key


class Table:
    """One table reached through an injected low-level client.

    Adapters reach DynamoDB only through this: ``client`` is the injected one
    guarded by ``faults`` (storage faults become StorageBusy), and
    ``transact`` is the one way to write a transaction.
    """

    def __init__(self, client: DynamoDBClient, name: str, retry: RetryPolicy | None = None) -> None:
        self.client = GuardedClient(client)
        self.name = name
        self.retry = retry or RetryPolicy()

    def transact(self, items: Sequence[dict[str, Any]], refusals: Mapping[int, DomainError] | None = None) -> None:
        """Write ``items`` all or nothing; ``refusals`` pairs an item's position with what its failed
        condition means (chalicelib/adapters/dynamodb/transactions.py tells every outcome)."""
        transact(self.client, items, refusals or {}, self.retry)

    def ping(self) -> None:
        """One consistent read of a key that never exists: proves the table answers."""
        self.client.get_item(TableName=self.name, Key=to_item({"pk": "HEALTH", "sk": "HEALTH"}))

    def put_new(self, values: dict[str, Any], what: str) -> None:
        """Put an item that must not exist yet; Conflict if its key is taken."""
        try:
            self.client.put_item(
                TableName=self.name,
                Item=to_item(values),
                # The key is (pk, sk): no item with this pk means no item with this key.
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise Conflict(f"{what} exists already.") from None
            raise

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        answer = self.client.get_item(TableName=self.name, Key=to_item({"pk": pk, "sk": sk}), ConsistentRead=True)
        item = answer.get("Item")
        return from_item(item) if item else None

    def get_many(self, wanted: Collection[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Consistent reads of the items at ``wanted`` (pk, sk), each key asked once, by BatchGetItem
        (one request per 100 keys); the found ones by key, the missing ones absent.

        Keys DynamoDB leaves unprocessed (throttling, the 16 MB answer limit) are asked again
        after the transactions' full-jitter backoff; when the tries are spent, StorageBusy.
        """
        found: dict[tuple[str, str], dict[str, Any]] = {}
        distinct = sorted(set(wanted))
        for start in range(0, len(distinct), BATCH_GET_KEYS):
            keys = [to_item({"pk": pk, "sk": sk}) for pk, sk in distinct[start : start + BATCH_GET_KEYS]]
            request: dict[str, Any] = {self.name: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(self.retry.attempts):
                if attempt:
                    self.retry.pause(attempt - 1)
                answer = self.client.batch_get_item(RequestItems=request)
                for raw in answer.get("Responses", {}).get(self.name, []):
                    item = from_item(raw)
                    found[(item["pk"], item["sk"])] = item
                left = (answer.get("UnprocessedKeys") or {}).get(self.name)
                # asked again as consistently as the first time, whatever the answer carried along
                request = {self.name: {"Keys": left["Keys"], "ConsistentRead": True}} if left else {}
                if not request:
                    break
            if request:
                raise StorageBusy()
        return found

    def query_page(
        self,
        parse: Callable[[dict[str, Any]], T],
        *,
        cursor: str | None,
        limit: int,
        index: str | None = None,
        **query: Any,
    ) -> Page[T]:
        args: dict[str, Any] = {"TableName": self.name, "Limit": limit, **query}
        if index:
            args["IndexName"] = index
        start = _start_key(cursor, index)
        if start:
            args["ExclusiveStartKey"] = start
        try:
            answer = self.client.query(**args)
        except ClientError as e:
            # A well-formed key from another list: DynamoDB refuses it as a starting point.
            if error_code(e) == "ValidationException" and start:
                raise InvalidInput("The cursor does not belong to this list.", {"cursor": "invalid cursor"}) from None
            raise
        return Page(
            items=[parse(from_item(i)) for i in answer.get("Items", [])],
            next=encode_cursor(answer.get("LastEvaluatedKey")),
        )

    def query_all(self, parse: Callable[[dict[str, Any]], T], index: str | None = None, **query: Any) -> Iterator[T]:
        args: dict[str, Any] = {"TableName": self.name, **query}
        if index:
            args["IndexName"] = index
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(**args):
            for item in page.get("Items", []):
                yield parse(from_item(item))
