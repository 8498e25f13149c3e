"""User accounts in DynamoDB."""

from __future__ import annotations

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, to_item
from chalicelib.domain.accounts import Role, User
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
