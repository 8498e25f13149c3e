"""Console: 五进 outreach. A quarter's coverage per hall, recording an event
(managers for their halls, admins), and publishing the quarter (admins)."""

from __future__ import annotations

import uuid

from chalicelib import composition
from chalicelib.console.halls import halls_of
from chalicelib.console.layout import DONE_QUERY, ConsoleRoutes, form_of, principal, redirect, render
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.outreach import Category, quarter_of
from chalicelib.inputs import EventIn, event_fields
from chalicelib.services import outreach
from chalicelib.web import params
from chalicelib.web.requests import query
from chalicelib.web.routing import QUARTER, PathParam, QueryParam

routes = ConsoleRoutes(__name__)
COUNTS = ("participants", "households_visited", "safety_checks", "materials")


def _this_quarter() -> str:
    return quarter_of(today_in_shanghai(composition.clock().now()))


@routes.page(
    "/console/outreach",
    summary="五进 coverage of a quarter, event entry and publishing",
    query=(
        QueryParam("quarter", "default: this quarter", schema=QUARTER),
        DONE_QUERY,
        QueryParam("version", "the version just published, for the page's notice", checked=False),
    ),
)
def coverage_page():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    quarter = params.quarter(query(request, "quarter") or _this_quarter())
    cov = outreach.quarter_coverage(actor, composition.organisation(), composition.outreach(), quarter)
    return render(
        request,
        "outreach.html",
        section="outreach",
        quarter=quarter,
        coverage=cov,
        halls=halls_of(actor),
        categories=[c.value for c in Category],
        today=today_in_shanghai(composition.clock().now()).isoformat(),
        done=query(request, "done"),
        version=query(request, "version"),
        event_id=uuid.uuid4(),  # a double-submitted form records the event once
    )


@routes.action("/console/outreach/events", summary="Record a 五进 event", request=EventIn, statuses=(404, 409))
def record_event():  # type: ignore[no-untyped-def]
    request = routes.request
    body = form_of(request, EventIn, counts=COUNTS)
    recorded = outreach.record_event(
        principal(request),
        composition.organisation(),
        composition.outreach(),
        composition.clock(),
        **event_fields(body),
    )
    return redirect(request, "/console/outreach", quarter=recorded.event.quarter, done="recorded")


@routes.action(
    "/console/outreach/{quarter}/publish",
    summary="Publish a quarter's 五进 results (admin)",
    statuses=(409, 413),
    path_params=(PathParam("quarter", QUARTER, "e.g. 2026Q4", checked=True),),
)
def publish(quarter: str):  # type: ignore[no-untyped-def]
    snapshot = outreach.publish_quarter(
        principal(routes.request),
        composition.organisation(),
        composition.outreach(),
        composition.clock(),
        params.quarter(quarter),
    )
    return redirect(
        routes.request, "/console/outreach", quarter=snapshot.quarter, done="published", version=str(snapshot.version)
    )
