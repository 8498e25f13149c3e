"""Halls, counters, staff and devices in DynamoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.domain.errors import NotFound
from chalicelib.domain.organisation import Counter, Device, Hall, Staff
from chalicelib.domain.paging import Page

GSI2 = "gsi2"


class DynamoOrganisationRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    # halls
    def add_hall(self, hall: Hall) -> None:
        pk, sk = keys.hall(hall.code)
        self.table.put_new(
            {"pk": pk, "sk": sk, "gsi1pk": keys.ALL_HALLS, "gsi1sk": hall.code, **hall.model_dump(mode="json")},
            f"Hall {hall.code}",
        )

    def save_hall(self, hall: Hall) -> None:
        pk, sk = keys.hall(hall.code)
        self._replace(
            {"pk": pk, "sk": sk, "gsi1pk": keys.ALL_HALLS, "gsi1sk": hall.code, **hall.model_dump(mode="json")},
            f"hall {hall.code}",
        )

    def _replace(self, item: dict[str, object], what: str) -> None:
        """Put over a stored item: a record is edited, never created by an edit."""
        try:
            self.table.client.put_item(
                TableName=self.table.name, Item=to_item(item), ConditionExpression="attribute_exists(pk)"
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise NotFound(f"No {what}.") from None
            raise

    def get_hall(self, code: str) -> Hall | None:
        item = self.table.get(*keys.hall(code))
        return Hall(**fields_of(item, Hall)) if item else None

    def list_halls(self, cursor: str | None, limit: int) -> Page[Hall]:
        return self.table.query_page(
            lambda i: Hall(**fields_of(i, Hall)),
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.ALL_HALLS}),
        )

    # counters
    def add_counter(self, counter: Counter) -> None:
        pk, sk = keys.counter(counter.hall_code, counter.number)
        self.table.put_new(
            {"pk": pk, "sk": sk, **counter.model_dump(mode="json")},
            f"Counter {counter.number} of hall {counter.hall_code}",
        )

    def save_counter(self, counter: Counter) -> None:
        pk, sk = keys.counter(counter.hall_code, counter.number)
        self._replace({"pk": pk, "sk": sk, **counter.model_dump(mode="json")}, f"counter {counter.number}")

    def get_counter(self, hall_code: str, number: int) -> Counter | None:
        item = self.table.get(*keys.counter(hall_code, number))
        return Counter(**fields_of(item, Counter)) if item else None

    def list_counters(self, hall_code: str) -> list[Counter]:
        pk, _ = keys.hall(hall_code)
        return list(
            self.table.query_all(
                lambda i: Counter(**fields_of(i, Counter)),
                KeyConditionExpression="pk = :p AND begins_with(sk, :c)",
                ExpressionAttributeValues=to_item({":p": pk, ":c": keys.COUNTER_PREFIX}),
            )
        )

    # staff
    def add_staff(self, staff: Staff) -> None:
        pk, sk = keys.staff(staff.staff_no)
        self.table.put_new(
            {
                "pk": pk,
                "sk": sk,
                "gsi1pk": keys.hall_staff(staff.hall_code),
                "gsi1sk": staff.staff_no,
                **staff.model_dump(mode="json"),
            },
            f"Staff number {staff.staff_no}",
        )

    def save_staff(self, staff: Staff) -> None:
        pk, sk = keys.staff(staff.staff_no)
        # The staff list of a hall is gsi1; a moved clerk's entry moves with the put.
        item = {"gsi1pk": keys.hall_staff(staff.hall_code), "gsi1sk": staff.staff_no, **staff.model_dump(mode="json")}
        self._replace({"pk": pk, "sk": sk, **item}, f"staff number {staff.staff_no}")

    def get_staff(self, staff_no: str) -> Staff | None:
        item = self.table.get(*keys.staff(staff_no))
        return Staff(**fields_of(item, Staff)) if item else None

    def list_staff(self, hall_code: str, cursor: str | None, limit: int) -> Page[Staff]:
        return self.table.query_page(
            lambda i: Staff(**fields_of(i, Staff)),
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.hall_staff(hall_code)}),
        )

    # devices
    def add_device(self, device: Device) -> None:
        pk, sk = keys.device(device.device_id)
        # A new device enters the index of devices by last seen (gsi2) as of its registration, so one
        # that never calls in is found silent too; its first call moves it (``_seen``).
        registered = keys.instant(device.created_at)
        self.table.put_new(
            {
                "pk": pk,
                "sk": sk,
                "gsi1pk": keys.hall_devices(device.hall_code),
                "gsi1sk": f"{device.counter_number:03d}#{device.device_id}",
                "gsi2pk": keys.devices_seen(keys.seen_shard(device.device_id)),
                "gsi2sk": f"{registered}#{device.device_id}",
                **device.model_dump(mode="json"),
            },
            f"Device {device.device_id}",
        )

    def get_device(self, device_id: str) -> Device | None:
        item = self.table.get(*keys.device(device_id))
        return Device(**fields_of(item, Device)) if item else None

    def list_devices(self, hall_code: str) -> list[Device]:
        return list(
            self.table.query_all(
                lambda i: Device(**fields_of(i, Device)),
                index=GSI1,
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues=to_item({":p": keys.hall_devices(hall_code)}),
            )
        )

    def revoke_device(self, device_id: str, at: datetime) -> Device:
        pk, sk = keys.device(device_id)
        try:
            answer = self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item({"pk": pk, "sk": sk}),
                # Only an existing device; a second revoke keeps the first time.
                # A revoked device leaves the index of devices by last seen (gsi2): never silent.
                UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :at) REMOVE gsi2pk, gsi2sk",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=to_item({":at": at.isoformat()}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise NotFound(f"No device {device_id}.") from None
            raise
        return Device(**fields_of(from_item(answer["Attributes"]), Device))

    def _seen(self, device_id: str, at: datetime, health: dict[str, Any], condition: str, **values: Any) -> bool:
        pk, sk = keys.device(device_id)
        health = {
            name: value for name, value in health.items() if value is not None
        }  # a heartbeat without firmware keeps it
        seen = keys.instant(at)  # one fixed width: stored times compare as text
        sets = ["last_seen_at = :seen", "gsi2pk = :gp", "gsi2sk = :gs"]
        sets += [f"#h{i} = :h{i}" for i in range(len(health))]
        names = {f"#h{i}": name for i, name in enumerate(health)}
        values |= {f":h{i}": value for i, value in enumerate(health.values())}
        # The device enters (or moves in) the index of devices by last seen (gsi2, sparse).
        values |= {":seen": seen, ":gp": keys.devices_seen(keys.seen_shard(device_id)), ":gs": f"{seen}#{device_id}"}
        try:
            self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item({"pk": pk, "sk": sk}),
                UpdateExpression="SET " + ", ".join(sets),
                # Only a registered device that is not revoked: an update never creates one.
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revoked_at)" + condition,
                **({"ExpressionAttributeNames": names} if names else {}),
                ExpressionAttributeValues=to_item(values),
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def touch_device(self, device_id: str, at: datetime, unless_seen_after: datetime | None) -> bool:
        if unless_seen_after is None:
            return self._seen(device_id, at, {}, "")
        # Not seen after ``unless_seen_after`` (never seen: absent, or null as registered).
        return self._seen(
            device_id,
            at,
            {},
            " AND (attribute_not_exists(last_seen_at) OR attribute_type(last_seen_at, :null)"
            " OR last_seen_at <= :after)",
            **{":null": "NULL", ":after": keys.instant(unless_seen_after)},
        )

    def report_health(self, device_id: str, at: datetime, buffered: int, firmware: str | None) -> None:
        self._seen(device_id, at, {"buffered": buffered, "firmware": firmware}, "")

    def devices_seen_before(self, before: datetime) -> list[Device]:
        found: list[Device] = []
        for shard in range(keys.SEEN_SHARDS):
            found += self.table.query_all(
                lambda i: Device(**fields_of(i, Device)),
                index=GSI2,
                KeyConditionExpression="gsi2pk = :p AND gsi2sk < :s",
                ExpressionAttributeValues=to_item({":p": keys.devices_seen(shard), ":s": keys.instant(before)}),
            )
        return found
