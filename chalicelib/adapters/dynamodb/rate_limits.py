"""Rate limits and failed sign-ins kept in DynamoDB, expired by TTL (filtered on read)."""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import Table, from_item, to_item
from chalicelib.domain.accounts import SignInFailures


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


ADDRESS_SCOPE = "signin-failures"


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class DynamoSignInFailureLog:
    """Per (account, address) pair one item: its failures, the latest, and when they are
    forgotten (``expires_at``, pushed back by each failure). Per address one counter a
    fixed window, like ``DynamoRateLimiter``'s. Successes write nothing."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def failures(
        self, account: str, client: str, now: datetime, forget_after_seconds: int, address_window_seconds: int
    ) -> SignInFailures:
        start = self._window_start(now, address_window_seconds)
        pair = self.table.get(*keys.sign_in_failures(account, client))
        window = self.table.get(*keys.rate_window(ADDRESS_SCOPE, client, start))
        live = pair is not None and int(pair["expires_at"]) > now.timestamp()  # TTL deletes late, if ever
        return SignInFailures(
            pair=int(pair["failures"]) if pair and live else 0,
            pair_last=datetime.fromtimestamp(int(pair["last_failure_ms"]) / 1000, UTC) if pair and live else None,
            address=int(window["hits"]) if window else 0,
            address_window_ends=datetime.fromtimestamp(start + address_window_seconds, UTC),
        )

    def add_failure(
        self, account: str, client: str, now: datetime, forget_after_seconds: int, address_window_seconds: int
    ) -> None:
        pk, sk = keys.sign_in_failures(account, client)
        expires = int(now.timestamp()) + forget_after_seconds
        try:
            self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item({"pk": pk, "sk": sk}),
                UpdateExpression="ADD failures :one SET last_failure_ms = :at, expires_at = :exp",
                # Failures already forgotten (expired, not yet deleted) are not added to.
                ConditionExpression="attribute_not_exists(pk) OR expires_at > :now",
                ExpressionAttributeValues=to_item(
                    {":one": 1, ":at": _ms(now), ":exp": expires, ":now": int(now.timestamp())}
                ),
            )
        except ClientError as e:
            if error_code(e) != "ConditionalCheckFailedException":
                raise
            self.table.client.put_item(
                TableName=self.table.name,
                Item=to_item({"pk": pk, "sk": sk, "failures": 1, "last_failure_ms": _ms(now), "expires_at": expires}),
            )
        start = self._window_start(now, address_window_seconds)
        wpk, wsk = keys.rate_window(ADDRESS_SCOPE, client, start)
        self.table.client.update_item(
            TableName=self.table.name,
            Key=to_item({"pk": wpk, "sk": wsk}),
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeValues=to_item({":one": 1, ":exp": start + 2 * address_window_seconds}),
        )

    def forget_pair(self, account: str, client: str) -> None:
        pk, sk = keys.sign_in_failures(account, client)
        self.table.client.delete_item(TableName=self.table.name, Key=to_item({"pk": pk, "sk": sk}))

    @staticmethod
    def _window_start(now: datetime, window_seconds: int) -> int:
        epoch = int(now.timestamp())
        return epoch - epoch % window_seconds
