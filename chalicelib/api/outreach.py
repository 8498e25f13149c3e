"""五进 outreach: events, coverage, publishing, and the published results (SPEC §4.1, §4.3, §4.4).

API Gateway path parameters fill a whole segment (``{quarter}.csv`` is not a
valid resource path), so ``/outreach/{quarter}`` is one route whose parameter
may end in ``.csv``: ``2026Q4`` answers the page, ``2026Q4.csv`` its CSV twin.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from chalicelib import composition
from chalicelib.api import pages, params
from chalicelib.api.downloads import csv_download
from chalicelib.api.requests import page_args, parse_json, query
from chalicelib.api.responses import json_response
from chalicelib.api.routing import Auth, QueryParam, Routes
from chalicelib.api.schemas import ListOf, Strict
from chalicelib.domain import csv_export
from chalicelib.domain.business_time import SHANGHAI, today_in_shanghai
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.organisation import Code
from chalicelib.domain.outreach import (
    CATEGORY_LABELS,
    MAX_PHOTOS,
    Category,
    Count,
    Coverage,
    Notes,
    PhotoKey,
    Quarter,
    Snapshot,
    Text,
    is_quarter,
    published_at_label,
)
from chalicelib.services import outreach

routes = Routes(__name__, tag="outreach")

CSV_COLUMNS = (
    "quarter",
    "branch",
    "hall_code",
    "hall",
    "events",
    "community",
    "enterprise",
    "village",
    "household",
    "school",
    "participants",
    "households_visited",
    "safety_checks",
    "covered",
)
CHART_BAR = 420  # the longest bar, in SVG units
QUARTER_QUERY = QueryParam("quarter", "e.g. 2026Q4", required=True)


class EventIn(Strict):
    id: UUID | None = Field(default=None, description="the client's id: a retry with the same id records nothing twice")
    quarter: Quarter
    hall_code: Code
    category: Category
    date: date
    place: Text
    title: Text
    participants: Count = 0
    households_visited: Count = 0
    safety_checks: Count = 0
    materials: Count = Field(default=0, description="materials handed out")
    notes: Notes = ""
    photos: list[PhotoKey] = Field(default_factory=list, max_length=MAX_PHOTOS, description="S3 object keys")


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


def _csv(cov: Coverage, lang: str) -> str:
    rows = ({"quarter": cov.quarter, **r.model_dump()} for r in cov.rows)
    return csv_export.to_csv(CSV_COLUMNS, rows, "en" if lang == "en" else "zh")


@routes(
    "/api/v1/outreach/events", "POST", summary="Record a 五进 event", status=201, request=EventIn, response=EventOut
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


def event_fields(body: EventIn) -> dict[str, Any]:
    """The service's arguments from a request (API or console form)."""
    fields = body.model_dump(exclude={"id"})
    fields["photos"] = tuple(body.photos)
    fields["event_id"] = body.id.hex if body.id else None
    return fields


@routes(
    "/api/v1/outreach/events",
    "GET",
    summary="A hall's 五进 events of a quarter, by date",
    response=ListOf[EventOut],
    query=(
        QUARTER_QUERY,
        QueryParam("hall", "hall code", required=True),
        QueryParam("cursor", ""),
        QueryParam("limit", ""),
    ),
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
)
def publish(quarter: str):  # type: ignore[no-untyped-def]
    snapshot = outreach.publish_quarter(
        routes.principal(),
        composition.organisation(),
        composition.outreach(),
        composition.clock(),
        params.quarter(quarter),
    )
    return json_response({"quarter": snapshot.quarter, "version": snapshot.version}, status=201)


@routes(
    "/api/v1/reports/outreach.csv",
    "GET",
    summary="五进 coverage as CSV (your halls; every hall for admins)",
    query=(QUARTER_QUERY, QueryParam("lang", "en for English headers")),
    produces="text/csv",
)
def coverage_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    quarter = params.quarter(query(request, "quarter"))
    cov = outreach.quarter_coverage(routes.principal(), composition.organisation(), composition.outreach(), quarter)
    day = today_in_shanghai(composition.clock().now()).strftime("%Y%m%d")
    ascii_name = f"outreach-coverage-{quarter}-{day}.csv"
    lang = pages.lang_of(request)
    return csv_download(_csv(cov, lang), ascii_name if lang == "en" else f"五进覆盖-{quarter}-{day}.csv", ascii_name)


def _version(request: Any) -> int | None:
    raw = query(request, "version")
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 999_999:
        raise InvalidInput("Bad version.", {"version": "a version number from 1"})
    return int(raw)


def _chart(snapshot: Snapshot, lang: str) -> list[dict[str, Any]]:
    """One bar per category, its length in SVG units of the longest (the template draws them)."""
    totals = snapshot.coverage.totals
    counts = [(c, getattr(totals, c.value)) for c in Category]
    top = max(n for _, n in counts) or 1
    return [
        {"label": CATEGORY_LABELS[c] if lang == "zh" else c.value, "count": n, "length": round(CHART_BAR * n / top, 1)}
        for c, n in counts
    ]


@routes(
    "/outreach/{quarter}",
    "GET",
    summary="Published 五进 results; `2026Q4.csv` gives the CSV",
    auth=Auth.public,
    query=(QueryParam("version", "an older version"), QueryParam("lang", "en for English")),
    produces="text/html",
)
def published(quarter: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = pages.lang_of(request)
    name, is_csv = (quarter[: -len(".csv")], True) if quarter.endswith(".csv") else (quarter, False)
    if not is_quarter(name):
        raise NotFound(f"No such quarter: {name}.")
    version = _version(request)
    snapshot = outreach.published(composition.outreach(), name, version)
    if is_csv:
        day = snapshot.published_at.astimezone(SHANGHAI).strftime("%Y%m%d")
        ascii_name = f"outreach-{name}-v{snapshot.version}-{day}.csv"
        zh_name = f"五进成果-{name}-第{snapshot.version}版-{day}.csv"
        # A version never changes once published; "latest" may, so only numbered URLs cache long.
        cache = "public, max-age=31536000, immutable" if version else "public, max-age=300"
        return csv_download(_csv(snapshot.coverage, lang), ascii_name if lang == "en" else zh_name, ascii_name, cache)
    return pages.render(
        "outreach.html",
        lang,
        snapshot=snapshot,
        request_version=version is not None,
        published_at=published_at_label(snapshot),
        chart=_chart(snapshot, lang),
        labels={c.value: (CATEGORY_LABELS[c] if lang == "zh" else c.value) for c in Category},
    )
