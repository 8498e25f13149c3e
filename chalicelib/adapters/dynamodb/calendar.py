"""Admin overrides of the working-day calendar (for years the holiday package does not know)."""

from __future__ import annotations

from datetime import date

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, to_item


class DynamoCalendarRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def overrides(self) -> dict[date, bool]:
        found = self.table.query_all(
            lambda i: (date.fromisoformat(i["sk"].removeprefix("DAY#")), bool(i["working"])),
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.CALENDAR}),
        )
        return dict(found)

    def set_override(self, day: date, working: bool, by: str) -> None:
        pk, sk = keys.calendar_day(day.isoformat())
        self.table.client.put_item(
            TableName=self.table.name, Item=to_item({"pk": pk, "sk": sk, "working": working, "set_by": by})
        )

    def remove_override(self, day: date) -> None:
        pk, sk = keys.calendar_day(day.isoformat())
        self.table.client.delete_item(TableName=self.table.name, Key=to_item({"pk": pk, "sk": sk}))
