"""Who is signed in at which counter (轮岗): one item per counter."""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, to_item


class DynamoShiftRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def sign_in(self, hall_code: str, counter_number: int, staff_no: str, at: datetime) -> None:
        pk, sk = keys.shift(hall_code, counter_number)
        self.table.client.put_item(
            TableName=self.table.name,
            Item=to_item({"pk": pk, "sk": sk, "staff_no": staff_no, "since": at.isoformat()}),
        )

    def sign_out(self, hall_code: str, counter_number: int) -> None:
        pk, sk = keys.shift(hall_code, counter_number)
        self.table.client.delete_item(TableName=self.table.name, Key=to_item({"pk": pk, "sk": sk}))

    def signed_in(self, hall_code: str, counter_number: int) -> str | None:
        item = self.table.get(*keys.shift(hall_code, counter_number))
        return str(item["staff_no"]) if item else None
