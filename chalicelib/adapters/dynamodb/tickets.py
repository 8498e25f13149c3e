"""Work orders in DynamoDB.

An order is one item (``TICKET#<id>``) listed on gsi1 in its hall's ledger of
the month it was created, and on gsi2 (sparse) while its flags still change on
their own. While unclosed, copies beside it (``QUEUE#HALL``, ``QUEUE#DEPT``)
list it in its hall's and its department's queues by due time. The order, its
copies, its tallies, its notifications and a callback task it opens are one
transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.callbacks import callback_item
from chalicelib.adapters.dynamodb.outbox import notification_item
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, from_item, to_item
from chalicelib.adapters.dynamodb.tallies import tally_update
from chalicelib.adapters.dynamodb.transactions import ConditionFailed
from chalicelib.domain import tickets as rules
from chalicelib.domain.callbacks import CallbackTask
from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import Notification
from chalicelib.domain.paging import Page
from chalicelib.domain.stats import StatKey
from chalicelib.domain.tickets import Flag, Status, Ticket
from chalicelib.services.ports import QueueOf

GSI2 = "gsi2"
CHANGED = "The order changed meanwhile; reload and retry."


def _order(ticket: Ticket) -> str:
    return f"{keys.instant(ticket.due_at)}#{ticket.id}"


def _ticket_item(ticket: Ticket) -> dict[str, Any]:
    pk, sk = keys.ticket(ticket.id)
    item: dict[str, Any] = {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.hall_tickets_of_month(ticket.hall_code, ticket.month),
        "gsi1sk": f"{keys.instant(ticket.created_at)}#{ticket.id}",
        **ticket.model_dump(mode="json", exclude_none=True),
    }
    check = rules.next_check(ticket)
    if check is not None:
        item |= {"gsi2pk": keys.TICKETS_TO_CHECK, "gsi2sk": keys.instant(check)}
    return item


def _queue_writes(table: str, ticket: Ticket) -> list[dict[str, Any]]:
    """Put the hall's and the department's copies of an unclosed order; delete the ones it left."""
    body = ticket.model_dump(mode="json", exclude_none=True)
    writes = []
    for where, partition in (
        ("HALL", keys.hall_ticket_queue(ticket.hall_code) if ticket.status is not Status.closed else None),
        (
            "DEPT",
            keys.department_ticket_queue(ticket.department)
            if ticket.department and ticket.status is not Status.closed
            else None,
        ),
    ):
        pk, sk = keys.ticket_queue(ticket.id, where)
        if partition is None:
            # Deleting a copy that is not there is no error: no condition needed.
            writes.append({"Delete": {"TableName": table, "Key": to_item({"pk": pk, "sk": sk})}})
        else:
            item = {"pk": pk, "sk": sk, "gsi1pk": partition, "gsi1sk": _order(ticket), **body}
            writes.append({"Put": {"TableName": table, "Item": to_item(item)}})
    return writes


def _ticket(item: dict[str, Any]) -> Ticket:
    return Ticket(**fields_of(item, Ticket))


class DynamoTicketRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def _tallies(self, tallies: Mapping[StatKey, Counter[str]] | None) -> list[dict[str, Any]]:
        return [tally_update(self.table.name, k, inc) for k, inc in sorted((tallies or {}).items())]

    def create(
        self, ticket: Ticket, tallies: Mapping[StatKey, Counter[str]], notify: Sequence[Notification] = ()
    ) -> bool:
        name = self.table.name
        number_pk, number_sk = keys.ticket_no(ticket.ticket_no)
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": name,
                    "Item": to_item(_ticket_item(ticket)),
                    # The id is the client's (or the suggestion's): a retry finds it taken.
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": name,
                    "Item": to_item({"pk": number_pk, "sk": number_sk, "ticket_id": ticket.id}),
                    "ConditionExpression": "attribute_not_exists(pk)",  # ticket numbers are unique
                }
            },
            *_queue_writes(name, ticket),
            *self._tallies(tallies),
            *({"Put": {"TableName": name, "Item": to_item(notification_item(n))}} for n in notify),
        ]
        if ticket.suggestion_id:
            pk, sk = keys.suggestion(ticket.suggestion_id)
            items.append(
                {
                    "Update": {
                        "TableName": name,
                        "Key": to_item({"pk": pk, "sk": sk}),
                        "UpdateExpression": "SET ticket_id = :t",
                        # Linked both ways, once: the suggestion must exist and have no order yet.
                        "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(ticket_id)",
                        "ExpressionAttributeValues": to_item({":t": ticket.id}),
                    }
                }
            )
        try:
            self.table.transact(items, refusals={1: Conflict("The ticket number is taken.")})
        except ConditionFailed:
            return False  # the order (or the suggestion's order) exists already
        return True

    def get(self, ticket_id: str) -> Ticket | None:
        item = self.table.get(*keys.ticket(ticket_id))
        return _ticket(item) if item else None

    def get_by_no(self, ticket_no: str) -> Ticket | None:
        pointer = self.table.get(*keys.ticket_no(ticket_no))
        return self.get(str(pointer["ticket_id"])) if pointer else None

    def save(
        self,
        ticket: Ticket,
        notify: Sequence[Notification] = (),
        tallies: Mapping[StatKey, Counter[str]] | None = None,
        new_task: CallbackTask | None = None,
        changed_task: CallbackTask | None = None,
    ) -> None:
        name = self.table.name
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": name,
                    "Item": to_item(_ticket_item(ticket)),
                    # Optimistic concurrency: two steps on one order cannot both win.
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": to_item({":expected": ticket.version - 1}),
                }
            },
            *_queue_writes(name, ticket),
            # Re-putting a notification changes nothing sent: delivery follows its first INSERT.
            *({"Put": {"TableName": name, "Item": to_item(notification_item(n))}} for n in notify),
            *self._tallies(tallies),
        ]
        refusals = {0: Conflict(CHANGED)}
        if new_task is not None:
            refusals[len(items)] = Conflict("The order's callback task exists already.")
            items.append(
                {
                    "Put": {
                        "TableName": name,
                        "Item": to_item(callback_item(new_task)),
                        # One task per source, as for ratings and suggestions.
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        if changed_task is not None:
            refusals[len(items)] = Conflict("The callback task changed meanwhile; retry.")
            items.append(
                {
                    "Put": {
                        "TableName": name,
                        "Item": to_item(callback_item(changed_task)),
                        "ConditionExpression": "version = :expected",
                        "ExpressionAttributeValues": to_item({":expected": changed_task.version - 1}),
                    }
                }
            )
        self.table.transact(items, refusals=refusals)

    def queue(
        self, of: QueueOf, status: Status | None, flag: Flag | None, cursor: str | None, limit: int
    ) -> Page[Ticket]:
        partition = (
            keys.department_ticket_queue(of.department) if of.department else keys.hall_ticket_queue(of.hall_code or "")
        )
        query: dict[str, Any] = {"KeyConditionExpression": "gsi1pk = :p"}
        values: dict[str, Any] = {":p": partition}
        filters, names = [], {}
        if status is not None:
            filters.append("#s = :s")
            names["#s"] = "status"
            values[":s"] = status.value
        if flag is not None:
            filters.append("contains(flags, :f)")  # flags is a list: contains tests membership
            values[":f"] = flag.value
        if filters:
            query["FilterExpression"] = " AND ".join(filters)
        if names:
            query["ExpressionAttributeNames"] = names
        query["ExpressionAttributeValues"] = to_item(values)
        return self.table.query_page(_ticket, cursor=cursor, limit=limit, index=GSI1, **query)

    def ledger(self, hall_code: str, month: str) -> list[Ticket]:
        return list(
            self.table.query_all(
                _ticket,
                index=GSI1,
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues=to_item({":p": keys.hall_tickets_of_month(hall_code, month)}),
            )
        )

    def due_for_check(self, now: datetime, limit: int) -> list[Ticket]:
        answer = self.table.client.query(
            TableName=self.table.name,
            IndexName=GSI2,
            Limit=limit,
            KeyConditionExpression="gsi2pk = :p AND gsi2sk <= :t",
            ExpressionAttributeValues=to_item({":p": keys.TICKETS_TO_CHECK, ":t": keys.instant(now)}),
        )
        return [_ticket(from_item(i)) for i in answer.get("Items", [])]
