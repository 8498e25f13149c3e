"""五进 outreach: events, coverage, publishing, and the published results (SPEC §4.1, §4.3, §4.4).

API Gateway path parameters fill a whole segment (``{quarter}.csv`` is not a
valid resource path), so ``/outreach/{quarter}`` is one route whose parameter
may end in ``.csv``: ``2026Q4`` answers the page, ``2026Q4.csv`` its CSV twin.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalice import Response
from pydantic import BaseModel

from chalicelib import composition
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.outreach import Category, event_id_of
from chalicelib.inputs import EventChanges, EventIn, event_fields
from chalicelib.services import outreach
from chalicelib.web import params, report_files
from chalicelib.web.requests import page_args, parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import CSV, HALL_CODE, LANG, PAGING, QUARTER, PathParam, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="outreach")

QUARTER_QUERY = QueryParam("quarter", "e.g. 2026Q4", required=True, schema=QUARTER)
EVENT_ID = PathParam(
    "event_id",
    schema(type="string", pattern=r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$"),
    "the event's event_id (a UUID, with or without dashes)",
)


class EventOut(BaseModel):
    event_id: str
    quarter: str
    hall_code: str
    category: Category
    date: date
    place: str
    title: str
    participants: int
    households_visited: int
    safety_checks: int
    materials: int
    notes: str
    photos: list[str]
    created_at: datetime
    created_by: str
    revision: int
    updated_at: datetime | None
    updated_by: str | None


class CountsOut(BaseModel):
    events: int
    community: int
    enterprise: int
    village: int
    household: int
    school: int
    participants: int
    households_visited: int
    safety_checks: int
    materials: int


class CoverageRowOut(CountsOut):
    branch: str
    hall_code: str
    hall: str
    covered: bool


class TotalsOut(CountsOut):
    halls: int
    covered_halls: int


class CoverageOut(BaseModel):
    quarter: str
    items: list[CoverageRowOut]
    totals: TotalsOut


class PublishedOut(BaseModel):
    quarter: str
    version: int


def _event_out(event: Any) -> dict[str, Any]:
    return EventOut(**event.model_dump()).model_dump(mode="json")


@routes(
    "/api/v1/outreach/events",
    "POST",
    summary="Record a 五进 event (200: a retry with the same id, the stored event)",
    status=201,
    request=EventIn,
    response=EventOut,
    statuses=(404, 409),
    answers=((200, EventOut),),
)
def record_event():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, EventIn)
    recorded = outreach.record_event(
        routes.principal(),
        composition.organisation(),
        composition.outreach(),
        composition.clock(),
        **event_fields(body),
    )
    return json_response(_event_out(recorded.event), status=201 if recorded.created else 200)


def _stored_id(event_id: str) -> str:
    found = event_id_of(event_id)
    if found is None:
        raise NotFound(f"No 五进 event {event_id}.", {"id": "unknown event"})
    return found


@routes(
    "/api/v1/outreach/events/{event_id}",
    "PATCH",
    summary="Correct a 五进 event; its hall's counts change with it, published versions never",
    request=EventChanges,
    response=EventOut,
    statuses=(409,),
    path_params=(EVENT_ID,),
)
def edit_event(event_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, EventChanges)
    event = outreach.edit_event(
        routes.principal(),
        composition.organisation(),
        composition.outreach(),
        composition.clock(),
        _stored_id(event_id),
        body.changes(),
        revision=body.revision,
    )
    return json_response(_event_out(event))


@routes(
    "/api/v1/outreach/events/{event_id}",
    "DELETE",
    summary="Delete a 五进 event; its hall's counts change with it, published versions never",
    status=204,
    statuses=(409,),
    path_params=(EVENT_ID,),
)
def delete_event(event_id: str):  # type: ignore[no-untyped-def]
    outreach.delete_event(routes.principal(), composition.outreach(), composition.clock(), _stored_id(event_id))
    return Response(body="", status_code=204)


@routes(
    "/api/v1/outreach/events",
    "GET",
    summary="A hall's 五进 events of a quarter, by date",
    response=ListOf[EventOut],
    query=(QUARTER_QUERY, QueryParam("hall", "hall code", required=True, schema=HALL_CODE), *PAGING),
    statuses=(404,),
)
def list_events():  # type: ignore[no-untyped-def]
    request = routes.request
    quarter = params.quarter(query(request, "quarter"))
    hall = query(request, "hall")
    if hall is None or not params.HALL_CODE.match(hall):
        raise InvalidInput("A hall code is required.", {"hall": "a hall code"})
    cursor, limit = page_args(request)
    page = outreach.list_events(
        routes.principal(),
        composition.organisation(),
        composition.outreach(),
        quarter=quarter,
        hall_code=hall,
        cursor=cursor,
        limit=limit,
    )
    return json_response({"items": [_event_out(e) for e in page.items], "next": page.next})


@routes(
    "/api/v1/outreach/coverage", "GET", summary="五进 coverage per hall", response=CoverageOut, query=(QUARTER_QUERY,)
)
def coverage():  # type: ignore[no-untyped-def]
    quarter = params.quarter(query(routes.request, "quarter"))
    cov = outreach.quarter_coverage(routes.principal(), composition.organisation(), composition.outreach(), quarter)
    return json_response(
        CoverageOut(
            quarter=cov.quarter,
            items=[CoverageRowOut(**r.model_dump()) for r in cov.rows],
            totals=TotalsOut(**cov.totals.model_dump()),
        ).model_dump(mode="json")
    )


@routes(
    "/api/v1/outreach/{quarter}/publish",
    "POST",
    summary="Publish the quarter's results as a new version (admin)",
    status=201,
    response=PublishedOut,
    statuses=(409, 413),
    path_params=(PathParam("quarter", QUARTER, "e.g. 2026Q4", checked=True),),
)
def publish(quarter: str):  # type: ignore[no-untyped-def]
    snapshot = outreach.publish_quarter(
        routes.principal(),
        composition.organisation(),
        composition.outreach(),
        composition.clock(),
        params.quarter(quarter),
        composition.auditor(),
    )
    return json_response({"quarter": snapshot.quarter, "version": snapshot.version}, status=201)


@routes(
    "/api/v1/reports/outreach.csv",
    "GET",
    summary="五进 coverage as CSV (your halls; every hall for admins)",
    query=(QUARTER_QUERY, LANG),
    produces=CSV,
)
def coverage_csv():  # type: ignore[no-untyped-def]
    return report_files.coverage(routes.request, routes.principal())
