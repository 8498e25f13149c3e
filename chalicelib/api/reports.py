"""Reports: the CSV downloads of SPEC §4.4 (outreach.csv lives with outreach)
and their JSON twins for the console's dashboard.

Summaries come from the tallies; ratings.csv reads the stored ratings day by
day and writes rows as it reads them (Lambda still answers the whole body, so
it is capped at 31 days; the export job will serve longer periods).
"""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.api import pages, params
from chalicelib.api.downloads import csv_download
from chalicelib.api.report_schemas import (
    BreakdownOut,
    DailyOut,
    DayOut,
    HallMonthlyOut,
    HeatCellOut,
    HeatmapOut,
    ShareOut,
    StaffMonthlyOut,
    hall_out,
    levels,
    staff_out,
)
from chalicelib.api.requests import query
from chalicelib.api.responses import json_response
from chalicelib.api.routing import QueryParam, Routes
from chalicelib.domain import csv_export
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.ratings import BUSINESS_LABELS, REASON_LABELS, label
from chalicelib.domain.reports import (
    HALL_COLUMNS,
    RATING_COLUMNS,
    STAFF_COLUMNS,
    HallRow,
    capped,
    hall_csv_row,
    rating_csv_row,
    rounded,
    staff_csv_row,
)
from chalicelib.domain.stats import StatKind, Tally
from chalicelib.services import reports

routes = Routes(__name__, tag="reports")

MONTH_QUERY = QueryParam("month", "e.g. 2026-11 (Asia/Shanghai)", required=True)
HALL_QUERY = QueryParam("hall", "hall code; default: your halls (every hall for admins)")
LANG_QUERY = QueryParam("lang", "en for English headers and keys")
SCOPE_QUERIES = (
    QueryParam("scope", "hall (default): rank within each hall; branch: rank all halls of a branch together"),
    QueryParam("branch", "with scope=branch: the branch (default: the hall's, else each of yours)"),
)


# ---- reading the query ------------------------------------------------------


def _path_hall(hall_code: str) -> str:
    if not params.HALL_CODE.match(hall_code):
        raise NotFound(f"No hall {hall_code}.", {"hall_code": "unknown hall"})
    return hall_code


def _lang(request: Any) -> csv_export.Lang:
    return "en" if pages.lang_of(request) == "en" else "zh"


def _stamp() -> str:
    return today_in_shanghai(composition.clock().now()).strftime("%Y%m%d")


def _download(text: str, lang: csv_export.Lang, zh_name: str, en_name: str) -> Any:
    ascii_name = f"{en_name}-{_stamp()}.csv"
    return csv_download(text, ascii_name if lang == "en" else f"{zh_name}-{_stamp()}.csv", ascii_name)


def _staff_monthly(request: Any) -> reports.StaffMonthly:
    return reports.staff_monthly(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        month=params.month(request),
        hall=params.hall_code(request),
        branch=query(request, "branch"),
        by_branch=params.by_branch(request),
        min_ratings=composition.settings().min_ratings,
    )


def _hall_monthly(request: Any) -> list[HallRow]:
    return reports.hall_monthly(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        month=params.month(request),
        hall=params.hall_code(request),
    )


def _what(request: Any) -> str:
    """The scope part of a filename: the hall, the branch, or ``all``."""
    return query(request, "hall") or query(request, "branch") or "all"


# ---- CSV downloads ----------------------------------------------------------
@routes(
    "/api/v1/reports/staff-monthly.csv",
    "GET",
    summary="Monthly staff ranking as CSV (per hall, or per branch with scope=branch)",
    query=(MONTH_QUERY, HALL_QUERY, *SCOPE_QUERIES, LANG_QUERY),
    produces="text/csv",
)
def staff_monthly_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    report = _staff_monthly(request)
    lang = _lang(request)
    text = csv_export.to_csv(STAFF_COLUMNS, (staff_csv_row(r, lang) for r in report.rows), lang)
    scope = "branch-" if report.scope == "branch" else ""
    what = _what(request)
    return _download(text, lang, f"员工月度排名-{report.month}-{what}", f"staff-monthly-{report.month}-{scope}{what}")


@routes(
    "/api/v1/reports/hall-monthly.csv",
    "GET",
    summary="Monthly hall summary as CSV",
    query=(MONTH_QUERY, HALL_QUERY, LANG_QUERY),
    produces="text/csv",
)
def hall_monthly_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    rows = _hall_monthly(request)
    lang = _lang(request)
    text = csv_export.to_csv(HALL_COLUMNS, (hall_csv_row(r) for r in rows), lang)
    month, what = params.month(request), _what(request)
    return _download(text, lang, f"营业厅月度汇总-{month}-{what}", f"hall-monthly-{month}-{what}")


@routes(
    "/api/v1/reports/ratings.csv",
    "GET",
    summary="The stored ratings of at most 31 days as CSV (phones masked)",
    query=(
        QueryParam("from", "first day, e.g. 2026-11-01", required=True),
        QueryParam("to", "last day (at most 31 days in all)", required=True),
        HALL_QUERY,
        LANG_QUERY,
    ),
    produces="text/csv",
)
def ratings_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    first, last = params.day(request, "from"), params.day(request, "to")
    stored = reports.ratings_export(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        first=first,
        last=last,
        hall=params.hall_code(request),
    )
    lang = _lang(request)
    text = csv_export.to_csv(RATING_COLUMNS, capped(rating_csv_row(r, lang) for r in stored), lang)
    span, what = f"{first:%Y%m%d}-{last:%Y%m%d}", _what(request)
    return _download(text, lang, f"评价明细-{span}-{what}", f"ratings-{span}-{what}")


# ---- JSON for the console ---------------------------------------------------
@routes(
    "/api/v1/reports/staff-monthly",
    "GET",
    summary="Monthly staff ranking",
    response=StaffMonthlyOut,
    query=(MONTH_QUERY, HALL_QUERY, *SCOPE_QUERIES),
)
def staff_monthly():  # type: ignore[no-untyped-def]
    report = _staff_monthly(routes.request)
    body = StaffMonthlyOut(
        month=report.month,
        scope="branch" if report.scope == "branch" else "hall",
        min_ratings=report.min_ratings,
        items=[staff_out(r) for r in report.rows],
    )
    return json_response(body.model_dump(mode="json"))


@routes(
    "/api/v1/reports/hall-monthly",
    "GET",
    summary="Monthly hall summary",
    response=HallMonthlyOut,
    query=(MONTH_QUERY, HALL_QUERY),
)
def hall_monthly():  # type: ignore[no-untyped-def]
    request = routes.request
    rows = _hall_monthly(request)
    body = HallMonthlyOut(month=params.month(request), items=[hall_out(r) for r in rows])
    return json_response(body.model_dump(mode="json"))


def _days(request: Any) -> int:
    raw = query(request, "days")
    if raw is None:
        return 90
    if not raw.isdigit() or not 1 <= int(raw) <= reports.MAX_SERIES_DAYS:
        raise InvalidInput("Bad number of days.", {"days": f"a whole number from 1 to {reports.MAX_SERIES_DAYS}"})
    return int(raw)


@routes(
    "/api/v1/reports/halls/{hall_code}/daily",
    "GET",
    summary="A hall's ratings per day up to today (Asia/Shanghai)",
    response=DailyOut,
    query=(QueryParam("days", f"how many days, 1–{reports.MAX_SERIES_DAYS}; default 90"),),
)
def daily(hall_code: str):  # type: ignore[no-untyped-def]
    series = reports.daily_series(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        composition.clock(),
        hall=_path_hall(hall_code),
        days=_days(routes.request),
    )
    body = DailyOut(
        hall_code=series.hall.code,
        first_day=series.days[0][0],
        last_day=series.days[-1][0],
        items=[DayOut(day=d, misuse=t.misuse, **levels(t)) for d, t in series.days],
    )
    return json_response(body.model_dump(mode="json"))


@routes(
    "/api/v1/reports/halls/{hall_code}/heatmap",
    "GET",
    summary="A hall-month's ratings by ISO weekday and hour (cells without ratings left out)",
    response=HeatmapOut,
    query=(MONTH_QUERY,),
)
def heatmap(hall_code: str):  # type: ignore[no-untyped-def]
    month = params.month(routes.request)
    found = reports.hall_breakdown(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        hall=_path_hall(hall_code),
        month=month,
        kinds=(StatKind.hour,),
    )
    cells = []
    for part, tally in sorted(found.parts[StatKind.hour].items()):
        weekday, hour = part.split("-")
        cells.append(HeatCellOut(weekday=int(weekday), hour=int(hour), **levels(tally)))
    return json_response(HeatmapOut(hall_code=found.hall.code, month=month, cells=cells).model_dump(mode="json"))


def _shares(parts: dict[str, Tally], total: int, labels: dict[str, tuple[str, str]], lang: str) -> list[ShareOut]:
    ordered = sorted(parts.items(), key=lambda kv: (-kv[1].n, kv[0]))
    return [
        ShareOut(key=k, label=label(labels, k, lang), share=rounded(t.n / total) if total else None, **levels(t))
        for k, t in ordered
        if t.n
    ]


@routes(
    "/api/v1/reports/halls/{hall_code}/breakdown",
    "GET",
    summary="A hall-month's business types and dissatisfaction reasons, most frequent first",
    response=BreakdownOut,
    query=(MONTH_QUERY, QueryParam("lang", "en for English labels")),
)
def breakdown(hall_code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    month, lang = params.month(request), _lang(request)
    found = reports.hall_breakdown(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        hall=_path_hall(hall_code),
        month=month,
        kinds=(StatKind.business, StatKind.reason),
    )
    total = found.total.n
    body = BreakdownOut(
        hall_code=found.hall.code,
        month=month,
        total=total,
        business=_shares(found.parts[StatKind.business], total, BUSINESS_LABELS, lang),
        reasons=_shares(found.parts[StatKind.reason], total, REASON_LABELS, lang),
    )
    return json_response(body.model_dump(mode="json"))
