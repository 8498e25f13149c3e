"""Tally counters (``STATS#<hall>#<YYYY-MM>`` items, docs/data-model.md) as transaction items.

A tally changes only inside the transaction of what it counts (a rating, a
suggestion, a callback task, an appeal), so this gives an item to add to that
transaction, never a write of its own.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import to_item
from chalicelib.domain.stats import StatKey


def tally_update(table: str, key: StatKey, increments: Counter[str]) -> dict[str, Any]:
    """The ``Update`` that adds ``increments`` (negative ones subtract) to the tally at ``key``."""
    names = {f"#f{i}": name for i, name in enumerate(sorted(increments))}
    values = {f":v{i}": increments[name] for i, name in enumerate(sorted(increments))}
    return {
        "Update": {
            "TableName": table,
            "Key": to_item(dict(zip(("pk", "sk"), keys.stat(key), strict=True))),
            # ADD creates missing counters at zero; field names go through
            # placeholders because words such as "score" may be reserved.
            "UpdateExpression": "ADD " + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True)),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
        }
    }
