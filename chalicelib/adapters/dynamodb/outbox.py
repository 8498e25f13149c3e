"""The notification outbox: one ``NOTIFY#<id>`` item per notification, delivered from the stream.

Delivery follows a notification's first INSERT only, so writing one twice
(a retried job, a task change that re-puts it) never sends it twice.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import Notification


def notification_item(n: Notification) -> dict[str, Any]:
    pk, sk = keys.notification(n.id)
    return {"pk": pk, "sk": sk, **n.model_dump(mode="json")}


class DynamoOutbox:
    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, notification: Notification) -> bool:
        """Store a notification unless its id is stored already (then False)."""
        try:
            self.table.put_new(notification_item(notification), f"Notification {notification.id}")
        except Conflict:
            return False
        return True
