"""Event filtering as Lambda applies it to a stream event source (``FilterCriteria``),
for the patterns infra/resources.json gives the stream functions: the pump passes a
handler only the records its function would be invoked for in AWS.

Only the pattern forms the template uses are understood: nested objects, and lists
of exact values (a record matches when its value is one of them); a field the
pattern names and the record lacks never matches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    if not isinstance(event, Mapping):
        return False
    for name, wanted in pattern.items():
        if name not in event:
            return False
        value = event[name]
        if isinstance(wanted, Mapping):
            if not matches(wanted, value):
                return False
        elif isinstance(wanted, list):
            if any(isinstance(w, Mapping) for w in wanted):
                raise ValueError(f"pattern form not understood here: {wanted!r}")
            if value not in wanted:
                return False
        else:
            raise ValueError(f"pattern values are lists or objects: {wanted!r}")
    return True


def logical_id(handler_name: str) -> str:
    """Chalice's name for a handler's function in the template: table_changes -> TableChanges."""
    return "".join(part.title() for part in handler_name.split("_"))


def patterns_of(handler_name: str, resources: Path = ROOT / "infra" / "resources.json") -> list[dict[str, Any]] | None:
    """The filter patterns of a stream handler's event source; None when it has no filter."""
    found = json.loads(resources.read_text(encoding="utf-8"))["Resources"].get(logical_id(handler_name), {})
    for event in found.get("Properties", {}).get("Events", {}).values():
        criteria = event.get("Properties", {}).get("FilterCriteria")
        if event.get("Type") == "DynamoDB" and criteria:
            return [json.loads(f["Pattern"]) for f in criteria["Filters"]]
    return None


def admitted(patterns: list[dict[str, Any]] | None, record: Mapping[str, Any]) -> bool:
    """Does any pattern pass the record (every record, with no filter)?"""
    return patterns is None or any(matches(p, record) for p in patterns)
