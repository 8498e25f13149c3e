"""五进 events, their per-hall counters and published snapshots in DynamoDB.

An event and its hall's counter change in one transaction: the event's
conditional put and an ADD on the counter item, so a counter never counts an
event that was not stored, nor one twice. An edit or a deletion is one
transaction too, conditional on the event still being the revision read: it
moves the counters by the difference (signed ADDs), so two concurrent edits
never count a change twice. A snapshot is compressed JSON written once under
its version; nothing ever updates it.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.domain.errors import Conflict, PayloadTooLarge
from chalicelib.domain.outreach import HallTally, OutreachEvent, Snapshot, contribution, count_changes
from chalicelib.domain.paging import Page

# DynamoDB items stop at 400 KB; leave room for the keys and attribute names.
MAX_SNAPSHOT_BYTES = 380_000


def _event(item: dict[str, Any]) -> OutreachEvent:
    values = fields_of(item, OutreachEvent)
    values["photos"] = tuple(values.get("photos", ()))
    return OutreachEvent(**values)


def _key(event: OutreachEvent) -> tuple[str, str]:
    return keys.outreach_event(event.quarter, event.hall_code, event.date.isoformat(), event.event_id)


def _tally(item: dict[str, Any]) -> HallTally:
    return HallTally(**fields_of(item, HallTally))


class DynamoOutreachRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    # events
    def _event_item(self, event: OutreachEvent) -> dict[str, Any]:
        day = event.date.isoformat()
        pk, sk = _key(event)
        values = event.model_dump(mode="json")
        values["photos"] = list(event.photos) or None  # an empty list is left out
        return to_item(
            {
                "pk": pk,
                "sk": sk,
                "gsi1pk": keys.outreach_quarter_events(event.quarter),
                "gsi1sk": f"{event.hall_code}#{day}#{event.event_id}",
                **values,
            }
        )

    def _count(self, quarter: str, hall_code: str, added: Mapping[str, int]) -> dict[str, Any]:
        """An ADD of ``added`` (signed) on the hall's counter item of the quarter."""
        tally_pk, tally_sk = keys.outreach_tally(quarter, hall_code)
        names = {f"#n{i}": name for i, name in enumerate(added)}
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": to_item({"pk": tally_pk, "sk": tally_sk}),
                # ADD creates the item and each missing number at 0 first; the
                # quarter and hall are set once so the item describes itself.
                "UpdateExpression": "SET #h = :h, #q = :q ADD " + ", ".join(f"#n{i} :v{i}" for i in range(len(added))),
                # Names for every attribute: several are reserved words in expressions.
                "ExpressionAttributeNames": {"#h": "hall_code", "#q": "quarter", **names},
                "ExpressionAttributeValues": to_item(
                    {":h": hall_code, ":q": quarter, **{f":v{i}": value for i, value in enumerate(added.values())}}
                ),
            }
        }

    def add_event(self, event: OutreachEvent) -> None:
        pk, sk = _key(event)
        put = {
            "TableName": self.table.name,
            "Item": self._event_item(event),
            # A new event only: a retried transaction must not count it twice.
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        guard_pk, guard_sk = keys.outreach_event_id(event.event_id)
        guard = {
            "TableName": self.table.name,
            "Item": to_item({"pk": guard_pk, "sk": guard_sk, "event_pk": pk, "event_sk": sk}),
            # The id is unique whatever the date: a retry with another date is still a duplicate.
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        # Another event of the same hall and quarter updating the counter at
        # the same moment is a TransactionConflict: Table.transact retries it.
        self.table.transact(
            [{"Put": put}, self._count(event.quarter, event.hall_code, contribution(event)), {"Put": guard}],
            # The two puts are the only conditions: failing either means the event id is taken.
            refusals=dict.fromkeys((0, 2), Conflict(f"Event {event.event_id} exists already.")),
        )

    def _as_read(self, event: OutreachEvent) -> dict[str, Any]:
        """The condition that the stored event is still ``event``'s revision."""
        if event.revision == 1:
            # Events stored before revisions existed carry none: they are revision 1.
            condition = "attribute_exists(pk) AND (attribute_not_exists(#rev) OR #rev = :rev)"
        else:
            condition = "#rev = :rev"  # false when the item is gone, too
        return {
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#rev": "revision"},
            "ExpressionAttributeValues": to_item({":rev": event.revision}),
        }

    def _guard_points(self, event: OutreachEvent, update: str, values: dict[str, Any]) -> dict[str, Any]:
        """An update of the id's guard item, on condition it points at ``event``'s item."""
        pk, sk = _key(event)
        guard_pk, guard_sk = keys.outreach_event_id(event.event_id)
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": to_item({"pk": guard_pk, "sk": guard_sk}),
                "UpdateExpression": update,
                "ConditionExpression": "event_pk = :was_pk AND event_sk = :was_sk",
                "ExpressionAttributeValues": to_item({":was_pk": pk, ":was_sk": sk, **values}),
            }
        }

    def replace_event(self, before: OutreachEvent, after: OutreachEvent) -> None:
        item = self._event_item(after)
        (old_pk, old_sk), (new_pk, new_sk) = _key(before), _key(after)
        writes: list[dict[str, Any]]
        if (old_pk, old_sk) == (new_pk, new_sk):
            # The same key: one put over the item, on condition it is still the revision read.
            writes = [{"Put": {"TableName": self.table.name, "Item": item, **self._as_read(before)}}]
        else:
            # The hall or the date is in the key: the item read goes (on condition it is
            # still that revision), the new one comes, and the id's guard follows it.
            writes = [
                {
                    "Delete": {
                        "TableName": self.table.name,
                        "Key": to_item({"pk": old_pk, "sk": old_sk}),
                        **self._as_read(before),
                    }
                },
                # The id is in the key, so nothing is there yet (unless a write went astray).
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                self._guard_points(before, "SET event_pk = :pk, event_sk = :sk", {":pk": new_pk, ":sk": new_sk}),
            ]
        conditioned = range(len(writes))  # the event's condition, and the guard's when it moves
        writes += [self._count(after.quarter, hall, added) for hall, added in count_changes(before, after).items()]
        self.table.transact(
            writes, refusals=dict.fromkeys(conditioned, Conflict(f"Event {after.event_id} was changed meanwhile."))
        )

    def delete_event(self, event: OutreachEvent, deleted_by: str, deleted_at: datetime) -> None:
        pk, sk = _key(event)
        delete = {"TableName": self.table.name, "Key": to_item({"pk": pk, "sk": sk}), **self._as_read(event)}
        # The guard stays, pointing nowhere: the id is never taken again, so a
        # retried POST of the deleted event records nothing.
        tombstone = self._guard_points(
            event,
            "REMOVE event_pk, event_sk SET deleted_by = :by, deleted_at = :at",
            {":by": deleted_by, ":at": deleted_at.isoformat()},
        )
        self.table.transact(
            [
                {"Delete": delete},
                tombstone,
                *(self._count(event.quarter, hall, taken) for hall, taken in count_changes(event, None).items()),
            ],
            refusals=dict.fromkeys((0, 1), Conflict(f"Event {event.event_id} was changed or deleted meanwhile.")),
        )

    def get_event(self, event_id: str) -> OutreachEvent | None:
        guard = self.table.get(*keys.outreach_event_id(event_id))
        # A deleted event's guard is a tombstone pointing nowhere.
        item = self.table.get(guard["event_pk"], guard["event_sk"]) if guard and "event_pk" in guard else None
        return _event(item) if item else None

    def list_events(self, quarter: str, hall_code: str, cursor: str | None, limit: int) -> Page[OutreachEvent]:
        return self.table.query_page(
            _event,
            cursor=cursor,
            limit=limit,
            KeyConditionExpression="pk = :p AND begins_with(sk, :e)",
            ExpressionAttributeValues=to_item(
                {":p": keys.outreach_hall_events(quarter, hall_code), ":e": keys.OUTREACH_EVENT_PREFIX}
            ),
            # The console shows the list right after an edit or a deletion.
            ConsistentRead=True,
        )

    def quarter_events(self, quarter: str) -> list[OutreachEvent]:
        return list(
            self.table.query_all(
                _event,
                index=GSI1,
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues=to_item({":p": keys.outreach_quarter_events(quarter)}),
            )
        )

    def tallies(self, quarter: str) -> dict[str, HallTally]:
        found = self.table.query_all(
            _tally,
            KeyConditionExpression="pk = :p AND begins_with(sk, :t)",
            ExpressionAttributeValues=to_item({":p": keys.outreach_quarter(quarter), ":t": keys.OUTREACH_TALLY_PREFIX}),
            ConsistentRead=True,
        )
        return {t.hall_code: t for t in found}

    # snapshots
    def add_snapshot(self, snapshot: Snapshot) -> None:
        pk, sk = keys.outreach_snapshot(snapshot.quarter, snapshot.version)
        payload = zlib.compress(snapshot.model_dump_json().encode("utf-8"), 9)
        if len(payload) > MAX_SNAPSHOT_BYTES:
            raise PayloadTooLarge("This quarter's results are too large to publish as one snapshot.")
        try:
            self.table.client.put_item(
                TableName=self.table.name,
                Item=to_item(
                    {
                        "pk": pk,
                        "sk": sk,
                        "quarter": snapshot.quarter,
                        "version": snapshot.version,
                        "published_at": snapshot.published_at.isoformat(),
                        "payload": payload,
                    }
                ),
                # One writer per version: of two concurrent publishes of the
                # same next version, the second fails here instead of overwriting.
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise Conflict(f"Version {snapshot.version} of {snapshot.quarter} exists already.") from None
            raise

    def latest_version(self, quarter: str) -> int:
        answer = self.table.client.query(
            TableName=self.table.name,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues=to_item(
                {":p": keys.outreach_quarter(quarter), ":s": keys.OUTREACH_SNAPSHOT_PREFIX}
            ),
            ProjectionExpression="#v",
            ExpressionAttributeNames={"#v": "version"},
            ScanIndexForward=False,  # newest first: the sort key zero-pads the version
            Limit=1,
            ConsistentRead=True,
        )
        items = answer.get("Items", [])
        return int(from_item(items[0])["version"]) if items else 0

    def get_snapshot(self, quarter: str, version: int) -> Snapshot | None:
        item = self.table.get(*keys.outreach_snapshot(quarter, version))
        if item is None:
            return None
        return Snapshot.model_validate_json(zlib.decompress(bytes(item["payload"])))
