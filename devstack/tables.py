"""Creates the tables locally from the one definition in infra/resources.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "infra" / "resources.json"

# Table resources in the template, by the environment variable that names them.
TABLES = {"Table": "TINGSHENG_TABLE"}

_CREATE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "BillingMode",
    "StreamSpecification",
)


def table_definition(logical_id: str = "Table") -> dict[str, Any]:
    resources = json.loads(RESOURCES.read_text(encoding="utf-8"))["Resources"]
    props: dict[str, Any] = resources[logical_id]["Properties"]
    return props


def create_table_kwargs(table_name: str, logical_id: str = "Table") -> dict[str, Any]:
    """CreateTable arguments equivalent to the CloudFormation resource."""
    props = table_definition(logical_id)
    kwargs: dict[str, Any] = {k: props[k] for k in _CREATE_KEYS if k in props}
    if "StreamSpecification" in kwargs:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **kwargs["StreamSpecification"]}
    kwargs["TableName"] = table_name
    return kwargs


def ensure_table(client: Any, table_name: str, logical_id: str = "Table") -> bool:
    """Create the table unless it exists (then add any index it lacks); True when it was created."""
    try:
        existing = client.describe_table(TableName=table_name)["Table"]
    except client.exceptions.ResourceNotFoundException:
        existing = None
    if existing is not None:
        _add_missing_indexes(client, table_name, existing)
        return False
    client.create_table(**create_table_kwargs(table_name, logical_id))
    client.get_waiter("table_exists").wait(TableName=table_name)
    ttl = table_definition(logical_id).get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
    return True


def _add_missing_indexes(client: Any, table_name: str, existing: dict[str, Any]) -> None:
    """A data directory from an older version gets the indexes added since (one at a time)."""
    props = table_definition()
    have = {i["IndexName"] for i in existing.get("GlobalSecondaryIndexes", [])}
    for index in props.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in have:
            continue
        names = {k["AttributeName"] for k in index["KeySchema"]}
        client.update_table(
            TableName=table_name,
            AttributeDefinitions=[a for a in props["AttributeDefinitions"] if a["AttributeName"] in names],
            GlobalSecondaryIndexUpdates=[{"Create": {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}}],
        )
        client.get_waiter("table_exists").wait(TableName=table_name)
