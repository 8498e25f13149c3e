"""User accounts in DynamoDB."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.domain.accounts import Role, User
from chalicelib.domain.errors import NotFound
from chalicelib.domain.paging import Page


def _user(item: dict) -> User:  # type: ignore[type-arg]
    return User(**fields_of(item, User))


class DynamoUserRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add_user(self, user: User) -> None:
        pk, sk = keys.user(user.username)
        self.table.put_new(
            {
                "pk": pk,
                "sk": sk,
                "gsi1pk": keys.ALL_USERS,
                # Role first, so "is there any admin?" is one Query on a prefix.
                "gsi1sk": f"{user.role.value}#{user.username}",
                **user.model_dump(mode="json"),
            },
            f"User {user.username}",
        )

    def get_user(self, username: str) -> User | None:
        item = self.table.get(*keys.user(username))
        return _user(item) if item else None

    def list_users(self, cursor: str | None, limit: int) -> Page[User]:
        return self.table.query_page(
            _user,
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.ALL_USERS}),
        )

    def any_admin(self) -> bool:
        answer = self.table.client.query(
            TableName=self.table.name,
            IndexName=GSI1,
            Limit=1,
            KeyConditionExpression="gsi1pk = :p AND begins_with(gsi1sk, :r)",
            ExpressionAttributeValues=to_item({":p": keys.ALL_USERS, ":r": f"{Role.admin.value}#"}),
        )
        return bool(answer.get("Items"))

    def end_sessions(self, username: str) -> int:
        return self._update_existing(username, "ADD session_epoch :one", {":one": 1})

    def save_profile(self, user: User, end_sessions: bool) -> None:
        expression = "SET #r = :r, halls = :h, active = :a, gsi1sk = :g, departments = :d" + (
            " ADD session_epoch :one" if end_sessions else ""
        )
        values: dict[str, Any] = {
            ":r": user.role.value,
            ":h": list(user.halls),
            ":a": user.active,
            ":d": list(user.departments),
            ":g": f"{user.role.value}#{user.username}",  # the role prefix of the users index follows the role
        }
        if end_sessions:
            values[":one"] = 1
        self._update_existing(user.username, expression, values, {"#r": "role"})

    def set_password(self, username: str, password_hash: str) -> int:
        # One write: no moment where the new password works and old sessions still do.
        return self._update_existing(
            username, "SET password_hash = :h ADD session_epoch :one", {":h": password_hash, ":one": 1}
        )

    def _update_existing(
        self, username: str, expression: str, values: dict[str, Any], names: dict[str, str] | None = None
    ) -> int:
        """Update a stored user (NotFound otherwise); the session epoch after the update.
        ADD on an item stored before epochs existed starts from 0, as reading it does."""
        pk, sk = keys.user(username)
        try:
            answer = self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item({"pk": pk, "sk": sk}),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=to_item(values),
                **({"ExpressionAttributeNames": names} if names else {}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise NotFound(f"No user {username}.") from None
            raise
        return int(from_item(answer["Attributes"]).get("session_epoch", 0))
