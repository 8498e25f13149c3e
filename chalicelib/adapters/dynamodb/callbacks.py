"""Callback tasks in DynamoDB (their notifications go to the outbox, outbox.py, in the same transaction)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.outbox import notification_item
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.adapters.dynamodb.tallies import tally_update
from chalicelib.adapters.dynamodb.transactions import ConditionFailed
from chalicelib.domain import callbacks as rules
from chalicelib.domain.callbacks import CallbackTask, SourceType, Status
from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import Notification
from chalicelib.domain.paging import Page
from chalicelib.domain.stats import StatKey

GSI2 = "gsi2"


def _task_item(task: CallbackTask) -> dict[str, Any]:
    pk, sk = keys.callback(task.id)
    closed = task.status is Status.closed
    order = task.closed_at if closed else task.next_due()
    item: dict[str, Any] = {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.hall_callbacks(task.hall_code, closed),
        "gsi1sk": f"{order.isoformat() if order else ''}#{task.id}",
        **task.model_dump(mode="json", exclude_none=True),
    }
    check = rules.next_check(task)
    if check is not None:
        item |= {"gsi2pk": keys.CALLBACKS_TO_CHECK, "gsi2sk": check.isoformat()}
    elif closed and task.phone and task.closed_at:
        item |= {"gsi2pk": keys.CALLBACK_PHONES, "gsi2sk": task.closed_at.isoformat()}
    return item


def _task(item: dict[str, Any]) -> CallbackTask:
    return CallbackTask(**fields_of(item, CallbackTask))


class DynamoCallbackRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, task: CallbackTask, tallies: Mapping[StatKey, Counter[str]]) -> bool:
        put = {
            "TableName": self.table.name,
            "Item": to_item(_task_item(task)),
            # One task per source: the id is the source's, so a redelivered
            # stream record cancels here and counts nothing twice.
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        try:
            self.table.transact([{"Put": put}, *self._tallies(tallies)])
        except ConditionFailed:
            return False  # only the task's put has a condition: the task exists
        return True

    def _tallies(self, tallies: Mapping[StatKey, Counter[str]] | None) -> list[dict[str, Any]]:
        return [tally_update(self.table.name, k, inc) for k, inc in sorted((tallies or {}).items())]

    def get(self, task_id: str) -> CallbackTask | None:
        item = self.table.get(*keys.callback(task_id))
        return _task(item) if item else None

    def list_by_hall(self, hall_code: str, status: Status | None, cursor: str | None, limit: int) -> Page[CallbackTask]:
        query: dict[str, Any] = {
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": keys.hall_callbacks(hall_code, status is Status.closed)},
        }
        if status is not None and status is not Status.closed:
            # open and in_progress share the active partition; a filter tells them apart.
            query["FilterExpression"] = "#s = :s"
            query["ExpressionAttributeNames"] = {"#s": "status"}
            query["ExpressionAttributeValues"][":s"] = status.value
        query["ExpressionAttributeValues"] = to_item(query["ExpressionAttributeValues"])
        return self.table.query_page(_task, cursor=cursor, limit=limit, index=GSI1, **query)

    def save(
        self,
        task: CallbackTask,
        notify: Sequence[Notification] = (),
        tallies: Mapping[StatKey, Counter[str]] | None = None,
    ) -> None:
        item = _task_item(task)
        put: dict[str, Any] = {
            "TableName": self.table.name,
            "Item": to_item(item),
            # Optimistic concurrency: the stored version must be the one this
            # change started from, so two agents' edits can't both win.
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": to_item({":expected": task.version - 1}),
        }
        if not notify and not tallies:
            try:
                self.table.client.put_item(**put)
            except ClientError as e:
                if error_code(e) == "ConditionalCheckFailedException":
                    raise Conflict("The task changed meanwhile; reload and retry.") from None
                raise
            return
        items = (
            [{"Put": put}]
            + [
                # Re-putting a notification with the same id changes nothing that is
                # sent: delivery follows only its first INSERT on the stream.
                {"Put": {"TableName": self.table.name, "Item": to_item(notification_item(n))}}
                for n in notify
            ]
            + self._tallies(tallies)
        )
        # Only the task's put (first) has a condition; the tallies' conflicts are retried by transact.
        self.table.transact(items, refusals={0: Conflict("The task changed meanwhile; reload and retry.")})

    def due_for_check(self, now: datetime, limit: int) -> list[CallbackTask]:
        return self._gsi2(keys.CALLBACKS_TO_CHECK, now, limit)

    def phones_to_purge(self, now: datetime, limit: int) -> list[CallbackTask]:
        return self._gsi2(keys.CALLBACK_PHONES, now, limit)

    def _gsi2(self, partition: str, up_to: datetime, limit: int) -> list[CallbackTask]:
        answer = self.table.client.query(
            TableName=self.table.name,
            IndexName=GSI2,
            Limit=limit,
            KeyConditionExpression="gsi2pk = :p AND gsi2sk <= :t",
            ExpressionAttributeValues=to_item({":p": partition, ":t": up_to.isoformat()}),
        )
        return [_task(from_item(i)) for i in answer.get("Items", [])]

    def purge_phone(self, task: CallbackTask) -> None:
        source = {
            SourceType.rating: keys.rating,
            SourceType.suggestion: keys.suggestion,
            SourceType.ticket: keys.ticket,
        }[task.source_type](task.source_id)
        try:
            self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item(dict(zip(("pk", "sk"), source, strict=True))),
                UpdateExpression="REMOVE phone",
                # Never create a stub item for a source that is gone.
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as e:
            if error_code(e) != "ConditionalCheckFailedException":
                raise
        # The task last: if this fails, the job finds the task again and repeats both (idempotent).
        self.table.client.update_item(
            TableName=self.table.name,
            Key=to_item(dict(zip(("pk", "sk"), keys.callback(task.id), strict=True))),
            UpdateExpression="REMOVE phone, gsi2pk, gsi2sk",
        )


def callback_item(task: CallbackTask) -> dict[str, Any]:
    """A task's item, for a transaction of another record that opens or changes it (a work order's)."""
    return _task_item(task)
