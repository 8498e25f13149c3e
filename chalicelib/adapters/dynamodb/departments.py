"""Departments in DynamoDB: one item each, all listed under one small gsi1 partition."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, to_item
from chalicelib.domain.departments import Department
from chalicelib.domain.errors import NotFound
from chalicelib.domain.paging import Page


def _item(department: Department) -> dict[str, Any]:
    pk, sk = keys.department(department.code)
    return {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.ALL_DEPARTMENTS,
        "gsi1sk": department.code,
        **department.model_dump(mode="json"),
    }


def _department(item: dict[str, Any]) -> Department:
    return Department(**fields_of(item, Department))


class DynamoDepartmentRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, department: Department) -> None:
        self.table.put_new(_item(department), f"Department {department.code}")

    def save(self, department: Department) -> None:
        try:
            self.table.client.put_item(
                TableName=self.table.name,
                Item=to_item(_item(department)),
                # An edit never creates a department.
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise NotFound(f"No department {department.code}.") from None
            raise

    def get(self, code: str) -> Department | None:
        item = self.table.get(*keys.department(code))
        return _department(item) if item else None

    def list(self, cursor: str | None, limit: int) -> Page[Department]:
        return self.table.query_page(
            _department,
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.ALL_DEPARTMENTS}),
        )
