"""Appeals (申诉复核) in DynamoDB; an upheld one changes the rating and its tallies atomically."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, to_item
from chalicelib.adapters.dynamodb.tallies import tally_update
from chalicelib.domain.appeals import Appeal, AppealStatus
from chalicelib.domain.errors import Conflict
from chalicelib.domain.paging import Page
from chalicelib.domain.ratings import Rating
from chalicelib.domain.stats import difference


def _item(appeal: Appeal) -> dict[str, Any]:
    pk, sk = keys.appeal(appeal.rating_id)
    return {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.hall_appeals(appeal.hall_code, appeal.status.value),
        "gsi1sk": f"{appeal.created_at.isoformat()}#{appeal.rating_id}",
        **appeal.model_dump(mode="json", exclude_none=True),
    }


def _appeal(item: dict[str, Any]) -> Appeal:
    return Appeal(**fields_of(item, Appeal))


# The condition that a rating's misuse flag is still what was read.
_MISUSE_AS_READ = {True: " AND misuse = :t", False: " AND (attribute_not_exists(misuse) OR misuse = :f)"}


class DynamoAppealRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def lodge(self, appeal: Appeal) -> None:
        self.table.put_new(_item(appeal), f"An appeal of rating {appeal.rating_id}")

    def get(self, rating_id: str) -> Appeal | None:
        item = self.table.get(*keys.appeal(rating_id))
        return _appeal(item) if item else None

    def list_by_hall(self, hall_code: str, status: AppealStatus, cursor: str | None, limit: int) -> Page[Appeal]:
        return self.table.query_page(
            _appeal,
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.hall_appeals(hall_code, status.value)}),
        )

    def decide(self, appeal: Appeal, rating: Rating | None) -> None:
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": to_item(_item(appeal)),
                    # Only a pending appeal is decided, once.
                    "ConditionExpression": "#s = :pending",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": to_item({":pending": AppealStatus.pending.value}),
                }
            }
        ]
        if rating is not None:
            upheld = rating.model_copy(update={"appeal_upheld": True})
            items.append(
                {
                    "Update": {
                        "TableName": self.table.name,
                        "Key": to_item(dict(zip(("pk", "sk"), keys.rating(rating.id), strict=True))),
                        "UpdateExpression": "SET appeal_upheld = :t",
                        # A rating leaves the scores once: never subtract its tallies twice. Its
                        # misuse flag must be as read too (a late press may have turned it since).
                        "ConditionExpression": (
                            "attribute_exists(pk) AND (attribute_not_exists(appeal_upheld) OR appeal_upheld = :f)"
                            + (
                                " AND misuse = :t"
                                if rating.misuse
                                else " AND (attribute_not_exists(misuse) OR misuse = :f)"
                            )
                        ),
                        "ExpressionAttributeValues": to_item({":t": True, ":f": False}),
                    }
                }
            )
            items += [tally_update(self.table.name, k, inc) for k, inc in sorted(difference(rating, upheld).items())]
        self.table.transact(
            items,
            refusals={
                0: Conflict("The appeal was decided meanwhile."),
                1: Conflict(f"Rating {appeal.rating_id} is gone or has left the scores already."),
            },
        )
