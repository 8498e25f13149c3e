"""Fixed-window rate limits kept in DynamoDB, expired by TTL."""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, from_item, to_item


class DynamoRateLimiter:
    def __init__(self, table: Table) -> None:
        self.table = table

    def allow(self, scope: str, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
        epoch = int(now.timestamp())
        start = epoch - epoch % window_seconds
        pk, sk = keys.rate_window(scope, key, start)
        answer = self.table.client.update_item(
            TableName=self.table.name,
            Key=to_item({"pk": pk, "sk": sk}),
            # One atomic increment per hit; the window start in the key means a
            # new window never sees old hits, and TTL only cleans up.
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeValues=to_item({":one": 1, ":exp": start + 2 * window_seconds}),
            ReturnValues="UPDATED_NEW",
        )
        return int(from_item(answer["Attributes"])["hits"]) <= limit
