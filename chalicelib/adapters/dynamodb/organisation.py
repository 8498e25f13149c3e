"""Halls, counters, staff and devices in DynamoDB."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.domain.errors import NotFound
from chalicelib.domain.organisation import Counter, Device, Hall, Staff
from chalicelib.domain.paging import Page


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
        self.table.put_new(
            {
                "pk": pk,
                "sk": sk,
                "gsi1pk": keys.hall_devices(device.hall_code),
                "gsi1sk": f"{device.counter_number:03d}#{device.device_id}",
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
                UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :at)",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=to_item({":at": at.isoformat()}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise NotFound(f"No device {device_id}.") from None
            raise
        return Device(**fields_of(from_item(answer["Attributes"]), Device))
