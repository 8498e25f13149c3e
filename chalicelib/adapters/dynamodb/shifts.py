"""Shift history (轮岗, SPEC §2): one item per sign-in or sign-out in the counter's
partition, sorted by time, and each clerk's latest place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.shifts import ClerkPlace, ShiftChange, ShiftEvent


def _event(item: dict[str, Any]) -> ShiftEvent:
    return ShiftEvent(datetime.fromisoformat(item["at"]), ShiftChange(item["change"]), str(item["staff_no"]))


class DynamoShiftRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, hall_code: str, counter_number: int, event: ShiftEvent) -> None:
        pk, sk = keys.shift_event(hall_code, counter_number, event.at, event.change.value, event.staff_no)
        item = {"pk": pk, "sk": sk, "at": event.at.isoformat(), "change": event.change.value}
        self.table.client.put_item(TableName=self.table.name, Item=to_item({**item, "staff_no": event.staff_no}))

    def history(self, hall_code: str, counter_number: int, first: datetime, last: datetime) -> list[ShiftEvent]:
        # Newest first from the end of the span ("~" sorts after every event of
        # that instant), until the first event at or before ``first``: the one
        # in force when the span begins. One Query, paged only for long spans.
        found: list[ShiftEvent] = []
        events = self.table.query_all(
            _event,
            KeyConditionExpression="pk = :p AND sk <= :last",
            ExpressionAttributeValues=to_item(
                {":p": keys.shift_history(hall_code, counter_number), ":last": keys.instant(last) + "~"}
            ),
            ScanIndexForward=False,
        )
        for event in events:
            found.append(event)
            if event.at <= first:
                break
        return sorted(found, key=lambda e: e.order)

    def place_of(self, staff_no: str) -> ClerkPlace | None:
        item = self.table.get(*keys.clerk_place(staff_no))
        if item is None:
            return None
        return ClerkPlace(str(item["hall_code"]), int(item["counter_number"]), datetime.fromisoformat(item["at"]))

    def move(self, staff_no: str, place: ClerkPlace) -> None:
        pk, sk = keys.clerk_place(staff_no)
        try:
            self.table.client.put_item(
                TableName=self.table.name,
                Item=to_item(
                    {
                        "pk": pk,
                        "sk": sk,
                        "hall_code": place.hall_code,
                        "counter_number": place.counter_number,
                        "at": place.at.isoformat(),
                        "at_key": keys.instant(place.at),
                    }
                ),
                # Only forward in time: a sign-in uploaded late never moves the clerk back.
                ConditionExpression="attribute_not_exists(pk) OR at_key <= :at",
                ExpressionAttributeValues=to_item({":at": keys.instant(place.at)}),
            )
        except ClientError as e:
            if error_code(e) != "ConditionalCheckFailedException":
                raise
