"""Counting DynamoDB round trips and working out write units from item sizes.

DynamoDB Local's ConsumedCapacity is not the real bill for transactions, so
write units are computed with AWS's rules: a write costs one unit per started
KB of the item; inside a transaction, two.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


def attribute_size(value: dict[str, Any]) -> int:
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return len(str(v).lstrip("-").replace(".", "")) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + attribute_size(x) for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + attribute_size(x) for k, x in v.items())
    if kind == "SS":
        return sum(len(x.encode()) for x in v)
    raise ValueError(kind)


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


@dataclass
class Meter:
    """Hooks a boto3 client: counts calls by operation and the write units they cost."""

    calls: Counter[str] = field(default_factory=Counter)
    write_units: float = 0.0
    tallies_by_key: dict[str, int] = field(default_factory=dict)

    def attach(self, client: Any) -> None:
        client.meta.events.register("provide-client-params.dynamodb.*", self._count)

    def _count(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        if model.name == "TransactWriteItems":
            for entry in params["TransactItems"]:
                if "Put" in entry:
                    self.write_units += 2 * math.ceil(item_size(entry["Put"]["Item"]) / 1024)
                else:
                    # An Update, or a ConditionCheck (a press minute unchanged since read), is charged
                    # as a write of its item.
                    key = (entry.get("Update") or entry.get("ConditionCheck") or entry["Delete"])["Key"]
                    # An updated tally is small (< 1 KB); a transaction doubles its unit.
                    self.write_units += 2 * math.ceil(max(item_size(key) + 120, 1) / 1024)
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            item = params.get("Item") or params.get("Key", {})
            self.write_units += math.ceil(max(item_size(item), 1) / 1024)

    @property
    def round_trips(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()
        self.write_units = 0.0
