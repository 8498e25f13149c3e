"""五进 events, their per-hall counters and published snapshots in DynamoDB.

An event and its hall's counter change in one transaction: the event's
conditional put and an ADD on the counter item, so a counter never counts an
event that was not stored, nor one twice. A snapshot is compressed JSON
written once under its version; nothing ever updates it.
"""

from __future__ import annotations

import zlib
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.domain.errors import Conflict, PayloadTooLarge
from chalicelib.domain.outreach import TALLIES, HallTally, OutreachEvent, Snapshot
from chalicelib.domain.paging import Page

# DynamoDB items stop at 400 KB; leave room for the keys and attribute names.
MAX_SNAPSHOT_BYTES = 380_000


def _event(item: dict[str, Any]) -> OutreachEvent:
    values = fields_of(item, OutreachEvent)
    values["photos"] = tuple(values.get("photos", ()))
    return OutreachEvent(**values)


def _tally(item: dict[str, Any]) -> HallTally:
    return HallTally(**fields_of(item, HallTally))


class DynamoOutreachRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    # events
    def add_event(self, event: OutreachEvent) -> None:
        day = event.date.isoformat()
        pk, sk = keys.outreach_event(event.quarter, event.hall_code, day, event.event_id)
        tally_pk, tally_sk = keys.outreach_tally(event.quarter, event.hall_code)
        values = event.model_dump(mode="json")
        values["photos"] = list(event.photos) or None  # an empty list is left out
        put = {
            "TableName": self.table.name,
            "Item": to_item(
                {
                    "pk": pk,
                    "sk": sk,
                    "gsi1pk": keys.outreach_quarter_events(event.quarter),
                    "gsi1sk": f"{event.hall_code}#{day}#{event.event_id}",
                    **values,
                }
            ),
            # A new event only: a retried transaction must not count it twice.
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        tallied = ("events", event.category.value, *TALLIES)
        names = {f"#n{i}": name for i, name in enumerate(tallied)}
        update = {
            "TableName": self.table.name,
            "Key": to_item({"pk": tally_pk, "sk": tally_sk}),
            # ADD creates the item and each missing number at 0 first; the
            # quarter and hall are set once so the item describes itself.
            "UpdateExpression": "SET #h = :h, #q = :q ADD " + ", ".join(f"#n{i} :v{i}" for i in range(len(tallied))),
            # Names for every attribute: several are reserved words in expressions.
            "ExpressionAttributeNames": {"#h": "hall_code", "#q": "quarter", **names},
            "ExpressionAttributeValues": to_item(
                {
                    ":h": event.hall_code,
                    ":q": event.quarter,
                    ":v0": 1,
                    ":v1": 1,
                    **{f":v{i}": getattr(event, name) for i, name in enumerate(tallied) if i >= 2},
                }
            ),
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
            [{"Put": put}, {"Update": update}, {"Put": guard}],
            # The two puts are the only conditions: failing either means the event id is taken.
            refusals=dict.fromkeys((0, 2), Conflict(f"Event {event.event_id} exists already.")),
        )

    def get_event(self, event_id: str) -> OutreachEvent | None:
        guard = self.table.get(*keys.outreach_event_id(event_id))
        item = self.table.get(guard["event_pk"], guard["event_sk"]) if guard else None
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
