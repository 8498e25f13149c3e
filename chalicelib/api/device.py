"""Counter rating devices (SPEC §4.2): shift sign-in/out and rating batches."""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic import ValidationError

from chalicelib import composition
from chalicelib.api.device_schemas import BatchResults, DeviceBatchIn, DeviceRatingIn, ShiftIn, ShiftOutIn
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge
from chalicelib.services import ratings, shifts
from chalicelib.services.ratings import MAX_BATCH, DevicePress, Unreadable
from chalicelib.web.errors import error_body, invalid_input
from chalicelib.web.requests import json_body, parse_json
from chalicelib.web.responses import json_response
from chalicelib.web.routing import Auth, Routes

routes = Routes(__name__, tag="device")


@routes(
    "/api/v1/device/shift",
    "PUT",
    summary="Sign a clerk in at this device's counter",
    auth=Auth.device,
    request=ShiftIn,
    status=204,
    statuses=(404,),
)
def sign_in():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, ShiftIn)
    shifts.sign_in(
        routes.principal(),
        composition.organisation(),
        composition.shifts(),
        composition.clock(),
        body.staff_no,
        body.at,
    )
    return Response(body="", status_code=204)


@routes(
    "/api/v1/device/shift",
    "DELETE",
    summary="Sign the clerk out of this device's counter (optional body: the device clock `at`)",
    auth=Auth.device,
    request=ShiftOutIn,
    body_required=False,
    status=204,
)
def sign_out():  # type: ignore[no-untyped-def]
    request = routes.request
    at = parse_json(request, ShiftOutIn).at if (request.raw_body or b"").strip() else None
    shifts.sign_out(routes.principal(), composition.shifts(), composition.clock(), at)
    return Response(body="", status_code=204)


def _read_item(raw: Any) -> DevicePress | Unreadable:
    """One item on its own: a bad item is rejected without touching the others."""
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        item = DeviceRatingIn.model_validate(raw)
    except ValidationError as e:
        return Unreadable(str(raw_id) if isinstance(raw_id, str | int) else None, invalid_input(e))
    return DevicePress(
        id=str(item.id),
        level=item.level,
        rated_at=item.rated_at,
        staff_no=item.staff_no,
        business=item.business,
        reasons=tuple(item.reasons),
    )


def _batch(body: Any) -> list[Any]:
    items = body.get("ratings") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise InvalidInput('The body must be {"ratings": [...]}.', {"ratings": "a list of 1 to 100 ratings"})
    if len(items) > MAX_BATCH:
        raise PayloadTooLarge(
            f"At most {MAX_BATCH} ratings a request.", {"ratings": f"{len(items)} items; at most 100"}
        )
    if not items:
        raise InvalidInput("The batch is empty.", {"ratings": "at least one rating"})
    return items


@routes(
    "/api/v1/device/ratings",
    "POST",
    summary="Post 1-100 ratings; idempotent by rating id",
    auth=Auth.device,
    request=DeviceBatchIn,
    response=BatchResults,
)
def post_ratings():  # type: ignore[no-untyped-def]
    items = [_read_item(raw) for raw in _batch(json_body(routes.request))]
    results = ratings.ingest_device_batch(
        routes.principal(), items, composition.rating_ports(), composition.settings().min_press_interval
    )
    return json_response(
        {
            "results": [
                {"id": r.id, "status": r.status}
                | ({"error": error_body(r.error.code, r.error.message, r.error.fields)["error"]} if r.error else {})
                for r in results
            ]
        }
    )
