"""Tally counters (``STATS#<hall>#<YYYY-MM>`` items, docs/data-model.md) as transaction items.

A tally changes only inside the transaction of what it counts (a rating, a
suggestion, a callback task, an appeal), so this gives an item to add to that
transaction, never a write of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.adapters.dynamodb.transactions import ConditionFailed
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.stats import StatKey, StatKind

# A negative-spike window's slot tallies matter for an hour; the table's TTL
# (``expires_at``, epoch seconds) removes them a day after their slot.
WINDOW_KEPT = timedelta(days=1)


def window_expiry(key: StatKey) -> int:
    """When a window tally (part ``DD-HHMM``, Asia/Shanghai) may go."""
    day, hhmm = key.part.split("-")
    slot = datetime.strptime(f"{key.month}-{day} {hhmm}", "%Y-%m-%d %H%M").replace(tzinfo=SHANGHAI)
    return int((slot + WINDOW_KEPT).timestamp())


def read_tally(hall_code: str, month: str, item: dict[str, Any]) -> tuple[StatKey, Counter[str]]:
    """A stored tally item as its key and counters (its keys and TTL are no counters)."""
    counts = {k: int(v) for k, v in item.items() if k not in ("pk", "sk", "expires_at")}
    return keys.parse_stat(hall_code, month, item["sk"]), Counter(counts)


def tally_update(table: str, key: StatKey, increments: Counter[str]) -> dict[str, Any]:
    """The ``Update`` that adds ``increments`` (negative ones subtract) to the tally at ``key``."""
    names = {f"#f{i}": name for i, name in enumerate(sorted(increments))}
    values = {f":v{i}": increments[name] for i, name in enumerate(sorted(increments))}
    # ADD creates missing counters at zero; field names go through
    # placeholders because words such as "score" may be reserved.
    expression = "ADD " + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True))
    if key.kind is StatKind.window:
        expression += " SET expires_at = if_not_exists(expires_at, :expires)"
        values[":expires"] = window_expiry(key)
    return {
        "Update": {
            "TableName": table,
            "Key": to_item(dict(zip(("pk", "sk"), keys.stat(key), strict=True))),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
        }
    }


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


def put_counted(
    table: Table,
    chunk: Sequence[K],
    item_of: Callable[[K], dict[str, Any]],
    tallies_of: Callable[[list[K]], Mapping[StatKey, Counter[str]]],
) -> dict[str, str]:
    """Store each new item with what it adds to the tallies, in one transaction: an id
    already stored is a ``duplicate`` (the transaction is cancelled and the rest sent again),
    the others ``created``. Nothing is counted twice, whatever the retries."""
    statuses: dict[str, str] = {}
    live = list(chunk)
    while live:
        puts = [
            {
                "Put": {
                    "TableName": table.name,
                    "Item": to_item(item_of(x)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for x in live
        ]
        tallies = [tally_update(table.name, k, n) for k, n in sorted(tallies_of(live).items())]
        try:
            table.transact(puts + tallies)
        except ConditionFailed as failed:
            # Only the puts (the first len(live) items) have a condition: each failed one is a duplicate.
            duplicates = {live[i].id for i in failed.positions}
            statuses.update(dict.fromkeys(duplicates, "duplicate"))
            live = [x for x in live if x.id not in duplicates]
            continue
        statuses.update(dict.fromkeys((x.id for x in live), "created"))
        live = []
    return statuses
