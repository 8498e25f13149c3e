"""Reading DynamoDB stream records back into domain objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamodb.table import fields_of, from_item
from chalicelib.domain.notifications import Notification
from chalicelib.domain.ratings import Rating
from chalicelib.domain.suggestions import Suggestion

_ENTITIES: dict[str, type[Rating] | type[Suggestion] | type[Notification]] = {
    "RATING#": Rating,
    "SUGGESTION#": Suggestion,
    "NOTIFY#": Notification,
}


@dataclass(frozen=True)
class Inserted:
    entity: Rating | Suggestion | Notification


def change_of(record: dict[str, Any]) -> Inserted | None:
    """The new entity an INSERT record carries, or None for records the pipeline ignores.

    A record whose image does not parse raises: the batch reports it as failed.
    """
    model = entity_of(record)
    if model is None:
        return None
    return Inserted(model(**fields_of(from_item(record["dynamodb"]["NewImage"]), model)))


def entity_of(record: dict[str, Any]) -> type[Rating] | type[Suggestion] | type[Notification] | None:
    """What a record's new item is, when it is an INSERT the pipeline acts on (the deploy
    template's event filter for the stream function passes exactly these records)."""
    if record.get("eventName") != "INSERT":
        return None
    image = record["dynamodb"]["NewImage"]
    pk = image.get("pk", {}).get("S", "")
    for prefix, model in _ENTITIES.items():
        if pk.startswith(prefix) and image.get("sk", {}).get("S") == prefix[:-1]:
            return model
    return None


def queued_export(record: dict[str, Any]) -> str | None:
    """The id of the export job a record shows queued (asked for, or queued again by the sweep); else None."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    image = record.get("dynamodb", {}).get("NewImage", {})
    if image.get("sk", {}).get("S") != "EXPORT" or image.get("status", {}).get("S") != "queued":
        return None
    job_id = image.get("id", {}).get("S")
    return job_id if isinstance(job_id, str) else None
