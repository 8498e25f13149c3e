"""The suggestion box in DynamoDB (see docs/data-model.md, "Suggestions").

A suggestion is one item keyed by its id; a pointer item keyed by its
tracking number finds it for the tracking page. gsi1 holds a hall's
suggestions in one partition per status, sorted by arrival, so opening the
box and every staff list are Queries; a status change moves the item to its
new partition in the same update.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, decode_cursor, encode_cursor, fields_of, from_item, to_item
from chalicelib.adapters.dynamodb.tallies import tally_update
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.paging import Page
from chalicelib.domain.suggestions import AttemptWindow, BoxOpening, Suggestion, SuggestionStatus

# What a status change may set; everything else of a suggestion never changes.
_CHANGING = ("opened_at", "opened_by", "reply", "replied_at", "replied_by", "closed_at", "closed_by")


def _fixed_width(at: datetime) -> str:
    """UTC with microseconds always present, so these strings sort as the times do."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _order(suggestion: Suggestion) -> str:
    return keys.suggestion_order(_fixed_width(suggestion.created_at), suggestion.id)


def _suggestion(item: dict[str, Any]) -> Suggestion:
    return Suggestion(**fields_of(item, Suggestion))


class DynamoSuggestionRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, suggestion: Suggestion) -> None:
        pk, sk = keys.suggestion(suggestion.id)
        tpk, tsk = keys.tracking_no(suggestion.tracking_no)
        item = {
            "pk": pk,
            "sk": sk,
            "gsi1pk": keys.hall_suggestions(suggestion.hall_code, suggestion.status),
            "gsi1sk": _order(suggestion),
            # Stored explicitly for the stream: the callback pipeline needs to know
            # a phone was given without reading the phone itself.
            "has_phone": suggestion.has_phone,
            **suggestion.model_dump(mode="json"),
        }
        pointer = {"pk": tpk, "sk": tsk, "suggestion_id": suggestion.id}
        self.table.transact(
            [
                # Neither the id nor the tracking number may be taken: both
                # items are written or neither.
                {"Put": {"TableName": self.table.name, "Item": to_item(item), **_new_only()}},
                {"Put": {"TableName": self.table.name, "Item": to_item(pointer), **_new_only()}},
                # The hall's monthly count changes with the suggestion, never apart from it.
                *(tally_update(self.table.name, k, inc) for k, inc in suggestion.received().items()),
            ],
            # A busy count is retried by transact, never mistaken for a taken number.
            refusals={
                0: Conflict(f"Suggestion id {suggestion.id} is taken."),
                1: Conflict(f"Tracking number {suggestion.tracking_no} is taken."),
            },
        )

    def get(self, suggestion_id: str) -> Suggestion | None:
        item = self.table.get(*keys.suggestion(suggestion_id))
        return _suggestion(item) if item else None

    def get_by_tracking_no(self, tracking_no: str) -> Suggestion | None:
        pointer = self.table.get(*keys.tracking_no(tracking_no))
        return self.get(str(pointer["suggestion_id"])) if pointer else None

    def list_by_hall(
        self, hall_code: str, statuses: tuple[SuggestionStatus, ...], cursor: str | None, limit: int
    ) -> Page[Suggestion]:
        """Newest first. One Query per status partition, each from below the cursor; merged by arrival."""
        before = _before(cursor)
        found: list[tuple[str, Suggestion]] = []
        more = False
        for status in statuses:
            condition = "gsi1pk = :p" + (" AND gsi1sk < :before" if before else "")
            values: dict[str, Any] = {":p": keys.hall_suggestions(hall_code, status)}
            if before:
                values[":before"] = before
            answer = self.table.client.query(
                TableName=self.table.name,
                IndexName=GSI1,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=to_item(values),
                ScanIndexForward=False,
                Limit=limit,
            )
            more = more or bool(answer.get("LastEvaluatedKey"))
            for raw in answer.get("Items", []):
                item = from_item(raw)
                found.append((str(item["gsi1sk"]), _suggestion(item)))
        found.sort(key=lambda pair: pair[0], reverse=True)
        page = found[:limit]
        more = more or len(found) > limit
        return Page(
            items=[s for _, s in page],
            next=encode_cursor({"before": page[-1][0]}) if more and page else None,
        )

    def oldest_new(self, hall_code: str, limit: int) -> list[Suggestion]:
        found: list[Suggestion] = []
        args: dict[str, Any] = {
            "TableName": self.table.name,
            "IndexName": GSI1,
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": to_item({":p": keys.hall_suggestions(hall_code, SuggestionStatus.new)}),
            "ScanIndexForward": True,
        }
        while len(found) < limit:
            answer = self.table.client.query(**args, Limit=limit - len(found))
            found.extend(_suggestion(from_item(i)) for i in answer.get("Items", []))
            if not answer.get("LastEvaluatedKey"):
                break
            args["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        return found

    def update(self, suggestion: Suggestion, expected: SuggestionStatus) -> None:
        pk, sk = keys.suggestion(suggestion.id)
        data = suggestion.model_dump(mode="json")
        changing = {name: data[name] for name in _CHANGING if data[name] is not None}
        closed = suggestion.closed_at if suggestion.status is SuggestionStatus.closed else None
        if closed and (suggestion.phone or suggestion.name):
            # Closed with a name or phone: listed for the retention job (sparse gsi2, by closed_at,
            # fixed-width so that the text sorts and compares as the times do).
            changing |= {"gsi2pk": keys.SUGGESTION_CONTACTS, "gsi2sk": _fixed_width(closed)}
        sets = ", ".join(f"{name} = :{name}" for name in changing)
        try:
            self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item({"pk": pk, "sk": sk}),
                UpdateExpression=f"SET #s = :status, gsi1pk = :gsi1pk{', ' if sets else ''}{sets}",
                # Only from the status the caller read: of two managers acting at
                # once, the second gets Conflict instead of undoing the first.
                # ("status" is a reserved word, hence #s.)
                ConditionExpression="#s = :expected",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":status": suggestion.status.value,
                        ":gsi1pk": keys.hall_suggestions(suggestion.hall_code, suggestion.status),
                        ":expected": expected.value,
                        **{f":{name}": value for name, value in changing.items()},
                    }
                ),
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise Conflict(f"Suggestion {suggestion.id} changed meanwhile: reload it.") from None
            raise

    def contacts_to_purge(self, closed_before: datetime, limit: int) -> list[Suggestion]:
        answer = self.table.client.query(
            TableName=self.table.name,
            IndexName="gsi2",
            Limit=limit,
            KeyConditionExpression="gsi2pk = :p AND gsi2sk <= :t",
            ExpressionAttributeValues=to_item({":p": keys.SUGGESTION_CONTACTS, ":t": _fixed_width(closed_before)}),
        )
        return [_suggestion(from_item(i)) for i in answer.get("Items", [])]

    def purge_contact(self, suggestion: Suggestion) -> None:
        pk, sk = keys.suggestion(suggestion.id)
        try:
            self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item({"pk": pk, "sk": sk}),
                # Tracking then needs no phone4: the number is gone.
                UpdateExpression="REMOVE phone, #n, gsi2pk, gsi2sk SET has_phone = :f",
                # Never create a stub item for a suggestion that is not stored.
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues=to_item({":f": False}),
            )
        except ClientError as e:
            if error_code(e) != "ConditionalCheckFailedException":
                raise

    def record_box_opening(self, opening: BoxOpening) -> None:
        pk, sk = keys.suggestion_box(opening.hall_code)
        at_ms = int(opening.opened_at.timestamp() * 1000)
        try:
            self.table.client.put_item(
                TableName=self.table.name,
                Item=to_item({"pk": pk, "sk": sk, "opened_at_ms": at_ms, **opening.model_dump(mode="json")}),
                # Never move "last opened" backwards when a slower request lands second.
                ConditionExpression="attribute_not_exists(pk) OR opened_at_ms <= :at",
                ExpressionAttributeValues=to_item({":at": at_ms}),
            )
        except ClientError as e:
            if error_code(e) != "ConditionalCheckFailedException":
                raise

    def last_box_opening(self, hall_code: str) -> BoxOpening | None:
        item = self.table.get(*keys.suggestion_box(hall_code))
        return BoxOpening(**fields_of(item, BoxOpening)) if item else None

    def tracking_failures(self, tracking_no: str, window: AttemptWindow, now: datetime) -> int:
        item = self.table.get(*keys.tracking_failures(tracking_no, window.key))
        # TTL deletes lazily: an expired counter may still be there, and counts for nothing.
        if not item or int(item.get("expires_at", 0)) <= now.timestamp():
            return 0
        return int(item.get("failures", 0))

    def add_tracking_failure(self, tracking_no: str, window: AttemptWindow) -> int:
        pk, sk = keys.tracking_failures(tracking_no, window.key)
        answer = self.table.client.update_item(
            TableName=self.table.name,
            Key=to_item({"pk": pk, "sk": sk}),
            # ADD is atomic, so concurrent wrong guesses all count; the expiry is
            # the window's end, set once.
            UpdateExpression="ADD failures :one SET expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeValues=to_item({":one": 1, ":exp": int(window.expires_at.timestamp())}),
            ReturnValues="UPDATED_NEW",
        )
        return int(from_item(answer["Attributes"])["failures"])


def _new_only() -> dict[str, str]:
    # The key is (pk, sk): no item with this pk means no item with this key.
    return {"ConditionExpression": "attribute_not_exists(pk)"}


def _before(cursor: str | None) -> str | None:
    key = decode_cursor(cursor, ("before",))
    if key is None:
        return None
    before = key.get("before")
    if not isinstance(before, str) or not before:
        raise InvalidInput("The cursor is not one this API gave out.", {"cursor": "invalid cursor"})
    return before
