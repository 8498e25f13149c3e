"""Table.transact against DynamoDB Local: the real service's cancellation reasons pair with the right items.

The helper has no in-memory twin (the fakes never cancel), so this runs on
DynamoDB only; the unit tests cover the retry and busy paths with scripted reasons.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.adapters.dynamodb.transactions import ConditionFailed
from chalicelib.domain.errors import Conflict
from devstack import tables


@pytest.fixture
def table(dynamodb_local: Any) -> Iterator[Table]:
    client = dynamodb_local.client()
    name = f"contract-{uuid.uuid4().hex[:12]}"
    tables.ensure_table(client, name)
    yield Table(client, name)
    client.delete_table(TableName=name)


def new(table: Table, pk: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table.name,
            "Item": to_item({"pk": pk, "sk": "X"}),
            "ConditionExpression": "attribute_not_exists(pk)",  # a new item only
        }
    }


def count(table: Table) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table.name,
            "Key": to_item({"pk": "COUNT", "sk": "X"}),
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": to_item({":one": 1}),
        }
    }


def test_the_item_whose_condition_failed_raises_its_own_error_and_nothing_is_written(table):
    table.transact([new(table, "B"), count(table)])
    taken_a, taken_b = Conflict("A is taken."), Conflict("B is taken.")
    with pytest.raises(Conflict) as refused:
        table.transact([new(table, "A"), count(table), new(table, "B")], refusals={0: taken_a, 2: taken_b})
    assert refused.value is taken_b
    assert table.get("A", "X") is None
    assert table.get("COUNT", "X") == {"pk": "COUNT", "sk": "X", "n": 1}


def test_failed_conditions_without_a_refusal_are_named_by_position(table):
    table.transact([new(table, "A"), new(table, "C")])
    with pytest.raises(ConditionFailed) as failed:
        table.transact([new(table, "A"), new(table, "B"), count(table), new(table, "C")])
    assert failed.value.positions == (0, 3)
    assert table.get("B", "X") is None
