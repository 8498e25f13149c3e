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
    if record.get("eventName") != "INSERT":
        return None
    image = record["dynamodb"]["NewImage"]
    pk = image.get("pk", {}).get("S", "")
    for prefix, model in _ENTITIES.items():
        if pk.startswith(prefix) and image.get("sk", {}).get("S") == prefix[:-1]:
            return Inserted(model(**fields_of(from_item(image), model)))
    return None
