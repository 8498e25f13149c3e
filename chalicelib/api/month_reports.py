"""The month's staff ranking and hall summary (SPEC §3 Month publication, §4.4): the
live numbers or, with ``?version=N|latest``, a published version, as CSV and as
JSON; and publishing the month.

A version answers from its frozen rows alone: the same query (language, hall,
branch, format) answers the same bytes for ever.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chalicelib import composition
from chalicelib.api.report_schemas import HallMonthlyOut, StaffMonthlyOut, hall_out, staff_out
from chalicelib.api.reports import HALL_QUERY, LANG_QUERY, MONTH_QUERY
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.publications import Publication
from chalicelib.domain.reports import HallRow, is_month
from chalicelib.services import publications, reports
from chalicelib.web import params, report_files
from chalicelib.web.responses import json_response
from chalicelib.web.routing import CSV, MONTH, VERSION, PathParam, QueryParam, Routes, schema

routes = Routes(__name__, tag="reports")

SCOPE_QUERIES = (
    QueryParam(
        "scope",
        "hall (default): rank within each hall; branch: rank all halls of a branch together",
        schema=schema(enum=["hall", "branch"]),
    ),
    QueryParam("branch", "only with scope=branch: the branch (default: the hall's, else each of yours)"),
)
VERSION_QUERY = QueryParam(
    "version",
    "a published version: its number, or latest (404 before the first); absent: the live numbers",
    schema=VERSION,
)


class PublishedOut(BaseModel):
    month: str
    version: int


def _staff_monthly(request: Any) -> tuple[reports.StaffMonthly, Publication | None]:
    """The live ranking, or a published version's with ``version=``."""
    actor, version, asked = routes.principal(), params.version(request), params.staff_report(request)
    if version is None:
        org, tallies, min_ratings = (
            composition.organisation(),
            composition.ratings(),
            composition.settings().min_ratings,
        )
        return reports.staff_monthly(actor, org, tallies, **asked, min_ratings=min_ratings), None
    snapshot = publications.published_month(actor, composition.month_publications(), asked.pop("month"), version)
    return publications.published_staff(actor, snapshot, **asked), snapshot.publication


def _hall_monthly(request: Any) -> tuple[list[HallRow], Publication | None]:
    actor, version, asked = routes.principal(), params.version(request), params.hall_report(request)
    if version is None:
        return reports.hall_monthly(actor, composition.organisation(), composition.ratings(), **asked), None
    snapshot = publications.published_month(actor, composition.month_publications(), asked.pop("month"), version)
    return publications.published_halls(actor, snapshot, **asked), snapshot.publication


def _version_fields(version: Publication | None) -> dict[str, Any]:
    if version is None:
        return {"version": None, "published_at": None, "published_by": None}
    return version.model_dump(include={"version", "published_at", "published_by"})


# ---- CSV downloads ----------------------------------------------------------
@routes(
    "/api/v1/reports/staff-monthly.csv",
    "GET",
    summary="Monthly staff ranking as CSV (per hall, or per branch with scope=branch), live or a published version",
    query=(MONTH_QUERY, HALL_QUERY, *SCOPE_QUERIES, VERSION_QUERY, LANG_QUERY),
    produces=CSV,
    statuses=(404,),
)
def staff_monthly_csv():  # type: ignore[no-untyped-def]
    return report_files.staff_monthly(routes.request, routes.principal())


@routes(
    "/api/v1/reports/hall-monthly.csv",
    "GET",
    summary="Monthly hall summary as CSV, live or a published version",
    query=(MONTH_QUERY, HALL_QUERY, VERSION_QUERY, LANG_QUERY),
    produces=CSV,
    statuses=(404,),
)
def hall_monthly_csv():  # type: ignore[no-untyped-def]
    return report_files.hall_monthly(routes.request, routes.principal())


# ---- JSON twins ---------------------------------------------------------------
@routes(
    "/api/v1/reports/staff-monthly",
    "GET",
    summary="Monthly staff ranking, live or a published version",
    response=StaffMonthlyOut,
    query=(MONTH_QUERY, HALL_QUERY, *SCOPE_QUERIES, VERSION_QUERY),
    statuses=(404,),
)
def staff_monthly():  # type: ignore[no-untyped-def]
    report, version = _staff_monthly(routes.request)
    body = StaffMonthlyOut(
        month=report.month,
        scope="branch" if report.scope == "branch" else "hall",
        min_ratings=report.min_ratings,
        items=[staff_out(r) for r in report.rows],
        **_version_fields(version),
    )
    return json_response(body.model_dump(mode="json"))


@routes(
    "/api/v1/reports/hall-monthly",
    "GET",
    summary="Monthly hall summary, live or a published version",
    response=HallMonthlyOut,
    query=(MONTH_QUERY, HALL_QUERY, VERSION_QUERY),
    statuses=(404,),
)
def hall_monthly():  # type: ignore[no-untyped-def]
    request = routes.request
    rows, version = _hall_monthly(request)
    body = HallMonthlyOut(month=params.month(request), items=[hall_out(r) for r in rows], **_version_fields(version))
    return json_response(body.model_dump(mode="json"))


# ---- publishing -----------------------------------------------------------------
def _month(month: str) -> str:
    if not is_month(month):
        raise InvalidInput("A month such as 2026-11 is required.", {"month": "a month such as 2026-11"})
    return month


@routes(
    "/api/v1/reports/{month}/publish",
    "POST",
    summary="Publish the month's staff ranking and hall summary as a new version (admin)",
    status=201,
    response=PublishedOut,
    statuses=(409, 413),
    path_params=(PathParam("month", MONTH, "e.g. 2026-11", checked=True),),
)
def publish(month: str):  # type: ignore[no-untyped-def]
    snapshot = publications.publish_month(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        composition.month_publications(),
        composition.clock(),
        month=_month(month),
        min_ratings=composition.settings().min_ratings,
        auditor=composition.auditor(),
    )
    return json_response({"month": snapshot.month, "version": snapshot.version}, status=201)
