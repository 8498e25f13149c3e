"""Counter devices, beyond ratings (SPEC §4.2): unrated visits and heartbeats."""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic import ValidationError

from chalicelib import composition
from chalicelib.api.device_schemas import BatchResults, HeartbeatIn, UnratedBatchIn, UnratedItemIn
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge
from chalicelib.services import unrated
from chalicelib.services.ratings import MAX_BATCH, Unreadable
from chalicelib.services.unrated import DeviceVisit
from chalicelib.web.errors import error_body, invalid_input
from chalicelib.web.requests import json_body, parse_json
from chalicelib.web.responses import json_response
from chalicelib.web.routing import Auth, Routes

routes = Routes(__name__, tag="device")


def _read_item(raw: Any) -> DeviceVisit | Unreadable:
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        item = UnratedItemIn.model_validate(raw)
    except ValidationError as e:
        return Unreadable(str(raw_id) if isinstance(raw_id, str | int) else None, invalid_input(e))
    return DeviceVisit(id=str(item.id), at=item.at, staff_no=item.staff_no)


def _items(body: Any) -> list[Any]:
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise InvalidInput('The body must be {"items": [...]}.', {"items": "a list of 1 to 100 visits"})
    if len(items) > MAX_BATCH:
        raise PayloadTooLarge(f"At most {MAX_BATCH} visits a request.", {"items": f"{len(items)} items; at most 100"})
    if not items:
        raise InvalidInput("The batch is empty.", {"items": "at least one visit"})
    return items


@routes(
    "/api/v1/device/unrated",
    "POST",
    summary="Post 1-100 visits where a rating was invited and none came (未评价); idempotent by id",
    auth=Auth.device,
    request=UnratedBatchIn,
    response=BatchResults,
)
def post_unrated():  # type: ignore[no-untyped-def]
    items = [_read_item(raw) for raw in _items(json_body(routes.request))]
    results = unrated.ingest_unrated(routes.principal(), items, composition.unrated_ports())
    return json_response(
        {
            "results": [
                {"id": r.id, "status": r.status}
                | ({"error": error_body(r.error.code, r.error.message, r.error.fields)["error"]} if r.error else {})
                for r in results
            ]
        }
    )


@routes(
    "/api/v1/device/heartbeat",
    "POST",
    summary="A device's heartbeat: ratings buffered on it and its firmware (every few minutes)",
    auth=Auth.device,
    request=HeartbeatIn,
    status=204,
)
def heartbeat():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, HeartbeatIn)
    device = routes.principal()
    composition.organisation().report_health(device.device_id, composition.clock().now(), body.buffered, body.firmware)
    return Response(body="", status_code=204)
