"""Console: the monthly staff ranking with its published versions, and the report downloads.

The ranking page lists the month's versions (who published each, when), says
whether the live numbers now differ from the latest one, shows a version on
request, and lets admins publish the next (SPEC §3 Month publication).

The CSV downloads are console twins of /api/v1/reports/*.csv: the same
service (services.exports) behind the session instead of a bearer token, so
the files and who may read them are exactly the API's (SPEC §4.4).
"""

from __future__ import annotations

import calendar as month_days
from typing import Any

from chalicelib import composition
from chalicelib.console.halls import halls_of
from chalicelib.console.layout import (
    DONE_QUERY,
    HALL_QUERY,
    ConsoleRoutes,
    Sent,
    filter_of,
    principal,
    redirect,
    render,
    submit,
)
from chalicelib.domain.business_time import local_minute, today_in_shanghai
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.domain.outreach import quarter_of
from chalicelib.domain.reports import is_month
from chalicelib.services import publications, reports
from chalicelib.web import params, report_files
from chalicelib.web.requests import query
from chalicelib.web.routing import CSV, DAY, LANG, MONTH, QUARTER, VERSION, PathParam, QueryParam, schema

routes = ConsoleRoutes(__name__)
MONTH_QUERY = QueryParam("month", "YYYY-MM (default: this month, Asia/Shanghai)", schema=MONTH)
SCOPE_QUERIES = (
    QueryParam("scope", "hall (default) or branch", schema=schema(enum=["hall", "branch"])),
    QueryParam("branch", "only with scope=branch: the branch"),
)
# The downloads take the API's query (api/reports.py), their headers in English with lang=en.
REQUIRED_MONTH = QueryParam("month", "YYYY-MM (Asia/Shanghai)", required=True, schema=MONTH)
VERSION_QUERY = QueryParam(
    "version", "a published version: its number or latest; absent: the live numbers", schema=VERSION
)


def this_month() -> str:
    return today_in_shanghai(composition.clock().now()).strftime("%Y-%m")


def month_param(request: Any) -> str:
    month = query(request, "month") or this_month()
    if not is_month(month):
        raise InvalidInput(
            "A month such as 2026-11 is required.", {"month": "a month such as 2026-11"}, reason=Reason("month_format")
        )
    return month


def month_filter(request: Any) -> tuple[str, Sent | None]:
    """The page's month; a mistyped one shows this month, the filter form sent back as typed."""
    return filter_of(request, "month-filter", lambda: month_param(request), this_month)


def month_span(month: str) -> tuple[str, str]:
    year, number = (int(p) for p in month.split("-"))
    return f"{month}-01", f"{month}-{month_days.monthrange(year, number)[1]:02d}"


@routes.page(
    "/console/ranking",
    summary="The month's staff ranking with the reward and assess flags, its published versions and publishing",
    query=(MONTH_QUERY, HALL_QUERY, *SCOPE_QUERIES, VERSION_QUERY, DONE_QUERY),
    statuses=(404,),
)
def ranking():  # type: ignore[no-untyped-def]
    request = routes.request
    month, refused = month_filter(request)
    return _ranking(request, month, refused)


def _ranking(request: Any, month: str, sent: Sent | None = None) -> Any:
    """The ranking page of ``month``; ``sent``: the month filter or the publish form, refused."""
    actor = principal(request)
    hall = params.hall_code(request)
    by_branch = params.by_branch(request)
    version = params.version(request)
    org, tallies, repo = composition.organisation(), composition.ratings(), composition.month_publications()
    min_ratings = composition.settings().min_ratings
    live = reports.staff_monthly(
        actor, org, tallies, month=month, hall=hall, by_branch=by_branch, min_ratings=min_ratings
    )
    status = publications.month_status(actor, org, tallies, repo, live=live, hall=hall)
    shown, snapshot = live, None
    if version is not None:
        snapshot = publications.published_month(actor, repo, month, version)
        shown = publications.published_staff(actor, snapshot, hall=hall, branch=None, by_branch=by_branch)
    return render(
        request,
        "ranking.html",
        sent=sent,
        page="/console/ranking",
        section="ranking",
        halls=halls_of(actor),
        hall=hall,
        month=month,
        scope=shown.scope,
        min_ratings=shown.min_ratings,
        rows=shown.rows,
        shown=snapshot.publication if snapshot else None,
        versions=status.versions,
        differs=status.differs,
        local=local_minute,
        done=query(request, "done"),
    )


@routes.action(
    "/console/ranking/{month}/publish",
    summary="Publish the month's staff ranking and hall summary as a new version (admin)",
    statuses=(409, 413),
    path_params=(PathParam("month", MONTH, "e.g. 2026-11", checked=True),),
)
def publish(month: str):  # type: ignore[no-untyped-def]
    def show(sent: Sent) -> Any:
        return _ranking(routes.request, month if is_month(month) else this_month(), sent)

    return submit(routes.request, "publish", lambda: _publish(month), show)


def _publish(month: str) -> Any:
    if not is_month(month):
        raise InvalidInput(
            "A month such as 2026-11 is required.", {"month": "a month such as 2026-11"}, reason=Reason("month_format")
        )
    snapshot = publications.publish_month(
        principal(routes.request),
        composition.organisation(),
        composition.ratings(),
        composition.month_publications(),
        composition.clock(),
        month=month,
        min_ratings=composition.settings().min_ratings,
        auditor=composition.auditor(),
    )
    return redirect(routes.request, "/console/ranking", month=snapshot.month, done="published")


@routes.page("/console/reports", summary="The report downloads (CSV, opens in Excel)", query=(MONTH_QUERY, HALL_QUERY))
def downloads():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    month, refused = month_filter(request)
    first, last = month_span(month)
    return render(
        request,
        "reports.html",
        sent=refused,
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
    query=(REQUIRED_MONTH, HALL_QUERY, *SCOPE_QUERIES, VERSION_QUERY, LANG),
    produces=CSV,
    statuses=(404,),
)
def staff_monthly_csv():  # type: ignore[no-untyped-def]
    return report_files.staff_monthly(routes.request, principal(routes.request))


@routes.page(
    "/console/reports/hall-monthly.csv",
    summary="Monthly hall summary as CSV",
    query=(REQUIRED_MONTH, HALL_QUERY, VERSION_QUERY, LANG),
    produces=CSV,
    statuses=(404,),
)
def hall_monthly_csv():  # type: ignore[no-untyped-def]
    return report_files.hall_monthly(routes.request, principal(routes.request))


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
    return report_files.ratings(routes.request, principal(routes.request))


@routes.page(
    "/console/reports/outreach.csv",
    summary="五进 coverage as CSV",
    query=(QueryParam("quarter", "e.g. 2026Q4", required=True, schema=QUARTER), LANG),
    produces=CSV,
)
def outreach_csv():  # type: ignore[no-untyped-def]
    return report_files.coverage(routes.request, principal(routes.request))


@routes.page(
    "/console/reports/tickets.csv",
    summary="The order ledger (工单台账) of a month as CSV",
    query=(REQUIRED_MONTH, HALL_QUERY, LANG),
    produces=CSV,
    statuses=(404,),
)
def tickets_csv():  # type: ignore[no-untyped-def]
    return report_files.tickets(routes.request, principal(routes.request))
