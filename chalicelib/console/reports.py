"""Console: the monthly staff ranking and the report downloads.

The CSV downloads are console twins of /api/v1/reports/*.csv: the same
service (services.exports) behind the session instead of a bearer token, so
the files and who may read them are exactly the API's (SPEC §4.4).
"""

from __future__ import annotations

import calendar as month_days
from typing import Any

from chalicelib import composition
from chalicelib.console.halls import halls_of
from chalicelib.console.layout import HALL_QUERY, ConsoleRoutes, principal, render
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.outreach import quarter_of
from chalicelib.domain.reports import is_month
from chalicelib.services import exports, reports
from chalicelib.web import params
from chalicelib.web.downloads import file_download
from chalicelib.web.requests import query
from chalicelib.web.routing import CSV, DAY, LANG, MONTH, QUARTER, QueryParam, schema

routes = ConsoleRoutes(__name__)
MONTH_QUERY = QueryParam("month", "YYYY-MM (default: this month, Asia/Shanghai)", schema=MONTH)
SCOPE_QUERIES = (
    QueryParam("scope", "hall (default) or branch", schema=schema(enum=["hall", "branch"])),
    QueryParam("branch", "only with scope=branch: the branch"),
)
# The downloads take the API's query (api/reports.py), their headers in English with lang=en.
REQUIRED_MONTH = QueryParam("month", "YYYY-MM (Asia/Shanghai)", required=True, schema=MONTH)


def this_month() -> str:
    return today_in_shanghai(composition.clock().now()).strftime("%Y-%m")


def month_param(request: Any) -> str:
    month = query(request, "month") or this_month()
    if not is_month(month):
        raise InvalidInput("A month such as 2026-11 is required.", {"month": "a month such as 2026-11"})
    return month


def month_span(month: str) -> tuple[str, str]:
    year, number = (int(p) for p in month.split("-"))
    return f"{month}-01", f"{month}-{month_days.monthrange(year, number)[1]:02d}"


@routes.page(
    "/console/ranking",
    summary="The month's staff ranking with the reward and assess flags",
    query=(MONTH_QUERY, HALL_QUERY, *SCOPE_QUERIES),
    statuses=(404,),
)
def ranking():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    month = month_param(request)
    hall = params.hall_code(request)
    by_branch = params.by_branch(request)
    report = reports.staff_monthly(
        actor,
        composition.organisation(),
        composition.ratings(),
        month=month,
        hall=hall,
        by_branch=by_branch,
        min_ratings=composition.settings().min_ratings,
    )
    return render(
        request,
        "ranking.html",
        section="ranking",
        halls=halls_of(actor),
        hall=hall,
        month=month,
        scope=report.scope,
        min_ratings=report.min_ratings,
        rows=report.rows,
    )


@routes.page("/console/reports", summary="The report downloads (CSV, opens in Excel)", query=(MONTH_QUERY, HALL_QUERY))
def downloads():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    month = month_param(request)
    first, last = month_span(month)
    return render(
        request,
        "reports.html",
        section="reports",
        halls=halls_of(actor),
        hall=params.hall_code(request),
        month=month,
        first=first,
        last=last,
        quarter=quarter_of(today_in_shanghai(composition.clock().now())),
    )


# ---- the CSV files: the API's, behind the session -------------------------------
@routes.page(
    "/console/reports/staff-monthly.csv",
    summary="Monthly staff ranking as CSV",
    query=(REQUIRED_MONTH, HALL_QUERY, *SCOPE_QUERIES, LANG),
    produces=CSV,
    statuses=(404,),
)
def staff_monthly_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    file = exports.staff_monthly_csv(
        principal(request),
        composition.organisation(),
        composition.ratings(),
        composition.clock(),
        **params.staff_report(request),
        min_ratings=composition.settings().min_ratings,
        lang=params.lang(request),
    )
    return file_download(file)


@routes.page(
    "/console/reports/hall-monthly.csv",
    summary="Monthly hall summary as CSV",
    query=(REQUIRED_MONTH, HALL_QUERY, LANG),
    produces=CSV,
    statuses=(404,),
)
def hall_monthly_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    file = exports.hall_monthly_csv(
        principal(request),
        composition.organisation(),
        composition.ratings(),
        composition.clock(),
        **params.hall_report(request),
        lang=params.lang(request),
    )
    return file_download(file)


@routes.page(
    "/console/reports/ratings.csv",
    summary="The stored ratings of at most 31 days as CSV",
    query=(
        QueryParam("from", "first day", required=True, schema=DAY),
        QueryParam("to", "last day (at most 31 days in all)", required=True, schema=DAY),
        HALL_QUERY,
        LANG,
    ),
    produces=CSV,
    statuses=(404, 413),
)
def ratings_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    file = exports.ratings_csv(
        principal(request),
        composition.organisation(),
        composition.ratings(),
        composition.clock(),
        **params.ratings_span(request),
        lang=params.lang(request),
    )
    return file_download(file)


@routes.page(
    "/console/reports/outreach.csv",
    summary="五进 coverage as CSV",
    query=(QueryParam("quarter", "e.g. 2026Q4", required=True, schema=QUARTER), LANG),
    produces=CSV,
)
def outreach_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    file = exports.coverage_csv(
        principal(request),
        composition.organisation(),
        composition.outreach(),
        composition.clock(),
        quarter=params.quarter(query(request, "quarter")),
        lang=params.lang(request),
    )
    return file_download(file)
