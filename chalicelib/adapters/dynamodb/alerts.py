"""Alerts in DynamoDB (docs/data-model.md).

An alert is one ``ALERT#<id>`` item, listed per hall and status on gsi1. Its
kind and scope own one ``ALERTSCOPE#<kind>#<scope>`` item for ever: raising
sets its ``open_id`` on condition that none is set, in the same transaction as
the alert and its notification, so two evaluations racing (the stream and the
schedule) raise one alert. While an alert is unresolved the scope item sits in
the sparse gsi2 partition of its kind, which is how the schedule finds what to
re-check without reading anything else.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.outbox import notification_item
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.adapters.dynamodb.tallies import read_tally
from chalicelib.adapters.dynamodb.transactions import ConditionFailed
from chalicelib.domain.alerts import Alert, AlertKind, AlertRules, AlertStatus
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.notifications import Notification
from chalicelib.domain.paging import Page
from chalicelib.domain.stats import SLOT_MINUTES, StatKey, StatKind, slot_of
from chalicelib.services.ports import OpenAlert

GSI2 = "gsi2"


def _alert_item(alert: Alert) -> dict[str, Any]:
    pk, sk = keys.alert(alert.id)
    return {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.hall_alerts(alert.hall_code, alert.status.value),
        "gsi1sk": f"{keys.instant(alert.raised_at)}#{alert.id}",
        **alert.model_dump(mode="json", exclude_none=True),
    }


def _open_alert(item: dict[str, Any]) -> OpenAlert:
    return OpenAlert(
        alert_id=item["open_id"],
        kind=AlertKind(item["kind"]),
        scope=item["scope"],
        hall_code=item["hall_code"],
        counter=int(item["counter"]) if item.get("counter") is not None else None,
        subject=item.get("subject"),
        raised_at=datetime.fromisoformat(item["raised_at"]),
    )


class DynamoAlertRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def rules(self) -> AlertRules:
        item = self.table.get(*keys.ALERT_RULES)
        return AlertRules(**fields_of(item, AlertRules)) if item else AlertRules()

    def save_rules(self, rules: AlertRules) -> None:
        pk, sk = keys.ALERT_RULES
        # DynamoDB numbers are decimal: the share goes in as the decimal it was written as.
        values = {**rules.model_dump(), "spike_share": Decimal(str(rules.spike_share))}
        self.table.client.put_item(TableName=self.table.name, Item=to_item({"pk": pk, "sk": sk, **values}))

    def times_raised(self, kind: AlertKind, scope: str) -> int:
        item = self.table.get(*keys.alert_scope(kind.value, scope))
        return int(item.get("raised", 0)) if item else 0

    def raise_alert(self, alert: Alert, notification: Notification | None) -> bool:
        pk, sk = keys.alert_scope(alert.kind.value, alert.scope)
        ref = {
            ":id": alert.id,
            ":kind": alert.kind.value,
            ":scope": alert.scope,
            ":hall": alert.hall_code,
            ":raised_at": alert.raised_at.isoformat(),
            ":gp": keys.open_alerts(alert.kind.value),
            ":gs": f"{alert.hall_code}#{alert.scope}",
            ":one": 1,
        }
        sets = "open_id = :id, kind = :kind, #s = :scope, hall_code = :hall, raised_at = :raised_at"
        sets += ", gsi2pk = :gp, gsi2sk = :gs"
        for name, value in (("counter", alert.counter), ("subject", alert.subject)):
            sets += f", #{name} = :{name}" if value is not None else ""
            ref |= {f":{name}": value} if value is not None else {}
        names = {"#s": "scope"} | ({"#counter": "counter"} if alert.counter is not None else {})
        names |= {"#subject": "subject"} if alert.subject is not None else {}
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"pk": pk, "sk": sk}),
                    "UpdateExpression": f"SET {sets} ADD raised :one",
                    # One open alert per kind and scope: none may be open now.
                    "ConditionExpression": "attribute_not_exists(open_id)",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": to_item(ref),
                }
            },
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": to_item(_alert_item(alert)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if notification is not None:
            items.append(
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": to_item(notification_item(notification)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        try:
            self.table.transact(items)
        except ConditionFailed:
            return False
        return True

    def open_alerts(self, kind: AlertKind, hall_code: str | None = None) -> list[OpenAlert]:
        condition, values = "gsi2pk = :p", {":p": keys.open_alerts(kind.value)}
        if hall_code is not None:  # hall codes hold no '#': the prefix is exactly the hall's
            condition += " AND begins_with(gsi2sk, :h)"
            values[":h"] = f"{hall_code}#"
        return list(
            self.table.query_all(
                _open_alert, index=GSI2, KeyConditionExpression=condition, ExpressionAttributeValues=to_item(values)
            )
        )

    def resolve(self, alert: OpenAlert, at: datetime) -> bool:
        scope_pk, scope_sk = keys.alert_scope(alert.kind.value, alert.scope)
        pk, sk = keys.alert(alert.alert_id)
        items = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"pk": scope_pk, "sk": scope_sk}),
                    "UpdateExpression": "REMOVE open_id, gsi2pk, gsi2sk",
                    "ConditionExpression": "open_id = :id",  # still this alert
                    "ExpressionAttributeValues": to_item({":id": alert.alert_id}),
                }
            },
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"pk": pk, "sk": sk}),
                    "UpdateExpression": "SET #st = :resolved, resolved_at = :at, gsi1pk = :list",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeNames": {"#st": "status"},
                    "ExpressionAttributeValues": to_item(
                        {
                            ":resolved": AlertStatus.resolved.value,
                            ":at": at.isoformat(),
                            ":list": keys.hall_alerts(alert.hall_code, AlertStatus.resolved.value),
                        }
                    ),
                }
            },
        ]
        try:
            self.table.transact(items)
        except ConditionFailed:
            return False
        return True

    def acknowledge(self, alert_id: str, by: str, note: str, at: datetime) -> Alert:
        alert = self.get(alert_id)
        if alert is None:
            raise NotFound(f"No alert {alert_id}.")
        pk, sk = keys.alert(alert_id)
        values = {
            ":open": AlertStatus.open.value,
            ":ack": AlertStatus.acknowledged.value,
            ":by": by,
            ":note": note,
            ":at": at.isoformat(),
            ":list": keys.hall_alerts(alert.hall_code, AlertStatus.acknowledged.value),
        }
        try:
            answer = self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item({"pk": pk, "sk": sk}),
                UpdateExpression="SET #st = :ack, acknowledged_by = :by, note = :note, acknowledged_at = :at,"
                " gsi1pk = :list",
                ConditionExpression="#st = :open",  # only an open alert; resolved ones stay as they ended
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                raise Conflict(f"Alert {alert_id} is {self._status(alert_id)}, not open.") from None
            raise
        return Alert(**fields_of(from_item(answer["Attributes"]), Alert))

    def _status(self, alert_id: str) -> str:
        alert = self.get(alert_id)
        return alert.status.value if alert else "gone"

    def get(self, alert_id: str) -> Alert | None:
        item = self.table.get(*keys.alert(alert_id))
        return Alert(**fields_of(item, Alert)) if item else None

    def list_by_hall(self, hall_code: str, status: AlertStatus, cursor: str | None, limit: int) -> Page[Alert]:
        return self.table.query_page(
            lambda i: Alert(**fields_of(i, Alert)),
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.hall_alerts(hall_code, status.value)}),
            ScanIndexForward=False,
        )

    def window_tallies(self, hall_code: str, first: datetime, last: datetime) -> dict[StatKey, Counter[str]]:
        found: dict[StatKey, Counter[str]] = {}
        for month, low, high in _month_spans(first, last):
            pk, lower = keys.stat(StatKey(hall_code, month, StatKind.window, low, None))
            _, upper = keys.stat(StatKey(hall_code, month, StatKind.window, high, None))
            # Window tallies sort by slot ("WINDOW#DD-HHMM#C003"): the slots from low to high,
            # every counter ('~' sorts after the "#C..." of the last slot's shards).
            for item in self.table.query_all(
                lambda i: i,
                KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues=to_item({":p": pk, ":lo": lower, ":hi": f"{upper}#~"}),
            ):
                key, counts = read_tally(hall_code, month, item)
                found[key] = counts
        return found


def _month_spans(first: datetime, last: datetime) -> list[tuple[str, str, str]]:
    """(month, first slot, last slot) for each Shanghai month the span touches."""
    spans: dict[str, list[str]] = {}
    at = first
    while at <= last + timedelta(minutes=SLOT_MINUTES):
        moment = min(at, last)
        month = moment.astimezone(SHANGHAI).strftime("%Y-%m")
        spans.setdefault(month, []).append(slot_of(moment))
        if moment == last:
            break
        at += timedelta(minutes=SLOT_MINUTES)
    return [(month, slots[0], slots[-1]) for month, slots in spans.items()]
