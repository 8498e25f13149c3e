"""Tally counters (``STATS#<hall>#<YYYY-MM>`` items, docs/data-model.md) as transaction items.

A tally changes only inside the transaction of what it counts (a rating, a
suggestion, a callback task, an appeal), so this gives an item to add to that
transaction, never a write of its own.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import to_item
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
