"""Console inboxes in DynamoDB: an entry per recipient and notification, and an unread count.

An entry is put on condition that it is not there, in one transaction with the
ADD to its recipient's unread count, so a notification delivered twice (a
retried stream record) is counted once. Reading it marks it read on condition
that it was unread, with the count taken down in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, to_item
from chalicelib.adapters.dynamodb.transactions import ConditionFailed
from chalicelib.domain.errors import NotFound
from chalicelib.domain.inbox import InboxEntry
from chalicelib.domain.paging import Page


class DynamoInboxRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def deliver(self, entries: Sequence[InboxEntry]) -> int:
        added = 0
        for entry in entries:
            pk, sk = keys.inbox_entry(entry.username, entry.notification_id)
            item = {
                "pk": pk,
                "sk": sk,
                "gsi1pk": keys.inbox(entry.username),
                "gsi1sk": f"{keys.instant(entry.created_at)}#{entry.notification_id}",
                **entry.model_dump(mode="json", exclude_none=True),
            }
            unread_pk, unread_sk = keys.inbox_unread(entry.username)
            try:
                self.table.transact(
                    [
                        {
                            "Put": {
                                "TableName": self.table.name,
                                "Item": to_item(item),
                                "ConditionExpression": "attribute_not_exists(pk)",  # delivered once
                            }
                        },
                        {
                            "Update": {
                                "TableName": self.table.name,
                                "Key": to_item({"pk": unread_pk, "sk": unread_sk}),
                                "UpdateExpression": "ADD unread :one",
                                "ExpressionAttributeValues": to_item({":one": 1}),
                            }
                        },
                    ]
                )
            except ConditionFailed:
                continue
            added += 1
        return added

    def entries(self, username: str, cursor: str | None, limit: int) -> Page[InboxEntry]:
        return self.table.query_page(
            lambda i: InboxEntry(**fields_of(i, InboxEntry)),
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.inbox(username)}),
            ScanIndexForward=False,
        )

    def unread(self, username: str) -> int:
        item = self.table.get(*keys.inbox_unread(username))
        return max(0, int(item.get("unread", 0))) if item else 0

    def mark_read(self, username: str, notification_id: str, at: datetime) -> bool:
        pk, sk = keys.inbox_entry(username, notification_id)
        unread_pk, unread_sk = keys.inbox_unread(username)
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "TableName": self.table.name,
                            "Key": to_item({"pk": pk, "sk": sk}),
                            "UpdateExpression": "SET read_at = :at",
                            # An entry of this user's, not read yet.
                            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(read_at)",
                            "ExpressionAttributeValues": to_item({":at": at.isoformat()}),
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table.name,
                            "Key": to_item({"pk": unread_pk, "sk": unread_sk}),
                            "UpdateExpression": "ADD unread :minus",
                            "ExpressionAttributeValues": to_item({":minus": -1}),
                        }
                    },
                ]
            )
        except ConditionFailed:
            if self.table.get(pk, sk) is None:
                raise NotFound(f"No notification {notification_id} in your inbox.") from None
            return False
        return True
